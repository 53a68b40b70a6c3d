/**
 * Deletions of the Dataverse change feed, from change tracking: a delta token (`$deltatoken` of an
 * `@odata.deltaLink`) is the position. Following its link yields the rows created or updated since (ignored here:
 * they come through `modifiedon`, with their state and time) and then `$deletedEntity` rows `{id, reason}`, and a new
 * link. Deleted rows carry no time: their `updatedAt` is Dataverse's time when they were read.
 */
import { CrmError, isCrmError } from '../../http/errors';
import type { CrmRecord } from '../../records/types';
import { WATERMARK_EXPIRED } from '../contract';
import { DATAVERSE_MAX_PAGE_SIZE, type DataverseClient, type ODataCollection } from './client';
import { DYNAMICS_SYSTEM } from './records';
import type { DataverseSchema } from './schema';

/** Dataverse's ExpiredVersionStamp fault (a delta token older than `ExpireChangeTrackingInDays`, default 7). */
const EXPIRED_CODE = '0x80044352';

/** Where the deletions stand: the delta token, and the ids of its delta already handed out (a cut by `limit`). */
export interface DeletePosition {
	token: string | null;
	done: string[];
}

/** The `$deltatoken` of an `@odata.deltaLink`. */
export function tokenOf(link: string | undefined): string {
	const token = link ? new URL(link).searchParams.get('$deltatoken') : null;
	if (!token)
		throw new CrmError('Dynamics 365 ended a change-tracking read without a delta link', {
			kind: 'fatal',
		});
	return token;
}

/** An expired or unreadable token as the contract's {@link WATERMARK_EXPIRED}: the feed must start again. */
export function expired(error: unknown, table: string): unknown {
	if (!isCrmError(error) || error.crmCode !== EXPIRED_CODE) return error;
	return new CrmError(
		`Dynamics 365: the change-tracking position of ${table} has expired (${error.crmMessage ?? error.message}); deletions since then cannot be read`,
		{
			kind: 'validation',
			retryable: false,
			crmCode: WATERMARK_EXPIRED,
			crmMessage: error.crmMessage,
			status: error.status,
			details: { dataverseCode: EXPIRED_CODE },
			hint: 'Start the feed again (a new watermark from startWatermark) and resync the table: Dataverse keeps changes for ExpireChangeTrackingInDays (default 7) days, so poll more often than that.',
		},
	);
}

/**
 * A fresh delta token: the initial change-tracking query, primary key only, paged to its last page (the one with
 * the delta link). It reads every id of the table once — 5,000 per request.
 */
export async function initialDeltaToken(
	client: DataverseClient,
	schema: DataverseSchema,
	signal?: AbortSignal,
): Promise<string> {
	let last: ODataCollection<unknown> | undefined;
	for await (const page of client.pages(schema.name, {
		query: { $select: schema.idField },
		trackChanges: true,
		maxPageSize: DATAVERSE_MAX_PAGE_SIZE,
		signal,
	}))
		last = page;
	return tokenOf(last?.['@odata.deltaLink']);
}

/** One delta's deletions (ids, in Dataverse's order, those in `done` left out) and the token after it. */
export async function readDeletions(
	client: DataverseClient,
	schema: DataverseSchema,
	token: string,
	done: readonly string[],
	signal?: AbortSignal,
): Promise<{ ids: string[]; next: string }> {
	const skip = new Set(done.map((id) => id.toLowerCase()));
	const ids: string[] = [];
	let last: ODataCollection<Record<string, unknown>> | undefined;
	try {
		for await (const page of client.pages<Record<string, unknown>>(schema.name, {
			query: { $select: schema.idField, $deltatoken: token },
			trackChanges: true,
			maxPageSize: DATAVERSE_MAX_PAGE_SIZE,
			signal,
		})) {
			for (const row of page.value ?? []) {
				const context = String(row['@odata.context'] ?? '');
				if (row.reason !== 'deleted' && !context.endsWith('$deletedEntity')) continue;
				const id = String(row.id ?? '').toLowerCase();
				if (id && !skip.has(id)) {
					skip.add(id);
					ids.push(id);
				}
			}
			last = page;
		}
	} catch (error) {
		throw expired(error, schema.name);
	}
	return { ids, next: tokenOf(last?.['@odata.deltaLink']) };
}

/** A deletion as a contract record. */
export function deletionRecord(schema: DataverseSchema, id: string, readAt: string): CrmRecord {
	return {
		id,
		type: schema.name,
		fields: { [schema.idField]: id },
		updatedAt: readAt,
		deleted: true,
		source: DYNAMICS_SYSTEM,
	};
}
