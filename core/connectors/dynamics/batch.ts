/**
 * One Dataverse `$batch` (Execute batch operations using the Web API): up to 1,000 requests in one HTTP call, each
 * request **in a change set of its own** with a `Content-ID`, and `Prefer: odata.continue-on-error`.
 *
 * Why one change set per request rather than plain top-level parts or one big change set:
 * - one change set is atomic: one invalid row would roll back (and fail) every other row of it;
 * - plain top-level parts are isolated, but OData 4.0 gives `Content-ID` to change-set parts only (Dataverse answers
 *   top-level parts without it), so their answers could only be matched by position;
 * - a change set of one request is as isolated as a top-level part (it rolls back only itself), and its answer —
 *   success or failure — carries the request's `Content-ID`, so every answer is matched to its input by id.
 * `odata.continue-on-error` makes Dataverse run the later parts after a failed one (without it the batch stops there).
 *
 * Each answer becomes an outcome: 2xx → the reply (id from `OData-EntityId`), else a `CrmError` classified by the
 * Dataverse dialect like any single request's error (code and message from the OData error body; 429 / service
 * protection codes → `rateLimited` with the `Retry-After` the part carries).
 */
import { randomUUID } from 'node:crypto';
import { BATCH_CODES } from '../../batching/types';
import { classifyHttpError, CrmError } from '../../http/errors';
import type { HttpMethod } from '../../http/types';
import { type BatchPartResponse, parseBatchResponse } from './batchResponse';
import type { DataverseClient } from './client';
import { dataverseDialect } from './dialect';

/** Dataverse's limit of requests per `$batch` (change-set operations included). */
export const DATAVERSE_BATCH_MAX = 1000;

/** One request of a batch. */
export interface BatchRequest {
	/** Unique within the batch (the answer carries it back). */
	contentId: string;
	method: HttpMethod;
	/** Relative to the API root (`contacts`, `contacts(<id>)`, `contacts(emailaddress1='a@b.c')?$select=contactid`). */
	path: string;
	headers?: Record<string, string>;
	/** JSON body (create / update / upsert). */
	body?: Record<string, unknown>;
	/**
	 * A top-level part outside any change set: what a GET must be (change sets take writes only). Its answer carries no
	 * `Content-ID`, so it is matched by position among the batch's top-level parts.
	 */
	topLevel?: boolean;
}

/** What became of one request: its 2xx answer, or its error. */
export type BatchAnswer = { ok: true; part: BatchPartResponse } | { ok: false; error: CrmError };

/** The multipart body of a batch: each request in a change set of its own. */
export function batchBody(
	apiUrl: string,
	requests: readonly BatchRequest[],
	boundary: string,
): string {
	const lines: string[] = [];
	for (const r of requests) {
		const cs = `changeset_${randomUUID()}`;
		if (r.topLevel) lines.push(`--${boundary}`);
		else
			lines.push(`--${boundary}`, `Content-Type: multipart/mixed; boundary=${cs}`, '', `--${cs}`);
		lines.push(
			'Content-Type: application/http',
			'Content-Transfer-Encoding: binary',
			...(r.topLevel ? [] : [`Content-ID: ${r.contentId}`]),
			'',
			// Absolute URLs: what Dataverse's own examples send, unambiguous whatever the batch URL.
			`${r.method} ${apiUrl}/${r.path} HTTP/1.1`,
		);
		const headers: Record<string, string> = { ...r.headers };
		if (r.body !== undefined) headers['Content-Type'] = 'application/json; type=entry';
		for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
		lines.push('', r.body !== undefined ? JSON.stringify(r.body) : '');
		if (!r.topLevel) lines.push(`--${cs}--`);
	}
	lines.push(`--${boundary}--`, '');
	return lines.join('\r\n');
}

/** A part's answer as an outcome (errors classified as if the request had been sent alone). */
export function batchAnswer(
	part: BatchPartResponse,
	request: BatchRequest,
	apiUrl: string,
	now?: () => number,
): BatchAnswer {
	if (part.status >= 200 && part.status < 300) return { ok: true, part };
	const error = classifyHttpError(
		{
			status: part.status,
			headers: part.headers,
			body: part.body,
			url: `${apiUrl}/${request.path}`,
		},
		{ method: request.method, url: `${apiUrl}/${request.path}` },
		{ dialect: dataverseDialect, now },
	);
	return { ok: false, error };
}

/** Options of {@link sendBatch}. */
export interface SendBatchOptions {
	/** Whether resending the whole batch is harmless (every request an update / upsert / delete). */
	idempotent: boolean;
	signal?: AbortSignal;
}

/**
 * Sends one batch (≤ {@link DATAVERSE_BATCH_MAX} requests); resolves with each request's answer by `Content-ID`.
 * Throws when the batch as a whole fails (a 429 after the core's retries, a lost answer, a 4xx of the batch itself).
 * A request Dataverse did not answer gets an error of its own (`BAD_BATCH_RESPONSE`: it may or may not have been applied).
 */
export async function sendBatch(
	client: DataverseClient,
	requests: readonly BatchRequest[],
	options: SendBatchOptions,
): Promise<Map<string, BatchAnswer>> {
	if (requests.length > DATAVERSE_BATCH_MAX)
		throw new CrmError(
			`Dynamics 365: ${requests.length} requests exceed the $batch limit of ${DATAVERSE_BATCH_MAX}`,
			{
				kind: 'validation',
			},
		);
	const boundary = `batch_${randomUUID()}`;
	const res = await client.http.request<string>({
		method: 'POST',
		url: '$batch',
		headers: {
			'Content-Type': `multipart/mixed; boundary=${boundary}`,
			Accept: 'multipart/mixed',
			Prefer: 'odata.continue-on-error',
		},
		body: batchBody(client.apiUrl, requests, boundary),
		responseType: 'text',
		// The core resends a POST only when Dataverse refused it before processing (429, never reached); a batch of
		// updates / upserts / deletes may be resent after a lost answer too.
		idempotent: options.idempotent,
		signal: options.signal,
	});
	const parts = parseBatchResponse(String(res.body ?? ''), res.headers['content-type']);
	const byId = new Map(requests.filter((r) => !r.topLevel).map((r) => [r.contentId, r]));
	// Top-level parts are answered in order, without a Content-ID.
	const topLevel = requests.filter((r) => r.topLevel);
	const out = new Map<string, BatchAnswer>();
	for (const part of parts) {
		const request =
			part.contentId !== undefined && byId.has(part.contentId)
				? byId.get(part.contentId)
				: topLevel.shift();
		if (request && !out.has(request.contentId))
			out.set(request.contentId, batchAnswer(part, request, client.apiUrl));
	}
	for (const r of requests)
		if (!out.has(r.contentId))
			out.set(r.contentId, {
				ok: false,
				error: new CrmError(
					`Dynamics 365 answered the $batch without an answer for this request (Content-ID ${r.contentId}): it may or may not have been applied`,
					{
						kind: 'fatal',
						status: res.status,
						retryable: false,
						crmCode: BATCH_CODES.badBatchResponse,
					},
				),
			});
	return out;
}
