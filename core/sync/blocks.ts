/**
 * The sync as building blocks — the same engine, cut where a workflow's write nodes go:
 * 1. `readState` (Sync State › Read): where each side's changes start (`since`, for the CRM nodes' Get Changes), and
 *    the side's clock taken now, before they are read, kept in the store as the next watermark;
 * 2. `planSync` (Sync Plan): the engine's run (deletions, pending creates, retries, decisions) over the changed
 *    records the workflow read, with every write handed out as a ticket instead of sent — answered AWAITING_RESULT,
 *    so the state committed meanwhile is the engine's for a write whose result is not known: creates written ahead
 *    (pending links), an `awaiting` entry per other write (retried by the next run if no result ever comes);
 * 3. `commitResults` (Sync State › Commit): each ticket with its write's result replayed through the very functions
 *    the engine uses after sending (outcomes.ts), in one commit. Only what was written is committed; what failed is
 *    stored for retry, like a failure of the CRM Sync node.
 */
import type { Watermark } from '../connectors/contract';
import { formatWatermark } from '../connectors/watermark';
import type { CrmRecord } from '../records/types';
import {
	resolveConfig,
	syncedFields,
	SyncConfigError,
	type ResolvedConfig,
	type SyncConfig,
} from './config';
import { committedConflicts, indexConflicts } from './conflicts';
import { runSync, type SyncOptions } from './engine';
import { createState, deletionState, pageChanges, pairState, type Result } from './outcomes';
import {
	AWAITING_RESULT,
	type CreateWork,
	type DeferredWrites,
	type DeletionWork,
	type PairWork,
	type RunContext,
} from './plan';
import { ReportBuilder, type SyncReport } from './report';
import type { Json, Side, SyncStore } from './store/types';

/** Where a side's changes start, for the workflow's read node. */
export interface SideRead {
	/** For Get Changes › Changed Since: the stored watermark, or "0" (every record) on the first run. */
	since: string;
	/** First run on this side: every record is read (a backfill). */
	backfill: boolean;
}

/** What Sync Plan hands out per write, and Sync State gets back (through the item's lineage). */
export type Ticket =
	| { v: 1; syncId: string; kind: 'pair'; side: Side; sides: Side[]; work: PairWork }
	| { v: 1; syncId: string; kind: 'create'; side: Side; work: CreateWork }
	| { v: 1; syncId: string; kind: 'deletion'; side: Side; work: DeletionWork; edited?: string[] };

/** The planned writes, per target side and operation, each with its ticket and the item to send. */
export interface PlannedWrite {
	side: Side;
	op: 'create' | 'update' | 'delete';
	/** The target record's id (update, delete). */
	id?: string;
	fields: Record<string, unknown>;
	ticket: Ticket;
}

const NEXT = 'blocksNext';

/**
 * Sync State › Read: where each side's changes start; the next watermarks are taken now and stored. Only the sides
 * are needed (not the mapping: the Read node would otherwise ask for it a second time).
 */
export async function readState(
	config: Pick<SyncConfig, 'syncId' | 'a' | 'b'>,
	store: SyncStore,
	now: () => number = Date.now,
): Promise<{ syncId: string; a: SideRead; b: SideRead }> {
	const cfg = { ...config, syncId: String(config.syncId ?? '').trim() };
	if (!cfg.syncId)
		throw new SyncConfigError([
			'syncId: must not be empty — a name for this sync in the state store',
		]);
	for (const side of ['a', 'b'] as const)
		if (!String(cfg[side]?.objectType ?? '').trim())
			throw new SyncConfigError([
				`${side}.objectType: must not be empty — the object type on side ${side}, e.g. "Contact" or "contacts"`,
			]);
	const meta = await store.getMeta(cfg.syncId);
	const next: Record<string, Json> = { takenAt: new Date(now()).toISOString() };
	const out = { syncId: cfg.syncId } as { syncId: string; a: SideRead; b: SideRead };
	for (const side of ['a', 'b'] as const) {
		const { connector, objectType } = cfg[side];
		const backfill = !meta.backfilled[side];
		const stored = (meta.watermarks[side] as { updated?: Watermark | null } | undefined)?.updated;
		out[side] = { since: !backfill && stored ? formatWatermark(stored) : '0', backfill };
		next[side] = (await connector.startWatermark(objectType, 'now', {
			kind: 'updated',
		})) as unknown as Json;
	}
	await store.commit(cfg.syncId, { meta: { info: { [NEXT]: next } } });
	return out;
}

