/**
 * Change tracking as a caller sees it (Web API "Use change tracking to synchronize data with external systems"):
 * without a token, the initial read — every row of the table with `Prefer: odata.track-changes`, page by page — ends
 * with an `@odata.deltaLink` whose `$deltatoken` is the position; with a token, the same query plus `$deltatoken`
 * returns the rows created or updated since (their current columns) and then the deleted ones
 * (`{"@odata.context": "…$deletedEntity", id, reason: "deleted"}`), and a new delta link. Dataverse refuses
 * `$filter`, `$orderby`, `$expand` and `$top` with change tracking; a token older than `ExpireChangeTrackingInDays`
 * (7 by default) is refused with 0x80044352 (`feedDeletes.ts` turns it into `WATERMARK_EXPIRED`).
 */
import { CrmError, isCrmError } from '../../http/errors';
import type { CrmRecord } from '../../records/types';
import { WATERMARK_EXPIRED } from '../contract';
import { DATAVERSE_MAX_PAGE_SIZE, type DataverseClient } from './client';
import { expired, tokenOf } from './feedDeletes';
import { dataverseRecord, selectList } from './records';
import type { DataverseSchema } from './schema';

/** One change: a row created or updated (its columns), or a deleted row's id. */
export type DeltaChange =
	| { changeType: 'new_or_updated'; record: CrmRecord }
	| { changeType: 'deleted'; id: string };

/** The changes since a token (or every row, without one) and the token that follows them. */
export interface DeltaResult {
	changes: DeltaChange[];
	token: string;
}

/**
 * The changes of a table since `token` (null: the initial read of every row). `fields` narrows the columns of new or
 * updated rows (default every column). An expired token throws a `CrmError` with code {@link WATERMARK_EXPIRED}.
 */
export async function dataverseDelta(
	client: DataverseClient,
	schema: DataverseSchema,
	token: string | null,
	fields?: string[],
	signal?: AbortSignal,
): Promise<DeltaResult> {
	const changes: DeltaChange[] = [];
	let link: string | undefined;
	try {
		for await (const page of client.pages<Record<string, unknown>>(schema.name, {
			query: {
				$select: selectList(schema, fields),
				...(token !== null ? { $deltatoken: token } : {}),
			},
			trackChanges: true,
			maxPageSize: DATAVERSE_MAX_PAGE_SIZE,
			signal,
		})) {
			for (const row of page.value ?? []) {
				const context = String(row['@odata.context'] ?? '');
				if (row.reason === 'deleted' || context.endsWith('$deletedEntity'))
					changes.push({ changeType: 'deleted', id: String(row.id ?? '').toLowerCase() });
				else changes.push({ changeType: 'new_or_updated', record: dataverseRecord(schema, row) });
			}
			link = page['@odata.deltaLink'] ?? link;
		}
	} catch (error) {
		const e = token !== null ? expired(error, schema.name) : error;
		if (isCrmError(e) && e.crmCode === WATERMARK_EXPIRED)
			throw new CrmError(
				`Dynamics 365: the delta token of ${schema.name} can no longer be used (${e.crmMessage ?? 'Version stamp associated with the client has expired'}) — changes since it cannot be read`,
				{
					kind: 'validation',
					retryable: false,
					crmCode: WATERMARK_EXPIRED,
					crmMessage: e.crmMessage,
					status: e.status,
					hint: 'Clear the delta token for a full read (every row, with a new token), or set Options › If the Token Has Expired to Full Read. Dataverse keeps changes for ExpireChangeTrackingInDays (default 7) days: read changes more often than that.',
				},
			);
		throw e;
	}
	return { changes, token: tokenOf(link) };
}
