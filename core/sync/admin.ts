/**
 * What a user does between runs: take a record (or its pair) out of the sync — its failures, open conflicts and
 * pending decisions are dropped and it is no longer retried, read or created — or put it back in.
 */
import { linkIdFor } from './plan';
import type { Side, SyncStore } from './store/types';

/** Excludes a record (with its partner, when linked) from the sync and drops their failures and conflicts. */
export async function excludeRecord(
	store: SyncStore,
	syncId: string,
	side: Side,
	recordId: string,
): Promise<void> {
	const link = (await store.getLinksByIds(syncId, side, [recordId])).get(recordId);
	const ids = { a: link?.aId, b: link?.bId, [side]: recordId };
	const ofLink = <T extends { linkId: string; field: string }>(list: T[]) =>
		link
			? list.filter((x) => x.linkId === link.linkId).map(({ linkId, field }) => ({ linkId, field }))
			: [];
	await store.commit(syncId, {
		clearConflicts: ofLink(await store.listConflicts(syncId)),
		clearDecisions: ofLink(await store.listDecisions(syncId)),
		upsertLinks: [
			link
				? { ...link, status: 'excluded', pendingSide: undefined, pendingKey: undefined }
				: {
						linkId: linkIdFor(side, recordId),
						status: 'excluded',
						[`${side}Id`]: recordId,
						base: {},
					},
		],
		clearFailures: (['a', 'b'] as const)
			.filter((s) => ids[s])
			.map((s) => ({ side: s, recordId: ids[s] as string })),
	});
}

/**
 * Puts an excluded record back: a pair is linked again (with its last base, so only later changes flow); a record
 * excluded alone is matched or created on its next change (or retry).
 */
export async function includeRecord(
	store: SyncStore,
	syncId: string,
	side: Side,
	recordId: string,
): Promise<void> {
	const link = (await store.getLinksByIds(syncId, side, [recordId])).get(recordId);
	if (!link || link.status !== 'excluded') return;
	if (link.aId && link.bId)
		await store.commit(syncId, { upsertLinks: [{ ...link, status: 'linked' }] });
	else await store.commit(syncId, { deleteLinks: [link.linkId] });
}
