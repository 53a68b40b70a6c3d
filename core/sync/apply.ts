/**
 * Carrying out a page's plan: creates and a one-way sync's first-contact upserts written ahead (a `pending` link
 * committed before the write is sent, so a crash before the final commit is settled by the match key next run
 * instead of writing twice), updates, creates and upserts sent through the connectors (batched by them), then ONE
 * commit with the page's links, bases, failures, decisions consumed, open conflicts (found, settled) and watermark.
 */
import type { WriteInput } from '../connectors/contract';
import { answerLost, isCrmError } from '../http/errors';
import type { CrmRecord } from '../records/types';
import { committedConflicts } from './conflicts';
import {
	awaited,
	createState,
	deletionState,
	leaveSync,
	pageChanges,
	pairState,
	upsertState,
	type Result,
	type UpsertClash,
} from './outcomes';
import { sameValue } from './diff';
import {
	AWAITING_RESULT,
	otherSide,
	sideIdOf,
	type CreateWork,
	type DeletionWork,
	type PagePlan,
	type PairWork,
	type RunContext,
} from './plan';
import type { Side, StateChanges, SyncLink } from './store/types';

async function send(
	ctx: RunContext,
	op: 'create' | 'update' | 'upsert' | 'delete',
	side: Side,
	inputs: WriteInput[],
	key?: string,
): Promise<Result[]> {
	if (!inputs.length) return [];
	ctx.checkAlive();
	if (ctx.defer)
		return inputs.map((_, index) => ({
			index,
			ok: false as const,
			error: { code: AWAITING_RESULT, message: 'handed to the workflow; its result is awaited' },
		}));
	const { connector, objectType } = ctx.sides[side];
	try {
		return await ctx.report.stages.time('write', () =>
			connector.write(op, objectType, inputs, key ? { key } : undefined),
		);
	} catch (error) {
		// A whole call failing fails each of its records (the rest of the run goes on). A connector reports a lost
		// answer per record; a write that throws instead may still have been applied unless the server answered (or
		// it provably never reached it): its records' outcome is unknown — creates stay pending (settled by their key)
		// or are excluded, never sent twice.
		const e = error as { code?: string; message?: string };
		const code =
			!isCrmError(error) || answerLost(error)
				? 'OUTCOME_UNKNOWN'
				: (e.code ?? (isCrmError(error) ? (error.crmCode ?? error.kind) : 'REQUEST_FAILED'));
		return inputs.map((_, index) => ({
			index,
			ok: false as const,
			error: { code, message: e.message ?? String(error) },
		}));
	}
}

/** Carries out a page plan and commits it (with `meta`, the page's watermark) in one commit. */
export async function applyPage(
	ctx: RunContext,
	plan: PagePlan,
	meta?: StateChanges['meta'],
): Promise<void> {
	const changes = pageChanges({
		upsertFailures: [...plan.failures, ...plan.ambiguous],
		clearFailures: [...plan.resolved],
	});
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

	// 3. Creates, per target side; upserts (one-way first contacts) per target side and key.
	const createResults = new Map<CreateWork, Result>();
	const clashes = new Map<CreateWork, UpsertClash>();
	for (const side of ['a', 'b'] as const) {
		const keys = new Set(plan.creates.filter((c) => c.to === side).map((c) => c.upsertKey));
		for (const key of [...keys].filter((k) => k !== undefined)) {
			const list = plan.creates.filter((c) => c.to === side && c.upsertKey === key);
			const results = await send(
				ctx,
				'upsert',
				side,
				list.map((c) => ({ fields: c.fields })),
				key,
			);
			list.forEach((c, i) => createResults.set(c, results[i]));
			for (const [c, clash] of await upsertClashes(ctx, side, list, results)) clashes.set(c, clash);
		}
		const list = plan.creates.filter((c) => c.to === side && !c.upsertKey);
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
		const results = { a: updateResults.a.get(p), b: updateResults.b.get(p) };
		pairState(ctx, p, results, changes);
		const sides = (['a', 'b'] as const).filter((side) => awaited(results[side]));
		if (ctx.defer && sides.length) ctx.defer.pairs.push({ work: p, sides });
	}
	for (const [c, r] of createResults) {
		if (c.upsertKey) upsertState(ctx, c, r, changes, clashes.get(c));
		else createState(ctx, c, r, changes);
		if (ctx.defer && awaited(r)) ctx.defer.creates.push(c);
	}
	await ctx.store.commit(ctx.syncId, { ...changes, meta });
	committedConflicts(ctx, changes);
}

/**
 * The upserts of `list` that updated a record not theirs to take: one linked to (or excluded with) another record,
 * or one that two upserts of this page returned (see `overwrittenState`). One store read for the page.
 */
async function upsertClashes(
	ctx: RunContext,
	side: Side,
	list: CreateWork[],
	results: Result[],
): Promise<Map<CreateWork, UpsertClash>> {
	const out = new Map<CreateWork, UpsertClash>();
	const times = new Map<string, number>();
	const updated: Array<{ c: CreateWork; id: string }> = [];
	list.forEach((c, i) => {
		const r = results[i];
		if (!r?.ok) return;
		times.set(r.value.id, (times.get(r.value.id) ?? 0) + 1);
		if (r.value.created !== true) updated.push({ c, id: r.value.id });
	});
	if (!updated.length) return out;
	const links = await ctx.store.getLinksByIds(
		ctx.syncId,
		side,
		updated.map((u) => u.id),
	);
	for (const { c, id } of updated) {
		const link = links.get(id);
		const other = link && link.linkId !== c.linkId ? link : undefined;
		const twice = (times.get(id) ?? 0) > 1;
		if (other || twice) out.set(c, { link: other, twice });
	}
	return out;
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
			records = await ctx.report.stages.time('read', () =>
				connector.getByIds(
					objectType,
					list.map((w) => w.input.id as string),
					fields,
				),
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
	const clearPair = (link: SyncLink) => leaveSync(ctx, link, changes);
	const work: DeletionWork[] = [];
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
				const fields = edited.get(w.d.link.linkId);
				deletionState(ctx, w, results[i], fields, changes);
				if (ctx.defer && awaited(results[i])) ctx.defer.deletions.push({ work: w, edited: fields });
			});
		}
	await ctx.store.commit(ctx.syncId, { ...changes, meta });
	committedConflicts(ctx, changes);
}
