/**
 * Carrying out a page's plan: creates written ahead (a `pending` link committed before the create is sent, so a
 * crash before the final commit is settled by the match key next run instead of creating twice), updates and
 * creates sent through the connectors (batched by them), then ONE commit with the page's links, bases, failures,
 * decisions consumed, open conflicts (found, settled) and watermark.
 */
import type { BatchItemResult } from '../batching/types';
import type { WriteInput, WrittenRecord } from '../connectors/contract';
import type { CrmRecord } from '../records/types';
import { committedConflicts, dropConflictsOf, pairConflicts } from './conflicts';
import { sameValue } from './diff';
import { failureCategory } from './report';
import {
	failureOf,
	otherSide,
	sideIdOf,
	type CreateWork,
	type PagePlan,
	type PairWork,
	type RunContext,
} from './plan';
import type { Side, StateChanges, SyncLink } from './store/types';

type Result = BatchItemResult<WrittenRecord>;

async function send(
	ctx: RunContext,
	op: 'create' | 'update' | 'delete',
	side: Side,
	inputs: WriteInput[],
): Promise<Result[]> {
	if (!inputs.length) return [];
	ctx.checkAlive();
	const { connector, objectType } = ctx.sides[side];
	try {
		return await connector.write(op, objectType, inputs);
	} catch (error) {
		// A whole call failing fails each of its records (the rest of the run goes on).
		const e = error as { code?: string; message?: string };
		return inputs.map((_, index) => ({
			index,
			ok: false as const,
			error: { code: e.code ?? 'REQUEST_FAILED', message: e.message ?? String(error) },
		}));
	}
}

const errorOf = (r: Result) => (r.ok ? undefined : r.error);

