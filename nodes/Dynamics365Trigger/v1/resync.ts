/**
 * The Dynamics 365 Trigger's answer to an expired deletion-feed position. Dataverse keeps change tracking for
 * `ExpireChangeTrackingInDays` (default 7): a workflow that did not poll for longer (deactivated, n8n down) holds a
 * delta token Dataverse refuses (the connector's `WATERMARK_EXPIRED`). Deletions of that gap cannot be read by any
 * means, so the feed starts again from now (a full resync of its position: a fresh delta token) and the poll emits
 * one notice item saying which time span was lost — never a silent gap, and never a trigger failing on every poll.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Watermark } from '../../../core/connectors/contract';

/** `{version}!{MM/dd/yyyy HH:mm:ss}` (UTC): how Dataverse writes a delta token, with the time it was issued. */
const TOKEN_TIME = /^\d+!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/** The time a deletion watermark's delta token was issued (ISO), or null when the token does not say. */
export function tokenIssuedAt(watermark: Watermark | undefined): string | null {
	const token = (watermark as { deltaToken?: unknown } | undefined)?.deltaToken;
	const m = typeof token === 'string' ? TOKEN_TIME.exec(token) : null;
	if (!m) return null;
	const [, month, day, year, h, min, s] = m.map(Number);
	const ms = Date.UTC(year, month - 1, day, h, min, s);
	return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * The notice item (documented in the node's notice and the README): `resync: true` tells it from deletion items
 * (`{ id, <primary key>, deleted: true }`); the span is Dataverse's own time from the old and the new delta token.
 */
export function resyncNotice(
	table: string,
	previous: Watermark | undefined,
	restarted: Watermark,
	cause: string,
): IDataObject {
	const from = tokenIssuedAt(previous);
	const to = tokenIssuedAt(restarted) ?? new Date().toISOString();
	return {
		resync: true,
		reason: 'deletionFeedExpired',
		table,
		deletionsUnreadableFrom: from,
		deletionsUnreadableTo: to,
		message: `Deletions in ${table} between ${from ?? 'the last successful poll'} and ${to} could not be read: Dataverse keeps change tracking for ExpireChangeTrackingInDays (default 7) days and the trigger's position was older. The deletion feed was started again from now (full resync of its position); deletions after ${to} are emitted as before. Compare the table with your copy to find rows deleted in that span.`,
		cause,
	};
}
