/**
 * Open conflicts: what a strategy could not settle stays in the sync state (committed with the page it was found
 * in) and is listed on every run until a decision settles it, its values agree again (someone edited one side to
 * match, or one side back to the base: the other side's value then flows), or its pair leaves the sync. A run
 * keeps them in memory (`RunContext.open`), loaded at its start and updated after each commit, so the report lists
 * them all without reading them again — and a dry run lists what the real run would leave open.
 */
import type { PairWork, RunContext } from './plan';
import { toJson } from './diff';
import { compareCodePoints } from './store/memory';
import type { ConflictDecision, OpenConflict, StateChanges } from './store/types';

/** The stable id of an open conflict: its link and field pair (`a:003…#FirstName/firstname`). */
export const conflictIdOf = (linkId: string, field: string) => `${linkId}#${field}`;

/** An open conflict as a run reports it. */
export interface OpenConflictEntry extends OpenConflict {
	conflictId: string;
	/** First found in this run (a workflow notifies once by keeping only these). */
	new: boolean;
	/** A decision taken but not applied yet (its write failed: it is retried next run). */
	decision?: ConflictDecision['decision'];
}

/** Open conflicts by linkId, then field. */
export type OpenConflicts = Map<string, Map<string, OpenConflict>>;

type ConflictChanges = Required<Pick<StateChanges, 'upsertConflicts' | 'clearConflicts'>>;

/**
 * At the start of a run: the open conflicts and the decisions taken on them. Dropped, in one commit: conflicts of a
 * field no longer mapped, and decisions on conflicts no longer open (settled after the decision was checked, e.g.
 * the values agreed while it was being taken) — never written over what settled them.
 */
export async function loadConflicts(ctx: RunContext): Promise<void> {
	const { store, syncId } = ctx;
	const mapped = new Set(ctx.config.fields.map((f) => f.key));
	const open = await store.listConflicts(syncId);
	ctx.open = indexConflicts(open.filter((c) => mapped.has(c.field)));
	const unmapped = open.filter((c) => !mapped.has(c.field));
	const stale: ConflictDecision[] = [];
	for (const d of await store.listDecisions(syncId)) {
		if (!ctx.open.get(d.linkId)?.has(d.field)) {
			stale.push(d);
			continue;
		}
		const m = ctx.decisions.get(d.linkId) ?? new Map();
		m.set(d.field, d.decision);
		ctx.decisions.set(d.linkId, m);
	}
	if (stale.length) {
		const ids = stale.map((d) => conflictIdOf(d.linkId, d.field));
		ctx.report.report.warnings.push(
			`${stale.length} decision(s) dropped, not written: their conflicts were no longer open (the values agreed again, or the pair left the sync, before the decision was written): ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`,
		);
	}
	if (unmapped.length || stale.length)
		await store.commit(syncId, {
			clearConflicts: unmapped.map(({ linkId, field }) => ({ linkId, field })),
			clearDecisions: stale.map(({ linkId, field }) => ({ linkId, field })),
		});
}

/** The open conflicts of a sync, as a run keeps them. */
export function indexConflicts(list: OpenConflict[]): OpenConflicts {
	const open: OpenConflicts = new Map();
	for (const c of list) {
		const m = open.get(c.linkId) ?? new Map<string, OpenConflict>();
		m.set(c.field, c);
		open.set(c.linkId, m);
	}
	return open;
}

/** JSON text with object keys sorted (a store may hand back keys in another order: PostgreSQL's jsonb does). */
function canonical(v: unknown): string {
	if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
	if (v && typeof v === 'object')
		return `{${Object.keys(v)
			.filter((k) => (v as Record<string, unknown>)[k] !== undefined)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
			.join(',')}}`;
	return JSON.stringify(v ?? null);
}

const same = (x: OpenConflict, y: OpenConflict) => canonical(x) === canonical(y);

/**
 * What a planned pair changes in the open conflicts: its review conflicts are upserted (when new or their values
 * moved; `openSince` kept); its other open conflicts are settled and cleared — unless the pair failed (a write or
 * a transform), when nothing is settled and they stay open.
 */
export function pairConflicts(
	ctx: RunContext,
	p: PairWork,
	failed: boolean,
	out: ConflictChanges,
): void {
	const linkId = p.link.linkId;
	const open = ctx.open.get(linkId);
	const now = new Date(ctx.now()).toISOString();
	const still = new Set<string>();
	for (const c of p.diff.conflicts) {
		still.add(c.field);
		const prev = open?.get(c.field);
		const next: OpenConflict = {
			linkId,
			field: c.field,
			fieldA: c.fieldA,
			fieldB: c.fieldB,
			...(c.aId === undefined ? {} : { aId: c.aId }),
			...(c.bId === undefined ? {} : { bId: c.bId }),
			base: c.base ?? null,
			a: toJson(c.a),
			b: toJson(c.b),
			strategy: c.strategy,
			openSince: prev?.openSince ?? now,
		};
		if (!prev) ctx.foundConflicts.add(conflictIdOf(linkId, c.field));
		if (!prev || !same(prev, next)) out.upsertConflicts.push(next);
	}
	if (failed || !open) return;
	for (const field of open.keys())
		if (!still.has(field)) out.clearConflicts.push({ linkId, field });
}

/** A pair leaving the sync (deleted, excluded): its open conflicts and pending decisions go with it. */
export function dropConflictsOf(
	ctx: RunContext,
	linkId: string,
	changes: Pick<StateChanges, 'clearConflicts' | 'clearDecisions'>,
): void {
	for (const field of ctx.open.get(linkId)?.keys() ?? [])
		(changes.clearConflicts ??= []).push({ linkId, field });
	for (const field of ctx.decisions.get(linkId)?.keys() ?? [])
		(changes.clearDecisions ??= []).push({ linkId, field });
}

/** After a commit: the run's view of open conflicts (and decisions) follows it (clears first, then upserts). */
export function committedConflicts(ctx: RunContext, changes: StateChanges): void {
	for (const { linkId, field } of changes.clearDecisions ?? []) {
		const m = ctx.decisions.get(linkId);
		m?.delete(field);
		if (m && !m.size) ctx.decisions.delete(linkId);
	}
	for (const { linkId, field } of changes.clearConflicts ?? []) {
		const m = ctx.open.get(linkId);
		m?.delete(field);
		if (m && !m.size) ctx.open.delete(linkId);
	}
	for (const c of changes.upsertConflicts ?? []) {
		const m = ctx.open.get(c.linkId) ?? new Map<string, OpenConflict>();
		m.set(c.field, c);
		ctx.open.set(c.linkId, m);
	}
}

/** Every conflict open at the end of the run, by linkId then field. */
export function openConflictList(ctx: RunContext): OpenConflictEntry[] {
	const out: OpenConflictEntry[] = [];
	for (const linkId of [...ctx.open.keys()].sort(compareCodePoints))
		for (const field of [...(ctx.open.get(linkId)?.keys() ?? [])].sort(compareCodePoints)) {
			const c = ctx.open.get(linkId)?.get(field) as OpenConflict;
			const conflictId = conflictIdOf(linkId, field);
			const decision = ctx.decisions.get(linkId)?.get(field);
			out.push({
				conflictId,
				...c,
				new: ctx.foundConflicts.has(conflictId),
				...(decision ? { decision } : {}),
			});
		}
	return out;
}
