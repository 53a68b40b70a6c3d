/**
 * The run's phases before the change feeds: deletions (feeds, guard, propagation) and retries (failed records and
 * decided conflicts, read by id and planned like a page).
 */
import { WATERMARK_EXPIRED, type Watermark } from '../connectors/contract';
import { applyDeletions, applyPage } from './apply';
import { planPage, type RunContext } from './plan';
import type { Json, Side, SyncLink } from './store/types';

/** Per side: the stored positions of its feeds. */
export interface SideWatermarks {
	updated?: Watermark | null;
	deleted?: Watermark | null;
	backfillFrom?: Watermark | null;
	backfillTarget?: Watermark | null;
}

/** Step 2: the deletion feeds, the guard, and the deletions. */
export async function deletions(
	ctx: RunContext,
	marks: Record<Side, SideWatermarks>,
	metaFor: (s: Side) => { watermarks: Record<string, Json> },
): Promise<void> {
	const found: Array<{ side: Side; id: string; link: SyncLink }> = [];
	const next: Partial<Record<Side, Watermark>> = {};
	for (const side of ['a', 'b'] as const) {
		const { connector, objectType } = ctx.sides[side];
		if (!(await connector.capabilities(objectType)).deletesInChangeFeed) {
			ctx.report.report.warnings.push(
				`side ${side} (${objectType}): the CRM's change feed does not report deletions — a record deleted there is not deleted, archived or unlinked on side ${side === 'a' ? 'b' : 'a'}`,
			);
			continue;
		}
		if (!marks[side].deleted) {
			next[side] = await ctx.report.stages.time('read', () =>
				connector.startWatermark(objectType, 'now', { kind: 'deleted' }),
			);
			continue;
		}
		let last: Watermark = marks[side].deleted as Watermark;
		try {
			const feed = connector.changesSince(objectType, last, { kind: 'deleted', fields: [] });
			for await (const page of ctx.report.stages.pages(feed)) {
				const ids = page.records.filter((r) => r.deleted && r.id).map((r) => r.id as string);
				const links = ids.length ? await ctx.store.getLinksByIds(ctx.syncId, side, ids) : new Map();
				for (const id of ids) {
					const link = links.get(id);
					if (link && link.status === 'linked') found.push({ side, id, link });
				}
				last = page.watermark;
			}
		} catch (error) {
			if ((error as { crmCode?: string }).crmCode !== WATERMARK_EXPIRED) throw error;
			// The CRM no longer honours the stored position (Dataverse's delta tokens expire after 7 days without a
			// run): the feed starts again from now, and what was deleted in between is said, not silently lost.
			last = await connector.startWatermark(objectType, 'now', { kind: 'deleted' });
			ctx.report.report.warnings.push(
				`side ${side} (${objectType}): the deletion feed's position expired (${(error as Error).message}) — it starts again from now; records deleted on side ${side} since the last run are not deleted on side ${side === 'a' ? 'b' : 'a'} by this sync: check there for partners of records deleted in that time`,
			);
		}
		next[side] = last;
	}
	const newMarks = (): { watermarks: Record<string, Json> } => {
		for (const s of Object.keys(next) as Side[]) marks[s].deleted = next[s];
		return { watermarks: { ...metaFor('a').watermarks, ...metaFor('b').watermarks } };
	};
	const guard = ctx.config.deleteGuard;
	if (found.length && ctx.config.deletes !== 'ignore' && guard) {
		const linked = await ctx.store.countLinks(ctx.syncId, 'linked');
		const pct = linked ? (found.length / linked) * 100 : 100;
		const reason =
			guard.maxCount !== undefined && found.length > guard.maxCount
				? `${found.length} linked records were deleted, more than deleteGuard.maxCount (${guard.maxCount})`
				: guard.maxPercent !== undefined && pct > guard.maxPercent
					? `${found.length} of ${linked} linked records (${pct.toFixed(1)} %) were deleted, more than deleteGuard.maxPercent (${guard.maxPercent} %)`
					: undefined;
		if (reason) {
			ctx.report.report.deleteGuard = {
				tripped: true,
				reason: `${reason}: nothing was deleted; check the deletions, then raise the guard for one run (they are read again)`,
				deletions: found.length,
				linked,
			};
			// Start a first-run feed, but leave the tripped ones where they were.
			for (const s of Object.keys(next) as Side[]) if (marks[s].deleted) delete next[s];
			if (Object.keys(next).length) await ctx.store.commit(ctx.syncId, { meta: newMarks() });
			return;
		}
	}
	await applyDeletions(ctx, found, newMarks());
}

/** Step 4: failed records and decided conflicts, read by id and processed again. */
export async function retries(ctx: RunContext, batch: number): Promise<void> {
	const ids: Record<Side, string[]> = { a: [], b: [] };
	for (const f of ctx.failures.values()) ids[f.side].push(f.recordId);
	for (const linkId of ctx.decisions.keys()) {
		const m = /^([ab]):(.+)$/.exec(linkId);
		if (m) ids[m[1] as Side].push(m[2]);
	}
	for (const side of ['a', 'b'] as const) {
		const list = [...new Set(ids[side])];
		for (let i = 0; i < list.length; i += batch) {
			const chunk = list.slice(i, i + batch);
			const { connector, objectType, fields } = ctx.sides[side];
			const records = await ctx.report.stages.time('read', () =>
				connector.getByIds(objectType, chunk, fields),
			);
			const present = records.filter((r) => r !== undefined);
			ctx.report.counts.read[side] += present.length;
			const plan = await planPage(ctx, side, present);
			// Gone since it failed: a deletion that failed to propagate is retried; anything else is dropped.
			const gone = chunk.filter((_, j) => !records[j]);
			const links = gone.length
				? await ctx.store.getLinksByIds(ctx.syncId, side, gone)
				: new Map<string, SyncLink>();
			const redo = gone.filter(
				(id) =>
					links.get(id)?.status === 'linked' &&
					/^(delete|archive) /.test(ctx.failures.get(`${side}:${id}`)?.message ?? ''),
			);
			const drop = gone.filter((id) => !redo.includes(id) && ctx.failures.has(`${side}:${id}`));
			await applyPage(ctx, plan, undefined);
			if (redo.length)
				await applyDeletions(
					ctx,
					redo.map((id) => ({ side, id, link: links.get(id) as SyncLink })),
					undefined,
				);
			if (drop.length)
				await ctx.store.commit(ctx.syncId, {
					clearFailures: drop.map((recordId) => ({ side, recordId })),
				});
		}
	}
}
