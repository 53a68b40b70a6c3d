/**
 * What one write's outcome changes in the sync state — per planned pair, create and propagated deletion. The engine
 * (apply.ts) calls these after sending a page's writes; the Sync State node (blocks.ts) calls the same functions
 * when the workflow's write nodes give the results, so both faces of the sync end in the same state.
 */
import type { BatchItemResult } from '../batching/types';
import type { WrittenRecord } from '../connectors/contract';
import { dropConflictsOf, pairConflicts } from './conflicts';
import { failureCategory } from './report';
import {
	AWAITING_RESULT,
	failureOf,
	otherSide,
	sideIdOf,
	type CreateWork,
	type DeletionWork,
	type PairWork,
	type RunContext,
} from './plan';
import type { Side, StateChanges, SyncLink } from './store/types';

export type Result = BatchItemResult<WrittenRecord>;

export const errorOf = (r: Result) => (r.ok ? undefined : r.error);
/** A write handed to the workflow (blocks mode) whose result has not come back. */
export const awaited = (r: Result | undefined) => !!r && !r.ok && r.error.code === AWAITING_RESULT;

export type PageChanges = Required<
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
>;

/** The changes of a page before any record's outcome: nothing yet (`given` starts some lists). */
export function pageChanges(given: Partial<PageChanges> = {}): PageChanges {
	return {
		upsertLinks: [],
		deleteLinks: [],
		upsertFailures: [],
		clearFailures: [],
		clearDecisions: [],
		upsertConflicts: [],
		clearConflicts: [],
		...given,
	};
}

/**
 * What one planned pair changes in the state, given its writes' results (a side without a write has none): its
 * link and base (the base of a field written to a side that failed keeps its old value), open conflicts,
 * decisions consumed, and a failure — or, while a write is AWAITING_RESULT (blocks mode), an `awaiting` entry that
 * the next run retries if the result never comes. Used by the engine after sending, and by the Sync State node when
 * the workflow's write nodes give the results.
 */
export function pairState(
	ctx: RunContext,
	p: PairWork,
	results: Partial<Record<Side, Result>>,
	changes: PageChanges,
): void {
	const report = ctx.report;
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
	let failed: { code: string; message: string; details?: unknown } | undefined;
	let waiting = false;
	for (const side of ['a', 'b'] as const) {
		const r = results[side];
		if (!r) continue;
		const error = errorOf(r);
		if (!error) {
			report.counts.updated[side]++;
			continue;
		}
		if (awaited(r)) waiting = true;
		else
			failed = {
				code: error.code ?? 'ERROR',
				message: `${side}: ${error.message}`,
				details: error.details,
			};
		for (const key of p.diff.keysTo[side]) {
			if (key in p.link.base) base[key] = p.link.base[key];
			else delete base[key];
		}
	}
	if (p.diff.errors.length)
		failed ??= { code: 'TRANSFORM_FAILED', message: p.diff.errors.join('; ') };
	pairConflicts(ctx, p, failed !== undefined || waiting, changes);
	if (!Object.keys(p.diff.write.a).length && !Object.keys(p.diff.write.b).length)
		report.counts.unchanged++;
	// A link is written only when it is new or its base moved (an echo read writes nothing to the store).
	const moved = p.matched || JSON.stringify(base) !== JSON.stringify(p.link.base);
	if (moved) changes.upsertLinks.push({ ...p.link, status: 'linked', base });
	// The partner's own feed (later in this run) must not plan this pair again from a copy read before now.
	const partnerSide = otherSide(p.source.side);
	const notable = moved || waiting || p.diff.conflicts.length;
	if (notable && (ctx.phase === 'byId' || partnerSide === 'b'))
		ctx.handled.add(`${partnerSide}:${sideIdOf(p.link, partnerSide)}`);
	if (failed || waiting) {
		const f = failureOf(
			ctx,
			p.source.side,
			p.source.id,
			p.link.linkId,
			failed
				? p.diff.errors.length && failed.code === 'TRANSFORM_FAILED'
					? 'validation'
					: failureCategory(failed.code, failed.message, failed.details)
				: 'awaiting',
			failed?.code ?? AWAITING_RESULT,
			failed?.message ??
				`update on side ${(['a', 'b'] as const).filter((s) => awaited(results[s])).join(' and ')} handed to the workflow: its result is awaited (the Sync State node commits it; otherwise the next run checks the pair again)`,
		);
		changes.upsertFailures.push(f);
		report.failure(f);
		return;
	}
	for (const side of ['a', 'b'] as const) {
		const id = sideIdOf(p.link, side);
		if (id && ctx.failures.has(`${side}:${id}`)) changes.clearFailures.push({ side, recordId: id });
	}
	for (const field of p.diff.decided) changes.clearDecisions.push({ linkId: p.link.linkId, field });
}