/** Carries out a page plan and commits it (with `meta`, the page's watermark) in one commit. */
export async function applyPage(
	ctx: RunContext,
	plan: PagePlan,
	meta?: StateChanges['meta'],
): Promise<void> {
	const changes: Required<
		Pick<
			StateChanges,
			| 'upsertLinks'
			| 'deleteLinks'
			| 'upsertFailures'
			| 'clearFailures'
			| 'clearDecisions'
			| 'upsertConflicts'
			| 'clearConflicts'
		>
	> = {
		upsertLinks: [],
		deleteLinks: [],
		upsertFailures: [...plan.failures, ...plan.ambiguous],
		clearFailures: [...plan.resolved],
		clearDecisions: [],
		upsertConflicts: [],
		clearConflicts: [],
	};
	for (const f of plan.failures) ctx.report.failure(f);
	const report = ctx.report;

	// 1. Write creates ahead.
	const ahead = plan.creates.filter((c) => c.pendingKey);
	if (ahead.length)
		await ctx.store.commit(ctx.syncId, {
			upsertLinks: ahead.map(
				(c): SyncLink => ({
					linkId: c.linkId,
					status: 'pending',
					[c.from === 'a' ? 'aId' : 'bId']: c.record.id,
					base: c.base,
					pendingSide: c.to,
					pendingKey: c.pendingKey,
				}),
			),
		});

	// 2. Updates, per side.
	const updates: Record<Side, PairWork[]> = { a: [], b: [] };
	for (const p of plan.pairs)
		for (const side of ['a', 'b'] as const)
			if (Object.keys(p.diff.write[side]).length) updates[side].push(p);
	const updateResults: Record<Side, Map<PairWork, Result>> = { a: new Map(), b: new Map() };
	for (const side of ['a', 'b'] as const) {
		const list = updates[side];
		const results = await send(
			ctx,
			'update',
			side,
			list.map((p) => ({ id: sideIdOf(p.link, side), fields: p.diff.write[side] })),
		);
		list.forEach((p, i) => {
			updateResults[side].set(p, results[i]);
			ctx.handled.add(`${side}:${sideIdOf(p.link, side)}`);
			report.plan({
				action: 'update',
				side,
				id: sideIdOf(p.link, side) as string,
				linkId: p.link.linkId,
				changes: p.diff.changes
					.filter((c) => c.side === side)
					.map((c) => ({ field: c.field, from: c.from, to: c.to })),
			});
		});
	}

	// 3. Creates, per target side.
	const createResults = new Map<CreateWork, Result>();
	for (const side of ['a', 'b'] as const) {
		const list = plan.creates.filter((c) => c.to === side);
		const results = await send(
			ctx,
			'create',
			side,
			list.map((c) => ({ fields: c.fields })),
		);
		list.forEach((c, i) => {
			createResults.set(c, results[i]);
			report.plan({
				action: 'create',
				side,
				from: { side: c.from, id: c.record.id as string },
				fields: c.fields,
			});
			if (!c.pendingKey)
				report.report.unsafeCreates.push({
					side,
					from: { side: c.from, id: c.record.id as string },
				});
		});
	}

	// 4. The page's state.
	for (const p of plan.pairs) {
		if (p.matched) {
			report.counts.linkedByMatch++;
			report.plan({
				action: 'link',
				aId: p.link.aId as string,
				bId: p.link.bId as string,
				key: p.matched.key,
				value: p.matched.value,
			});
		}
		for (const c of p.diff.conflicts) report.conflict(c);
		for (const c of p.diff.settled) report.settled(c.strategy);
		const base = { ...p.diff.base };
		let failed: { code: string; message: string } | undefined;
		for (const side of ['a', 'b'] as const) {
			const r = updateResults[side].get(p);
			if (!r) continue;
			const error = errorOf(r);
			if (!error) {
				report.counts.updated[side]++;
				continue;
			}
			failed = { code: error.code ?? 'ERROR', message: `${side}: ${error.message}` };
			for (const key of p.diff.keysTo[side]) {
				if (key in p.link.base) base[key] = p.link.base[key];
				else delete base[key];
			}
		}
		if (p.diff.errors.length)
			failed ??= { code: 'TRANSFORM_FAILED', message: p.diff.errors.join('; ') };
		pairConflicts(ctx, p, failed !== undefined, changes);
		if (!Object.keys(p.diff.write.a).length && !Object.keys(p.diff.write.b).length)
			report.counts.unchanged++;
		// A link is written only when it is new or its base moved (an echo read writes nothing to the store).
		const moved = p.matched || JSON.stringify(base) !== JSON.stringify(p.link.base);
		if (moved) changes.upsertLinks.push({ ...p.link, status: 'linked', base });
		// The partner's own feed (later in this run) must not plan this pair again from a copy read before now.
		const partnerSide = otherSide(p.source.side);
		const notable = moved || p.diff.conflicts.length;
		if (notable && (ctx.phase === 'byId' || partnerSide === 'b'))
			ctx.handled.add(`${partnerSide}:${sideIdOf(p.link, partnerSide)}`);
		if (failed) {
			const f = failureOf(
				ctx,
				p.source.side,
				p.source.id,
				p.link.linkId,
				p.diff.errors.length && failed.code === 'TRANSFORM_FAILED'
					? 'validation'
					: failureCategory(failed.code, failed.message),
				failed.code,
				failed.message,
			);
			changes.upsertFailures.push(f);
			report.failure(f);
		} else {
			for (const side of ['a', 'b'] as const) {
				const id = sideIdOf(p.link, side);
				if (id && ctx.failures.has(`${side}:${id}`))
					changes.clearFailures.push({ side, recordId: id });
			}
			for (const field of p.diff.decided)
				changes.clearDecisions.push({ linkId: p.link.linkId, field });
		}
	}
	for (const [c, r] of createResults) {
		const sourceId = c.record.id as string;
		const error = errorOf(r);
		if (r.ok) {
			report.counts.created[c.to]++;
			changes.upsertLinks.push({
				linkId: c.linkId,
				status: 'linked',
				aId: c.from === 'a' ? sourceId : r.value.id,
				bId: c.from === 'a' ? r.value.id : sourceId,
				base: c.base,
			});
			if (ctx.failures.has(`${c.from}:${sourceId}`))
				changes.clearFailures.push({ side: c.from, recordId: sourceId });
			continue;
		}
		const code = error?.code ?? 'ERROR';
		const category = failureCategory(code, error?.message);
		if (category === 'outcomeUnknown' && c.pendingKey) {
			// Stays pending: settled by its key on a later run, never created twice.
			report.report.warnings.push(
				`create on side ${c.to} from ${c.from}:${sourceId}: its answer was lost (${code}); the next run looks it up by ${c.pendingKey.field} "${c.pendingKey.value}"`,
			);
			continue;
		}
		if (category === 'outcomeUnknown') {
			// Not written ahead: keep the record out of the sync (no second create) until someone checks.
			changes.upsertLinks.push({
				linkId: c.linkId,
				status: 'excluded',
				[c.from === 'a' ? 'aId' : 'bId']: sourceId,
				base: c.base,
			});
		} else if (c.pendingKey) changes.deleteLinks.push(c.linkId);
		const f = failureOf(
			ctx,
			c.from,
			sourceId,
			category === 'outcomeUnknown' ? c.linkId : undefined,
			category,
			code,
			category === 'outcomeUnknown'
				? `the create on side ${c.to} may or may not have happened (no match-key value to check it by): the record is excluded — look for it on side ${c.to}, then link or re-include it. ${error?.message ?? ''}`.trim()
				: `create on side ${c.to}: ${error?.message ?? ''}`,
		);
		changes.upsertFailures.push(f);
		report.failure(f);
	}
	await ctx.store.commit(ctx.syncId, { ...changes, meta });
	committedConflicts(ctx, changes);
}

