/** Builders and readers the store tests share. */
import type { Side, SyncFailure, SyncLink, SyncStore } from '../../core/sync/store';

/**
 * A valid link with defaults (linked, empty base; a linked link's missing ids `a-<linkId>` / `b-<linkId>`, a pending
 * link's missing pendingSide / pendingKey); keys given as undefined are left out.
 */
export function link(linkId: string, over: Partial<SyncLink>): SyncLink {
	const status = over.status ?? 'linked';
	const defaults: Partial<SyncLink> =
		status === 'linked'
			? { aId: `a-${linkId}`, bId: `b-${linkId}` }
			: status === 'pending'
				? { pendingSide: 'b', pendingKey: { field: 'email', value: linkId } }
				: {};
	const l: SyncLink = { linkId, status, base: {}, ...defaults, ...over };
	for (const key of Object.keys(l) as Array<keyof SyncLink>)
		if (l[key] === undefined) delete l[key];
	return l;
}

export function failure(
	side: Side,
	recordId: string,
	over: Partial<SyncFailure> = {},
): SyncFailure {
	return {
		side,
		recordId,
		category: 'validation',
		code: 'INVALID',
		message: 'bad value',
		attempts: 1,
		firstFailedAt: '2026-01-01T00:00:00.000Z',
		lastFailedAt: '2026-01-01T00:00:00.000Z',
		...over,
	};
}

/** Every item of a paged listing. */
export async function all<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
	const items: T[] = [];
	for await (const page of pages) items.push(...page);
	return items;
}

/** Everything a store holds for one sync, in a comparable form (without the store-set `updatedAt`). */
export async function snapshot(store: SyncStore, syncId = 's1') {
	const links = (await all(store.listLinks(syncId))).map((l) => {
		const copy = { ...l };
		delete copy.updatedAt;
		return copy;
	});
	const failures = (await all(store.listFailures(syncId))).sort((x, y) =>
		`${x.side}:${x.recordId}` < `${y.side}:${y.recordId}` ? -1 : 1,
	);
	const decisions = await store.listDecisions(syncId);
	const conflicts = await store.listConflicts(syncId);
	return { links, failures, decisions, conflicts, meta: await store.getMeta(syncId) };
}