/** Sync Plan: the engine's run over the given changed records, its writes handed out instead of sent. */
export async function planSync(
	config: SyncConfig,
	store: SyncStore,
	records: Record<Side, CrmRecord[]>,
	options: SyncOptions = {},
): Promise<{ report: SyncReport; writes: PlannedWrite[] }> {
	const cfg = resolveConfig(config);
	if (cfg.dryRun)
		throw new SyncConfigError([
			'a dry run plans nothing to hand out — use the CRM Sync node for a dry run, or turn it off',
		]);
	const next = (await store.getMeta(cfg.syncId)).info[NEXT] as Record<string, Json> | undefined;
	if (!next?.a || !next?.b)
		throw new SyncConfigError([
			`sync "${cfg.syncId}" has no read position: put a Sync State node (operation Read) before the nodes that read the changes, and pass its "since" to them — Sync Plan can then tell which changes they covered`,
		]);
	const defer: DeferredWrites = { pairs: [], creates: [], deletions: [] };
	const report = await runSync(config, store, {
		...options,
		defer,
		feeds: {
			a: { records: await complete(cfg, 'a', records.a), next: next.a as unknown as Watermark },
			b: { records: await complete(cfg, 'b', records.b), next: next.b as unknown as Watermark },
		},
	});
	// One plan per read: a second Sync Plan without a new Read would not know what its records cover.
	await store.commit(cfg.syncId, { meta: { info: { [NEXT]: null } } });
	// A conflict this plan's writes settle (a decision written, or values that agree again) stays open in the state
	// until Commit gets the results, but it is not open for the workflow: CRM Sync, writing at once, would not list
	// it. Listed, it would go to review again, and a decision taken on it would be refused once Commit closed it.
	const settling = new Map(
		defer.pairs.map(({ work }) => [
			work.link.linkId,
			new Set(work.diff.conflicts.map((c) => c.field)),
		]),
	);
	report.openConflicts = report.openConflicts.filter(
		(c) => !settling.has(c.linkId) || settling.get(c.linkId)?.has(c.field),
	);
	return { report, writes: plannedWrites(cfg.syncId, defer) };
}

/**
 * The given records, each with every field the sync reads on that side: a record lacking one (a read node that
 * returned only some fields — HubSpot's default properties, say) is read again by id, never taken as blank (that
 * would write blanks over its partner). Deleted ones are left out (the engine's deletion feed handles deletions);
 * one gone since it was read is left out too.
 */
async function complete(
	cfg: ResolvedConfig,
	side: Side,
	records: CrmRecord[],
): Promise<CrmRecord[]> {
	const need = syncedFields(cfg, side);
	const live = records.filter((r) => r.id && !r.deleted);
	const partial = live.filter((r) => need.some((f) => !(f in r.fields)));
	if (!partial.length) return live;
	const { connector, objectType } = cfg[side];
	const fresh = new Map<string, CrmRecord>();
	for (let i = 0; i < partial.length; i += 200) {
		const ids = partial.slice(i, i + 200).map((r) => r.id as string);
		const got = await connector.getByIds(objectType, ids, need);
		got.forEach((r, j) => r && fresh.set(ids[j], r));
	}
	return live.flatMap((r) => {
		if (!partial.includes(r)) return [r];
		const f = fresh.get(r.id as string);
		return f ? [f] : [];
	});
}

function plannedWrites(syncId: string, defer: DeferredWrites): PlannedWrite[] {
	const out: PlannedWrite[] = [];
	for (const { work, sides } of defer.pairs)
		for (const side of sides)
			out.push({
				side,
				op: 'update',
				id: (side === 'a' ? work.link.aId : work.link.bId) as string,
				fields: work.diff.write[side],
				ticket: { v: 1, syncId, kind: 'pair', side, sides, work },
			});
	for (const work of defer.creates)
		out.push({
			side: work.to,
			op: 'create',
			fields: work.fields,
			ticket: { v: 1, syncId, kind: 'create', side: work.to, work },
		});
	for (const { work, edited } of defer.deletions) {
		const side: Side = work.d.side === 'a' ? 'b' : 'a';
		out.push({
			side,
			op: work.op,
			id: work.input.id,
			fields: work.input.fields,
			ticket: { v: 1, syncId, kind: 'deletion', side, work, ...(edited ? { edited } : {}) },
		});
	}
	return out;
}