/**
 * What one planned create changes in the state, given its result: a link with the new id; a lost answer of a
 * create written ahead stays pending (settled by its key next run), one not written ahead is excluded (never
 * created twice); an awaited result (blocks mode) leaves the pending link, or an `awaiting` entry when there is
 * no key to settle it by; a failure drops the pending link and is stored for retry.
 */
export function createState(ctx: RunContext, c: CreateWork, r: Result, changes: PageChanges): void {
	const report = ctx.report;
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
		return;
	}
	const code = error?.code ?? 'ERROR';
	const category = failureCategory(code, error?.message, error?.details);
	if (category === 'awaiting' && c.pendingKey) return; // the pending link written ahead stands for it
	if (category === 'outcomeUnknown' && c.pendingKey) {
		// Stays pending: settled by its key on a later run, never created twice.
		report.lostCreate(
			c.to,
			code,
			`create on side ${c.to} from ${c.from}:${sourceId}: its answer was lost (${code}); the next run looks it up by ${c.pendingKey.field} "${c.pendingKey.value}"`,
		);
		return;
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
			: category === 'awaiting'
				? `create on side ${c.to} handed to the workflow: its result is awaited (the Sync State node commits it; otherwise the next run creates it again — no match-key value to check it by)`
				: `create on side ${c.to}: ${error?.message ?? ''}`,
	);
	changes.upsertFailures.push(f);
	report.failure(f);
}

/** A pair leaving the sync takes its failures, open conflicts and decisions with it. */
export function leaveSync(ctx: RunContext, link: SyncLink, changes: StateChanges): void {
	dropConflictsOf(ctx, link.linkId, changes);
	for (const side of ['a', 'b'] as const) {
		const id = sideIdOf(link, side);
		if (id && ctx.failures.has(`${side}:${id}`))
			(changes.clearFailures ??= []).push({ side, recordId: id });
	}
}

/**
 * What one propagated deletion changes in the state, given its write's result: the link goes (delete) or is
 * excluded (archive), with its failures and conflicts; a partner already gone counts as done; a failure is stored
 * (retried next run: the message starts with "delete"/"archive" on purpose, see `retries`), and so is an awaited
 * result (blocks mode). `edited`: the partner's fields edited since the last run, discarded by the delete.
 */
export function deletionState(
	ctx: RunContext,
	w: DeletionWork,
	r: Result,
	edited: string[] | undefined,
	changes: StateChanges,
): void {
	const side = otherSide(w.d.side);
	const op = w.op;
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
	const category = error ? failureCategory(error.code, error.message, error.details) : undefined;
	if (!error || category === 'notFound') {
		// A feed later in this run may still hand out the deleted partner as read before the delete (HubSpot's
		// search index lags; an edit made there since the last run): unlinked, it would be created again on the
		// side it was just deleted from. Design: the deletion wins over an edit of its partner made in the same
		// interval (the edit goes with the record; the plan lists the delete).
		ctx.handled.add(`${side}:${id}`);
		if (!error) ctx.report.counts[op === 'delete' ? 'deleted' : 'archived'][side]++;
		if (!error && op === 'delete' && edited?.length) {
			ctx.report.counts.deletedOverEdits++;
			ctx.report.report.deletedOverEdits.push({
				deleted: because,
				partner: { side, id },
				fields: edited,
			});
			ctx.report.report.warnings.push(
				`${because.side}:${because.id} was deleted while its partner ${side}:${id} was edited since the last run (${edited.join(', ')}): the delete won — ${side}:${id} was deleted and those edits discarded`,
			);
		}
		if (op === 'delete') (changes.deleteLinks ??= []).push(w.d.link.linkId);
		else (changes.upsertLinks ??= []).push({ ...w.d.link, status: 'excluded' });
		leaveSync(ctx, w.d.link, changes);
		return;
	}
	if (category === 'awaiting') ctx.handled.add(`${side}:${id}`);
	const f = failureOf(
		ctx,
		w.d.side,
		w.d.id,
		w.d.link.linkId,
		category as string,
		error.code ?? 'ERROR',
		`${op === 'delete' ? 'delete' : 'archive'} on side ${side}: ${error.message}`,
	);
	(changes.upsertFailures ??= []).push(f);
	ctx.report.failure(f);
}

/** An upsert's record that is not this pair's to take: linked to another record, or upserted twice in the page. */
export interface UpsertClash {
	/** The link the record already has (linked or excluded, another source record). */
	link?: SyncLink;
	/** Another upsert of the same page returned the same record. */
	twice?: boolean;
}