/**
 * Per link (of a propagated delete): the partner's fields edited since the last run (differing from their base),
 * read by id before the delete — the edits the delete discards.
 */
async function editedPartners(
	ctx: RunContext,
	work: Array<{ d: { side: Side; link: SyncLink }; input: WriteInput }>,
): Promise<Map<string, string[]>> {
	const out = new Map<string, string[]>();
	for (const side of ['a', 'b'] as const) {
		const list = work.filter((w) => otherSide(w.d.side) === side);
		if (!list.length) continue;
		ctx.checkAlive();
		const { connector, objectType, fields } = ctx.sides[side];
		let records: Array<CrmRecord | undefined>;
		try {
			records = await connector.getByIds(
				objectType,
				list.map((w) => w.input.id as string),
				fields,
			);
		} catch {
			continue; // Only the report is poorer: the deletes go on as before.
		}
		list.forEach((w, i) => {
			const record = records[i];
			if (!record) return;
			const changed = ctx.config.fields
				.filter((f) => {
					const base = w.d.link.base[f.key];
					if (!base || typeof base !== 'object' || Array.isArray(base) || !(side in base))
						return false;
					const field = side === 'a' ? f.a : f.b;
					return !sameValue(record.fields[field], base[side], ctx.diff.types[side].get(field));
				})
				.map((f) => (side === 'a' ? f.a : f.b));
			if (changed.length) out.set(w.d.link.linkId, changed);
		});
	}
	return out;
}