/** A ticket as it came back (JSON), checked enough to replay it. */
export function asTicket(value: unknown): Ticket | undefined {
	const t = value as Partial<Ticket> | null;
	if (!t || typeof t !== 'object' || t.v !== 1 || typeof t.syncId !== 'string') return undefined;
	if (t.side !== 'a' && t.side !== 'b') return undefined;
	if (!t.work || typeof t.work !== 'object') return undefined;
	return ['pair', 'create', 'deletion'].includes(t.kind as string) ? (t as Ticket) : undefined;
}

/** A write's outcome as a write node's output item told it. */
export type WriteOutcome = { ok: true; id?: string } | { ok: false; code: string; message: string };

/**
 * Sync State › Commit: the tickets with their writes' outcomes, replayed through the engine's own state functions,
 * committed at once. A pair with writes to both sides whose other result is not among `entries` keeps its
 * `awaiting` entry (the next run checks the pair again: a write that happened is not repeated).
 */
export async function commitResults(
	syncId: string,
	store: SyncStore,
	entries: Array<{ ticket: Ticket; outcome: WriteOutcome }>,
	now: () => number = Date.now,
): Promise<SyncReport> {
	const report = new ReportBuilder(syncId, false, now);
	// The tickets carry what the replay needs: no connector, no mapping (a field's conflicts are never dropped here).
	const ctx = {
		syncId,
		store,
		report,
		now,
		decisions: new Map(),
		open: new Map(),
		foundConflicts: new Set(),
		failures: new Map(),
		handled: new Set(),
		phase: 'byId',
		pendingGraceMs: 0,
		checkAlive: () => undefined,
	} as unknown as RunContext;
	ctx.open = indexConflicts(await store.listConflicts(syncId));
	for (const d of await store.listDecisions(syncId)) {
		const m = ctx.decisions.get(d.linkId) ?? new Map();
		ctx.decisions.set(d.linkId, m.set(d.field, d.decision));
	}
	for await (const page of store.listFailures(syncId))
		for (const f of page) ctx.failures.set(`${f.side}:${f.recordId}`, f);
	const changes = pageChanges();
	const pairs = new Map<
		string,
		{ work: PairWork; sides: Side[]; results: Partial<Record<Side, Result>> }
	>();
	for (const { ticket, outcome } of entries) {
		if (ticket.syncId !== syncId)
			throw new SyncConfigError([
				`a result planned for sync "${ticket.syncId}" came to Sync State of sync "${syncId}" — give both nodes the same Sync ID`,
			]);
		const result = resultOf(outcome, ticket);
		if (ticket.kind === 'pair') {
			const entry = pairs.get(ticket.work.link.linkId) ?? {
				work: ticket.work,
				sides: ticket.sides,
				results: {},
			};
			entry.results[ticket.side] ??= result;
			pairs.set(ticket.work.link.linkId, entry);
		} else if (ticket.kind === 'create') createState(ctx, ticket.work, result, changes);
		else deletionState(ctx, ticket.work, result, ticket.edited, changes);
	}
	for (const { work, sides, results } of pairs.values()) {
		for (const side of sides) results[side] ??= awaitingResult;
		pairState(ctx, work, results, changes);
	}
	await store.commit(syncId, changes);
	committedConflicts(ctx, changes);
	return report.finish({});
}

const awaitingResult: Result = {
	index: 0,
	ok: false,
	error: { code: AWAITING_RESULT, message: 'its result did not come back to Sync State' },
};

function resultOf(outcome: WriteOutcome, ticket: Ticket): Result {
	if (!outcome.ok)
		return { index: 0, ok: false, error: { code: outcome.code, message: outcome.message } };
	if (ticket.kind === 'create' && !outcome.id)
		return {
			index: 0,
			ok: false,
			error: {
				code: 'OUTCOME_UNKNOWN',
				message:
					'the create node reported success without the new record\'s "id" — map the write node\'s output so its items keep "id"',
			},
		};
	return { index: 0, ok: true, value: { id: outcome.id ?? '' } };
}
