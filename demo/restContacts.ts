/**
 * Writing and reading contacts of the REST sandbox with the connector core only: `HttpClient` for every
 * call, `runBatches` for the writes, `paginate` + `CursorPaginator` for the reads. This is roughly what a
 * REST connector in `core/connectors/` will do; the demo keeps it here until that connector exists.
 */
import {
	type BatchItemError,
	type BatchItemResult,
	type BatchStats,
	describeBatchError,
	runBatches,
} from '../core/batching';
import { type HttpClient, isCrmError } from '../core/http';
import { CursorPaginator, paginate } from '../core/paging';

/** The fields of the sandbox's `contacts` resource that a mapped contact may carry (the API rejects others). */
export const API_CONTACT_FIELDS = [
	'email',
	'first_name',
	'last_name',
	'phone',
	'lifecycle_stage',
	'score',
	'subscribed',
	'tags',
] as const;

/** A contact as the API returns it. */
export interface ApiContact {
	id: string;
	email: string;
	[field: string]: unknown;
}

interface BatchResponse {
	results: Array<{
		index: number;
		status: number;
		id?: string;
		error?: { code?: string; message?: string };
	}>;
}

interface ListPage {
	data: ApiContact[];
	next_cursor: string | null;
	has_more: boolean;
}

/** One `POST /contacts/batch` as the demo saw it. */
export interface BatchCall {
	size: number;
	status: number;
	/** True for the halves produced by splitting a rejected batch. */
	isolating: boolean;
}

/** The API's fields of a mapped contact. */
export function toApiContact(contact: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const field of API_CONTACT_FIELDS)
		if (contact[field] !== undefined) out[field] = contact[field];
	return out;
}

/** The record-level reason of a rejected batch call: the API's first item error, else the error's own message. */
function describeRejection(error: unknown): BatchItemError {
	if (isCrmError(error)) {
		const first = (
			error.details as { errors?: Array<{ code?: string; message?: string }> } | undefined
		)?.errors?.[0];
		if (first?.message)
			return { message: first.message, code: first.code, details: { status: error.status } };
		return {
			message: error.crmMessage ?? error.message,
			code: error.crmCode,
			details: { status: error.status },
		};
	}
	return describeBatchError(error);
}

/**
 * Creates `contacts` in batches of `batchSize` with `POST /contacts/batch`. A batch the API rejects as a
 * whole (HTTP 400 in atomic mode) is split in halves until the bad record is alone; every contact gets one
 * result: the new id, or the API's reason.
 */
export async function writeContacts(
	client: HttpClient,
	contacts: ReadonlyArray<Record<string, unknown>>,
	batchSize: number,
): Promise<{ results: Array<BatchItemResult<string>>; stats: BatchStats; calls: BatchCall[] }> {
	const calls: BatchCall[] = [];
	const { results, stats } = await runBatches<Record<string, unknown>, string>({
		items: contacts.map(toApiContact),
		maxCount: batchSize,
		describeError: describeRejection,
		async send(chunk, { isolating }) {
			try {
				const body = await client.json<BatchResponse>({
					method: 'POST',
					url: '/contacts/batch',
					body: { operation: 'create', items: chunk },
				});
				calls.push({ size: chunk.length, status: 200, isolating });
				return chunk.map((_, i) => {
					const result = body.results.find((r) => r.index === i);
					if (result && result.status < 300 && result.id !== undefined)
						return { ok: true as const, value: result.id };
					return {
						ok: false as const,
						error: {
							message: result?.error?.message ?? 'the API returned no result for this record',
							code: result?.error?.code,
						},
					};
				});
			} catch (error) {
				calls.push({
					size: chunk.length,
					status: isCrmError(error) ? (error.status ?? 0) : 0,
					isolating,
				});
				throw error;
			}
		},
	});
	return { results, stats, calls };
}

/** Reads every contact, one page of `pageSize` at a time, following `next_cursor` while `has_more`. */
export async function readAllContacts(
	client: HttpClient,
	pageSize: number,
): Promise<{
	pageSizes: number[];
	contacts: ApiContact[];
	rateLimit?: { limit: string; remaining: string };
}> {
	const pageSizes: number[] = [];
	const contacts: ApiContact[] = [];
	let rateLimit: { limit: string; remaining: string } | undefined;
	const pages = paginate<ListPage, ApiContact>({
		strategy: new CursorPaginator<ListPage>({ cursor: 'next_cursor', hasMore: 'has_more' }),
		items: (page) => page.data,
		fetchPage: async (cursor, { signal }) => {
			const res = await client.request<ListPage>({
				method: 'GET',
				url: '/contacts',
				qs: { limit: pageSize, cursor },
				signal,
			});
			const limit = res.headers['x-ratelimit-limit'];
			const remaining = res.headers['x-ratelimit-remaining'];
			if (limit !== undefined && remaining !== undefined) rateLimit = { limit, remaining };
			return res.body;
		},
	});
	for await (const page of pages) {
		pageSizes.push(page.length);
		// A real read would stream each page on; the demo keeps the emails to check the writes.
		contacts.push(...page);
	}
	return { pageSizes, contacts, rateLimit };
}
