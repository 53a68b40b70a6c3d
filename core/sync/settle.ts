/**
 * Settling pending links: a create written ahead whose answer was never committed (a crash, a lost answer). The
 * created record is looked up by the link's match key on the target side: found once → linked (with the planned
 * base); not found → the create never happened: the link is dropped and the source record processed again (a new
 * create, written ahead again); found several times → a `duplicate` failure, left pending (never created twice).
 * An upsert written ahead (a one-way first contact) is settled the same way, except that a record found which belongs
 * to another pair is not linked: the upsert wrote over it (`overwrittenState`).
 * A link written ahead less than `pendingGraceMs` ago waits for a later run (a search index may lag the create).
 */
import { applyPage } from './apply';
import { overwrittenState, pageChanges } from './outcomes';
import { failureOf, otherSide, planPage, sideIdOf, type RunContext } from './plan';
import type { Side, SyncFailure, SyncLink } from './store/types';

/** Written ahead less than the grace ago (by the store's stamp; a stamp ahead of our clock is not trusted). */
function tooRecent(ctx: RunContext, link: SyncLink): boolean {
	const age = link.updatedAt ? ctx.now() - Date.parse(link.updatedAt) : NaN;
	return age >= 0 && age < ctx.pendingGraceMs;
}

export async function settlePending(ctx: RunContext): Promise<void> {
	const pending: SyncLink[] = [];
	for await (const page of ctx.store.listLinks(ctx.syncId, { status: 'pending' }))
		pending.push(...page.filter((l) => l.pendingSide && l.pendingKey && !tooRecent(ctx, l)));
	if (!pending.length) return;
	const groups = new Map<string, SyncLink[]>();
	for (const l of pending) {
		const k = `${l.pendingSide}\u0000${l.pendingKey?.field}`;
		const group = groups.get(k);
		if (group) group.push(l);
		else groups.set(k, [l]);
	}
	const linked: SyncLink[] = [];
	const redo: Record<Side, string[]> = { a: [], b: [] };
	const drop: string[] = [];
	const failures: SyncFailure[] = [];
	const repairs = pageChanges();
	for (const list of groups.values()) {
		const target = list[0].pendingSide as Side;
		const field = list[0].pendingKey?.field as string;
		const { connector, objectType } = ctx.sides[target];
		const found = await ctx.report.stages.time('read', () =>
			connector.findByKeys(
				objectType,
				field,
				list.map((l) => l.pendingKey?.value as string),
				[field],
			),
		);
		// An upsert found by its key may have matched a record of another pair: it is not linked (overwrittenState).
		const upserted = list
			.map((l, i) => (l.pendingKey?.upsert && found[i].length === 1 ? found[i][0].id : undefined))
			.filter((id): id is string => !!id);
		const taken = upserted.length
			? await ctx.store.getLinksByIds(ctx.syncId, target, upserted)
			: new Map<string, SyncLink>();
		list.forEach((link, i) => {
			const source = otherSide(target);
			const sourceId = sideIdOf(link, source) as string;
			const matches = found[i];
			const clash = link.pendingKey?.upsert ? taken.get(matches[0]?.id as string) : undefined;
			if (matches.length === 1 && clash && clash.linkId !== link.linkId) {
				overwrittenState(
					ctx,
					{
						side: source,
						id: sourceId,
						linkId: link.linkId,
						to: target,
						key: field,
						value: link.pendingKey?.value ?? '',
					},
					matches[0].id as string,
					{ link: clash },
					repairs,
				);
			} else if (matches.length === 1) {
				linked.push({
					linkId: link.linkId,
					status: 'linked',
					aId: target === 'a' ? matches[0].id : link.aId,
					bId: target === 'b' ? matches[0].id : link.bId,
					base: link.base,
				});
			} else if (matches.length === 0) {
				drop.push(link.linkId);
				redo[source].push(sourceId);
			} else {
				const f = failureOf(
					ctx,
					source,
					sourceId,
					link.linkId,
					'duplicate',
					'AMBIGUOUS_PENDING',
					`a create on side ${target} was sent but not confirmed, and ${matches.length} records there have ${field} "${link.pendingKey?.value}" — merge them or delete the extra one, then remove the pending link`,
				);
				ctx.report.failure(f);
				failures.push(f);
			}
		});
	}
	if (linked.length || drop.length || failures.length || repairs.deleteLinks.length)
		await ctx.store.commit(ctx.syncId, {
			upsertLinks: [...linked, ...repairs.upsertLinks],
			deleteLinks: [...drop, ...repairs.deleteLinks],
			upsertFailures: [...failures, ...repairs.upsertFailures],
		});
	for (const source of ['a', 'b'] as const) {
		if (!redo[source].length) continue;
		const { connector, objectType, fields } = ctx.sides[source];
		const records = await ctx.report.stages.time('read', () =>
			connector.getByIds(objectType, redo[source], fields),
		);
		const plan = await planPage(
			ctx,
			source,
			records.filter((r) => r !== undefined),
		);
		await applyPage(ctx, plan, undefined);
	}
}
