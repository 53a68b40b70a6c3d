/**
 * Planning one page of records read from one side: their links, their partners (read by id, batched), first-contact
 * matching of the unlinked ones, and per pair the three-way diff (or, for a record without partner, its create on
 * the other side). Nothing is written here; `apply.ts` carries the plan out.
 */
import type { CrmConnector } from '../connectors/contract';
import type { OpenConflicts } from './conflicts';
import type { CrmRecord } from '../records/types';
import type { ResolvedConfig, ScopeCondition } from './config';
import { diffPair, planCreate, sameValue, type DiffContext, type PairDiff } from './diff';
import type { KeyRules } from './firstContact';
import { matchRecords, normalizeKey, pendingKeyFor } from './match';
import type { ReportBuilder } from './report';
import { isBlank } from './strategies';
import type { ConflictDecision, Json, Side, SyncFailure, SyncLink, SyncStore } from './store/types';

export interface SideRuntime {
	side: Side;
	connector: CrmConnector;
	objectType: string;
	/** Fields read on this side (mapped, match keys, scope). */
	fields: string[];
}

export interface RunContext {
	syncId: string;
	config: ResolvedConfig;
	store: SyncStore;
	sides: Record<Side, SideRuntime>;
	diff: DiffContext;
	report: ReportBuilder;
	now: () => number;
	/** Decisions by linkId, then pair key. */
	decisions: Map<string, Map<string, ConflictDecision['decision']>>;
	/** The open conflicts as committed so far (loaded at the start, updated after each commit). */
	open: OpenConflicts;
	/** conflictIds first found in this run. */
	foundConflicts: Set<string>;
	/** Stored failures by `side:id` (to count attempts and clear them). */
	failures: Map<string, SyncFailure>;
	/**
	 * Records a change feed must not hand out again in this run (`side:id`): those retried or settled before the
	 * feeds, and those this run wrote to — a feed may hand one out as read before the write reached it (HubSpot's
	 * search index lags writes), and that stale copy must not undo the write. O(writes), not O(records).
	 */
	handled: Set<string>;
	/** Which part of the run is planning: records of a change feed are not remembered in `handled`. */
	phase: 'feed' | 'byId';
	/** See SyncOptions.pendingGraceMs. */
	pendingGraceMs: number;
	/** What first contact may leave out (firstContact.ts); absent: every look-up is made. */
	keyRules?: KeyRules;
	/** Throws when the run must stop (lock lost, aborted). */
	checkAlive: () => void;
	/**
	 * Blocks mode (the Sync Plan node): writes are not sent but collected here, answered AWAITING_RESULT; the
	 * workflow's write nodes send them and the Sync State node commits their results (`core/sync/blocks`).
	 */
	defer?: DeferredWrites;
}

/** A propagated deletion: the partner of a deleted record is deleted, or archived (an update). */
export interface DeletionWork {
	d: { side: Side; id: string; link: SyncLink };
	op: 'delete' | 'update';
	input: { id?: string; fields: Record<string, unknown> };
}

/** Writes planned but not sent (blocks mode), with what their commit needs. */
export interface DeferredWrites {
	pairs: Array<{ work: PairWork; sides: Side[] }>;
	creates: CreateWork[];
	deletions: Array<{ work: DeletionWork; edited?: string[] }>;
}

/** The code of a write handed to the workflow whose result has not come back (yet). */
export const AWAITING_RESULT = 'AWAITING_RESULT';

export interface PairWork {
	link: SyncLink;
	recA: CrmRecord;
	recB: CrmRecord;
	diff: PairDiff;
	/** The record of the page it came from. */
	source: { side: Side; id: string };
	/** Linked by matching in this page. */
	matched?: { key: string; value: string };
}

export interface CreateWork {
	linkId: string;
	from: Side;
	record: CrmRecord;
	to: Side;
	fields: Record<string, unknown>;
	base: Record<string, Json>;
	pendingKey?: SyncLink['pendingKey'];
	/**
	 * Sent as an upsert by this field of side `to` (a one-way first contact, firstContact.ts rule 2) instead of a
	 * create: `fields` hold every mapped field (blanks as null, which clears them, as a first pairing's diff would).
	 */
	upsertKey?: string;
}

export interface PagePlan {
	side: Side;
	pairs: PairWork[];
	creates: CreateWork[];
	/** Failures found while planning (transform errors). */
	failures: SyncFailure[];
	/**
	 * Ambiguous records, stored like failures (category `ambiguous`, reported in `ambiguous`, not as failures) so
	 * that every later run reads them again by id until they match one record, or are excluded.
	 */
	ambiguous: SyncFailure[];
	/** Stored `ambiguous` records no longer ambiguous that neither link nor create clears (no retry needed). */
	resolved: Array<{ side: Side; recordId: string }>;
}

export const otherSide = (s: Side): Side => (s === 'a' ? 'b' : 'a');
export const linkIdFor = (side: Side, id: string) => `${side}:${id}`;
export const sideIdOf = (link: SyncLink, side: Side) => (side === 'a' ? link.aId : link.bId);