/**
 * What one planned upsert (a one-way first contact, firstContact.ts) changes in the state, given its result:
 * created → as a create; an existing record updated → a link like a match (`linkedByMatch`, `updated`), its base
 * the values now on both sides (those written); an error or lost answer → as a create's (pending, settled by key).
 * An existing record that is not this pair's to take (`clash`) was written over: see {@link overwrittenState}.
 */
export function upsertState(
	ctx: RunContext,
	c: CreateWork,
	r: Result,
	changes: PageChanges,
	clash: UpsertClash | undefined,
): void {
	const sourceId = c.record.id as string;
	const from = { side: c.from, id: sourceId };
	const key = c.upsertKey as string;
	const created = r.ok && r.value.created === true && !clash;
	ctx.report.plan({
		action: 'upsert',
		side: c.to,
		from,
		key,
		fields: c.fields,
		...(r.ok ? { id: r.value.id, created } : {}),
	});
	if (!r.ok || created) {
		createState(ctx, c, r, changes);
		return;
	}
	const id = r.value.id;
	ctx.handled.add(`${c.to}:${id}`);
	if (clash) {
		overwrittenState(
			ctx,
			{ ...from, linkId: c.linkId, to: c.to, key, value: c.pendingKey?.value ?? '' },
			id,
			clash,
			changes,
		);
		return;
	}
	ctx.report.counts.linkedByMatch++;
	ctx.report.counts.updated[c.to]++;
	changes.upsertLinks.push({
		linkId: c.linkId,
		status: 'linked',
		aId: c.from === 'a' ? sourceId : id,
		bId: c.from === 'a' ? id : sourceId,
		base: c.base,
	});
	if (ctx.failures.has(`${c.from}:${sourceId}`))
		changes.clearFailures.push({ side: c.from, recordId: sourceId });
}

/**
 * An upsert (or, found by its key, a pending one) wrote a record's values over `targetId`, which belongs to another
 * pair (`clash.link`) or was written by two upserts of one page — e.g. A1 (linked to B1 by e-mail e1) changed its
 * e-mail to e2 later in the run, and a new A2 with e1 was upserted first. The new record is reported ambiguous
 * (AMBIGUOUS_MATCH, read again every run: it is never linked to a record of another pair, and its pending link
 * goes); the overwritten pair's base loses the fields written, so its next diff is a first pairing that writes its
 * source's values back, and its source record gets a stored entry so that the retries re-read it by id next run
 * (this run writes it back already when its feed hands it out later).
 */
export function overwrittenState(
	ctx: RunContext,
	w: { side: Side; id: string; linkId: string; to: Side; key: string; value: string },
	targetId: string,
	clash: UpsertClash,
	changes: PageChanges,
): void {
	const other = clash.link;
	const otherSource = other ? sideIdOf(other, w.side) : undefined;
	const repaired = other?.status === 'linked' && otherSource !== undefined;
	const reason = other
		? `the upsert by ${w.key} "${w.value}" on side ${w.to} matched ${w.to}:${targetId}, which is ${other.status === 'linked' ? 'linked to' : 'excluded with'} ${w.side}:${otherSource ?? '?'}`
		: `the upsert by ${w.key} "${w.value}" on side ${w.to} matched ${w.to}:${targetId}, which another upsert of the same page matched too`;
	const consequence = repaired
		? `this record's values were written over it and are written back from ${w.side}:${otherSource}`
		: `this record's values were written over it (no pair of the sync owns it to write them back)`;
	ctx.report.ambiguous({
		side: w.side,
		id: w.id,
		key: w.key,
		value: w.value,
		reason,
		candidates: [targetId],
	});
	changes.upsertFailures.push(
		failureOf(
			ctx,
			w.side,
			w.id,
			undefined,
			'ambiguous',
			'AMBIGUOUS_MATCH',
			`${reason}: ${consequence} — not linked, read again on every run until it matches a record of its own, or exclude it`,
		),
	);
	changes.deleteLinks.push(w.linkId);
	if (!repaired || !other || otherSource === undefined) return;
	const base = { ...other.base };
	// An upsert writes every mapped field.
	for (const f of ctx.config.fields) delete base[f.key];
	changes.upsertLinks.push({ ...other, base });
	const f = failureOf(
		ctx,
		w.side,
		otherSource,
		other.linkId,
		'other',
		'OVERWRITTEN_BY_UPSERT',
		`its partner ${w.to}:${targetId} was written over by the upsert of ${w.side}:${w.id} (${w.key} "${w.value}"): its values are written back to it`,
	);
	changes.upsertFailures.push(f);
	ctx.failures.set(`${w.side}:${otherSource}`, f);
	ctx.report.report.warnings.push(
		`${w.side}:${w.id} was upserted by ${w.key} "${w.value}" onto ${w.to}:${targetId}, the partner of ${w.side}:${otherSource}: its values are written back from ${w.side}:${otherSource}`,
	);
}