/** Applies linked deletions (after the guard): propagate, archive or ignore; one commit with `meta`. */
export async function applyDeletions(
	ctx: RunContext,
	deletions: Array<{ side: Side; id: string; link: SyncLink }>,
	meta: StateChanges['meta'],
): Promise<void> {
	const changes: StateChanges = {
		upsertLinks: [],
		deleteLinks: [],
		upsertFailures: [],
		clearFailures: [],
	};
	const mode = ctx.config.deletes;
	const bothGone = new Set<string>();
	const seen = new Set<string>();
	for (const d of deletions) (seen.has(d.link.linkId) ? bothGone : seen).add(d.link.linkId);
	// A pair leaving the sync takes its failures, open conflicts and decisions with it.
	const clearPair = (link: SyncLink) => {
		dropConflictsOf(ctx, link.linkId, changes);
		for (const side of ['a', 'b'] as const) {
			const id = sideIdOf(link, side);
			if (id && ctx.failures.has(`${side}:${id}`))
				changes.clearFailures?.push({ side, recordId: id });
		}
	};
	const work: Array<{ d: (typeof deletions)[number]; op: 'delete' | 'update'; input: WriteInput }> =
		[];
	const done = new Set<string>();
	for (const d of deletions) {
		if (done.has(d.link.linkId)) continue;
		done.add(d.link.linkId);
		const target = otherSide(d.side);
		const partnerId = sideIdOf(d.link, target) as string;
		const archive = ctx.config.archive?.[target];
		if (bothGone.has(d.link.linkId)) {
			changes.deleteLinks?.push(d.link.linkId);
			clearPair(d.link);
		} else if (mode === 'propagate')
			work.push({ d, op: 'delete', input: { id: partnerId, fields: {} } });
		else if (mode === 'archive' && archive)
			work.push({
				d,
				op: 'update',
				input: { id: partnerId, fields: { [archive.field]: archive.value } },
			});
		else {
			changes.upsertLinks?.push({ ...d.link, status: 'excluded' });
			clearPair(d.link);
		}
	}
	const edited = await editedPartners(
		ctx,
		work.filter((w) => w.op === 'delete'),
	);
	for (const side of ['a', 'b'] as const)
		for (const op of ['delete', 'update'] as const) {
			const list = work.filter((w) => otherSide(w.d.side) === side && w.op === op);
			const results = await send(
				ctx,
				op,
				side,
				list.map((w) => w.input),
			);
			list.forEach((w, i) => {
				const r = results[i];
				const id = w.input.id as string;
				const because = { side: w.d.side, id: w.d.id };
				ctx.report.plan({
					action: op === 'delete' ? 'delete' : 'archive',
					side,
					id,
					linkId: w.d.link.linkId,
					because,
					...(op === 'update' ? { fields: w.input.fields } : {}),
				});
				const error = errorOf(r);
				const gone = error && failureCategory(error.code, error.message) === 'notFound';
				if (!error || gone) {
					// A feed later in this run may still hand out the deleted partner as read before the delete
					// (HubSpot's search index lags; an edit made there since the last run): unlinked, it would be
					// created again on the side it was just deleted from. Design: the deletion wins over an edit of
					// its partner made in the same interval (the edit goes with the record; the plan lists the delete).
					ctx.handled.add(`${side}:${id}`);
					if (!error) ctx.report.counts[op === 'delete' ? 'deleted' : 'archived'][side]++;
					const fields = edited.get(w.d.link.linkId);
					if (!error && op === 'delete' && fields?.length) {
						ctx.report.counts.deletedOverEdits++;
						ctx.report.report.deletedOverEdits.push({
							deleted: because,
							partner: { side, id },
							fields,
						});
						ctx.report.report.warnings.push(
							`${because.side}:${because.id} was deleted while its partner ${side}:${id} was edited since the last run (${fields.join(', ')}): the delete won — ${side}:${id} was deleted and those edits discarded`,
						);
					}
					if (op === 'delete') changes.deleteLinks?.push(w.d.link.linkId);
					else changes.upsertLinks?.push({ ...w.d.link, status: 'excluded' });
					clearPair(w.d.link);
					return;
				}
				const f = failureOf(
					ctx,
					w.d.side,
					w.d.id,
					w.d.link.linkId,
					failureCategory(error.code, error.message),
					error.code ?? 'ERROR',
					`${op === 'delete' ? 'delete' : 'archive'} on side ${side}: ${error.message}`,
				);
				changes.upsertFailures?.push(f);
				ctx.report.failure(f);
			});
		}
	await ctx.store.commit(ctx.syncId, { ...changes, meta });
	committedConflicts(ctx, changes);
}