function meets(record: CrmRecord, c: ScopeCondition): boolean {
	const v = record.fields[c.field];
	switch (c.op) {
		case 'isEmpty':
			return isBlank(v);
		case 'isNotEmpty':
			return !isBlank(v);
		case 'equals':
			return normalizeKey(v, 'none') === normalizeKey(c.value, 'none');
		case 'notEquals':
			return normalizeKey(v, 'none') !== normalizeKey(c.value, 'none');
		case 'contains':
			return !isBlank(v) && String(v).toLowerCase().includes(String(c.value).toLowerCase());
		case 'in':
			return (c.value as unknown[]).some(
				(x) => normalizeKey(x, 'none') === normalizeKey(v, 'none'),
			);
	}
}

export const inScope = (ctx: RunContext, side: Side, record: CrmRecord) =>
	ctx.config.scope[side].every((c) => meets(record, c));

/** Whether records may be created on side `to`. */
export const mayCreateOn = (ctx: RunContext, to: Side) =>
	ctx.config.direction === 'both' || ctx.config.direction === (to === 'b' ? 'aToB' : 'bToA');

export function failureOf(
	ctx: RunContext,
	side: Side,
	recordId: string,
	linkId: string | undefined,
	category: string,
	code: string,
	message: string,
): SyncFailure {
	const previous = ctx.failures.get(`${side}:${recordId}`);
	const at = new Date(ctx.now()).toISOString();
	// A write awaiting its result is no failed attempt (yet): it keeps the count of the real ones before it.
	const before = previous?.attempts ?? 0;
	return {
		side,
		recordId,
		linkId,
		category,
		code,
		message,
		attempts: category === 'awaiting' ? before : before + 1,
		firstFailedAt: before > 0 ? (previous?.firstFailedAt ?? at) : at,
		lastFailedAt: at,
	};
}

/**
 * Whether a linked record handed out by `side`'s change feed still holds, in every mapped field, its side's value in
 * the pair's base (compared as the diff compares): then it did not change on this side since the pair was last synced
 * — an echo of a write of the sync's, or an edit of fields the sync does not map — and nothing flows from it. An edit
 * of its partner comes through the partner's own feed (two-way) or flows nowhere (one-way: the target's own edits
 * stay), so its partner is not read (an echo page read no partners by id). A field new to the mapping (no base), a
 * decision or an open conflict on the pair still plan it.
 */
function unchangedSince(ctx: RunContext, side: Side, record: CrmRecord, link: SyncLink): boolean {
	if (ctx.decisions.has(link.linkId) || ctx.open.get(link.linkId)?.size) return false;
	const types = ctx.diff.types[side];
	return ctx.config.fields.every((f) => {
		const base = link.base[f.key];
		if (!base || typeof base !== 'object' || Array.isArray(base) || !(side in base)) return false;
		const field = f[side];
		return sameValue(record.fields[field], base[side], types.get(field));
	});
}

/** Both results, once both settled (nothing left running): the first failure thrown. */
async function settledBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
	const [x, y] = await Promise.allSettled([a, b]);
	if (x.status === 'rejected') throw x.reason;
	if (y.status === 'rejected') throw y.reason;
	return [x.value, y.value];
}

/** Plans a page of (non-deleted) records read from `side` (its time counted as the run's planning). */
export async function planPage(
	ctx: RunContext,
	side: Side,
	records: CrmRecord[],
): Promise<PagePlan> {
	return await ctx.report.stages.time('plan', () => planRecords(ctx, side, records));
}

async function planRecords(ctx: RunContext, side: Side, records: CrmRecord[]): Promise<PagePlan> {
	const plan: PagePlan = {
		side,
		pairs: [],
		creates: [],
		failures: [],
		ambiguous: [],
		resolved: [],
	};
	const wasAmbiguous = (id: string) => ctx.failures.get(`${side}:${id}`)?.category === 'ambiguous';
	const other = otherSide(side);
	const fresh = records.filter((r) => r.id && !r.deleted && !ctx.handled.has(`${side}:${r.id}`));
	if (ctx.phase === 'byId') for (const r of fresh) ctx.handled.add(`${side}:${r.id}`);
	if (!fresh.length) return plan;
	const links = await ctx.store.getLinksByIds(
		ctx.syncId,
		side,
		fresh.map((r) => r.id as string),
	);
	const linked: Array<{ record: CrmRecord; link: SyncLink; partnerId: string }> = [];
	const unlinked: CrmRecord[] = [];
	for (const r of fresh) {
		const link = links.get(r.id as string);
		if (!link) {
			if (inScope(ctx, side, r)) unlinked.push(r);
			else {
				ctx.report.counts.skippedOutOfScope++;
				if (wasAmbiguous(r.id as string)) plan.resolved.push({ side, recordId: r.id as string });
			}
		} else if (link.status === 'linked') {
			if (ctx.phase === 'feed' && unchangedSince(ctx, side, r, link)) ctx.report.counts.unchanged++;
			else linked.push({ record: r, link, partnerId: sideIdOf(link, other) as string });
		}
		// pending (unsettled: ambiguous) and excluded links are skipped.
	}
	// The partners (by id) and the first-contact look-ups of the unlinked records are independent: read at once.
	const [partners, outcomes] = await settledBoth(
		linked.length
			? ctx.sides[other].connector.getByIds(
					ctx.sides[other].objectType,
					linked.map((l) => l.partnerId),
					ctx.sides[other].fields,
				)
			: Promise.resolve([]),
		unlinked.length
			? matchRecords(
					unlinked,
					ctx.config.matchKeys,
					{
						own: {
							side,
							connector: ctx.sides[side].connector,
							objectType: ctx.sides[side].objectType,
						},
						other: {
							side: other,
							connector: ctx.sides[other].connector,
							objectType: ctx.sides[other].objectType,
							fields: ctx.sides[other].fields,
						},
						linksOfOther: (ids) => ctx.store.getLinksByIds(ctx.syncId, other, ids),
						rules: ctx.keyRules && {
							uniqueOwn: ctx.keyRules.uniqueOwn[side],
							upsert: ctx.keyRules.upsertTo[other],
						},
					},
					new Set(), // links are committed per page: within the page, each partner is taken once
				)
			: Promise.resolve([]),
	);
	const pair = (
		link: SyncLink,
		record: CrmRecord,
		partner: CrmRecord,
		matched?: PairWork['matched'],
	) => {
		const [recA, recB] = side === 'a' ? [record, partner] : [partner, record];
		const diff = diffPair(
			ctx.diff,
			link.linkId,
			link.base,
			recA,
			recB,
			ctx.decisions.get(link.linkId),
		);
		plan.pairs.push({ link, recA, recB, diff, source: { side, id: record.id as string }, matched });
	};
	linked.forEach((l, i) => {
		const partner = partners[i];
		// A partner gone since the deletion feed was read: the next run's deletion feed handles it.
		if (partner) pair(l.link, l.record, partner);
	});
	if (!unlinked.length) return plan;
	// A record's values for a create or upsert on the other side, or (a transform failed) its failure.
	const createOf = (record: CrmRecord) => {
		const c = planCreate(ctx.diff, side, record);
		if (!c.errors.length) return c;
		plan.failures.push(
			failureOf(
				ctx,
				side,
				record.id as string,
				undefined,
				'validation',
				'TRANSFORM_FAILED',
				c.errors.join('; '),
			),
		);
		return undefined;
	};
	outcomes.forEach((o, i) => {
		const record = unlinked[i];
		const id = record.id as string;
		if (o.kind === 'matched') {
			const partnerId = o.partner.id as string;
			const link: SyncLink = {
				// A partner whose create to this side was written ahead (pending): this pair settles that link, in place.
				linkId: o.pendingLinkId ?? linkIdFor(side, id),
				status: 'linked',
				aId: side === 'a' ? id : partnerId,
				bId: side === 'a' ? partnerId : id,
				base: {},
			};
			pair(link, record, o.partner, { key: `${o.key.a}/${o.key.b}`, value: o.value });
		} else if (o.kind === 'ambiguous') {
			ctx.report.ambiguous({
				side,
				id,
				key: `${o.key.a}/${o.key.b}`,
				value: o.value,
				reason: o.reason,
				candidates: o.candidates,
			});
			plan.ambiguous.push(
				failureOf(
					ctx,
					side,
					id,
					undefined,
					'ambiguous',
					'AMBIGUOUS_MATCH',
					`${o.reason} (${o.candidates.join(', ')}): not linked, read again on every run until it matches one record — or exclude it`,
				),
			);
		} else if (o.kind === 'upsert') {
			const c = createOf(record);
			if (!c) return;
			// What a first pairing's diff would write: every mapped field, a blank one as null (clearing the value a
			// record matched by the upsert may hold). The key field holds the value sent as the upsert's id.
			const fields: Record<string, unknown> = {};
			for (const f of ctx.config.fields) fields[f[other]] = null;
			Object.assign(fields, c.fields);
			const key = o.key[other];
			plan.creates.push({
				linkId: linkIdFor(side, id),
				from: side,
				record,
				to: other,
				fields,
				base: c.base,
				pendingKey: { field: key, value: String(fields[key]).trim(), upsert: true },
				upsertKey: key,
			});
		} else if (!mayCreateOn(ctx, other)) {
			if (wasAmbiguous(id)) plan.resolved.push({ side, recordId: id });
		} else {
			const c = createOf(record);
			if (!c) return;
			plan.creates.push({
				linkId: linkIdFor(side, id),
				from: side,
				record,
				to: other,
				fields: c.fields,
				base: c.base,
				pendingKey: pendingKeyFor(c.fields, ctx.config.matchKeys, other),
			});
		}
	});
	return plan;
}
