/**
 * What a run reports: counts per action and side, the conflicts and failures, the plan (what was, or in a dry run
 * would be, written — record by record, field by field), watermarks and duration.
 */
import type { OpenConflictEntry } from './conflicts';
import type { Strategy } from './config';
import type { ConflictEntry } from './diff';
import type { Json, Side, SyncFailure } from './store/types';
import { StageClock, type SyncTimings } from './timings';

export type PlanItem =
	| {
			action: 'create';
			side: Side;
			/** The record it is created from. */
			from: { side: Side; id: string };
			fields: Record<string, unknown>;
	  }
	| {
			action: 'update';
			side: Side;
			id: string;
			linkId: string;
			changes: Array<{ field: string; from: unknown; to: unknown }>;
	  }
	| {
			action: 'delete' | 'archive';
			side: Side;
			id: string;
			linkId: string;
			/** The deleted partner. */
			because: { side: Side; id: string };
			fields?: Record<string, unknown>;
	  }
	| {
			/** A one-way first contact: created, or an existing record with the key's value updated (`created: false`). */
			action: 'upsert';
			side: Side;
			from: { side: Side; id: string };
			/** The key field on `side`. */
			key: string;
			fields: Record<string, unknown>;
			/** The record written, when the CRM answered. */
			id?: string;
			created?: boolean;
	  }
	| { action: 'link'; aId: string; bId: string; key: string; value: string }
	| { action: 'conflict'; conflict: ConflictEntry };

export interface AmbiguousEntry {
	side: Side;
	id: string;
	key: string;
	value: string;
	reason: string;
	candidates: string[];
}

export interface SyncCounts {
	created: Record<Side, number>;
	updated: Record<Side, number>;
	deleted: Record<Side, number>;
	archived: Record<Side, number>;
	/** Records read (change feeds and retries). */
	read: Record<Side, number>;
	unchanged: number;
	linkedByMatch: number;
	ambiguous: number;
	/** Conflicts sent to review (found in this run). */
	conflicts: number;
	/** Conflicts settled by a rule (the conflict strategy) in this run, in all and per strategy. */
	settledByRule: number;
	settledByStrategy: Partial<Record<Strategy, number>>;
	/** Linked records deleted (deletes: propagate) although their partner had been edited since the last run. */
	deletedOverEdits: number;
	failed: number;
	skippedOutOfScope: number;
}

export interface SyncProgress {
	phase: 'deletions' | 'pending' | 'retries' | 'changes';
	side?: Side;
	pages: number;
	records: number;
	counts: SyncCounts;
}

export interface SyncReport {
	syncId: string;
	dryRun: boolean;
	/** The mapping (object types, keys, field pairs, transforms) differs from the last run's: consider `fullResync`. */
	configChanged: boolean;
	/** First run of a side: its full backfill. */
	backfill: Record<Side, boolean>;
	startedAt: string;
	finishedAt: string;
	durationMs: number;
	/**
	 * Where the run's time went: cumulative ms reading (change feeds, records by id), planning (links, partners,
	 * matching, diff), writing (connector writes), committing (state store) and the rest, of `totalMs` (wall time,
	 * measured apart from `durationMs`, which follows the run's clock).
	 */
	timings: SyncTimings;
	counts: SyncCounts;
	/** Conflicts found in this run (also counted in `counts.conflicts`). */
	conflicts: ConflictEntry[];
	/** Every conflict open at the end of the run (found in this run or before, not decided, values still apart). */
	openConflicts: OpenConflictEntry[];
	failures: SyncFailure[];
	ambiguous: AmbiguousEntry[];
	/**
	 * Deletions that won over an edit of the partner (deletes: propagate): the partner was deleted with its edits;
	 * `fields` are the partner's fields whose edits were discarded. Each also has a line in `warnings`.
	 */
	deletedOverEdits: Array<{
		deleted: { side: Side; id: string };
		partner: { side: Side; id: string };
		fields: string[];
	}>;
	/** Things the user should know about this sync's setup (e.g. a side whose deletions cannot be seen). */
	warnings: string[];
	/** Creates sent without a match-key value (not written ahead: a crash right after would not be settled). */
	unsafeCreates: Array<{ side: Side; from: { side: Side; id: string } }>;
	/** Set when the delete guard tripped: nothing was deleted and the deletion feeds were not advanced. */
	deleteGuard?: { tripped: true; reason: string; deletions: number; linked: number };
	plan: PlanItem[];
	/** More plan items than `planLimit`, or a real run without `recordPlan` (the rest were counted, not listed). */
	planTruncated: boolean;
	watermarks: Partial<Record<Side, Json>>;
}

const perSide = (): Record<Side, number> => ({ a: 0, b: 0 });

/** Lost-create warning lines kept per side and code before the rest are counted in one line. */
export const LOST_CREATE_LINES = 20;

export class ReportBuilder {
	readonly report: SyncReport;
	private readonly started: number;
	private readonly lostCreates = new Map<
		string,
		{ to: Side; code: string; lines: number; more: number }
	>();

	constructor(
		syncId: string,
		dryRun: boolean,
		private readonly now: () => number,
		private readonly planLimit = Infinity,
		/** The run's stage clock (started when the run started). */
		readonly stages = new StageClock(),
	) {
		this.started = now();
		this.report = {
			syncId,
			dryRun,
			configChanged: false,
			backfill: { a: false, b: false },
			startedAt: new Date(this.started).toISOString(),
			finishedAt: '',
			durationMs: 0,
			timings: { readMs: 0, planMs: 0, writeMs: 0, commitMs: 0, otherMs: 0, totalMs: 0 },
			counts: {
				created: perSide(),
				updated: perSide(),
				deleted: perSide(),
				archived: perSide(),
				read: perSide(),
				unchanged: 0,
				linkedByMatch: 0,
				ambiguous: 0,
				conflicts: 0,
				settledByRule: 0,
				settledByStrategy: {},
				deletedOverEdits: 0,
				failed: 0,
				skippedOutOfScope: 0,
			},
			conflicts: [],
			openConflicts: [],
			failures: [],
			ambiguous: [],
			deletedOverEdits: [],
			warnings: [],
			unsafeCreates: [],
			plan: [],
			planTruncated: false,
			watermarks: {},
		};
	}

	get counts(): SyncCounts {
		return this.report.counts;
	}

	plan(item: PlanItem): void {
		if (this.report.plan.length < this.planLimit) this.report.plan.push(item);
		else this.report.planTruncated = true;
	}

	conflict(c: ConflictEntry): void {
		this.report.conflicts.push(c);
		this.report.counts.conflicts++;
		this.plan({ action: 'conflict', conflict: c });
	}

	settled(strategy: Strategy): void {
		this.report.counts.settledByRule++;
		const per = this.report.counts.settledByStrategy;
		per[strategy] = (per[strategy] ?? 0) + 1;
	}

	failure(f: SyncFailure): void {
		// A write handed to the workflow (Sync Plan) is no failure: its result comes back through Sync State.
		if (f.category === 'awaiting') return;
		this.report.failures.push(f);
		this.report.counts.failed++;
	}

	/**
	 * A create written ahead whose answer was lost (it stays pending, settled by its key next run): one warning line
	 * each, up to {@link LOST_CREATE_LINES} per side and code; past that, one line says how many more (a lost bulk
	 * job would otherwise add a line per record).
	 */
	lostCreate(to: Side, code: string, line: string): void {
		const key = `${to}\u0000${code}`;
		const group = this.lostCreates.get(key) ?? { to, code, lines: 0, more: 0 };
		this.lostCreates.set(key, group);
		if (group.lines < LOST_CREATE_LINES) {
			group.lines++;
			this.report.warnings.push(line);
		} else group.more++;
	}

	ambiguous(a: AmbiguousEntry): void {
		this.report.ambiguous.push(a);
		this.report.counts.ambiguous++;
	}

	finish(watermarks: Partial<Record<Side, Json>>): SyncReport {
		for (const g of this.lostCreates.values())
			if (g.more)
				this.report.warnings.push(
					`… and ${g.more} more creates on side ${g.to} whose answer was lost (${g.code}); the next run looks each up by its match key`,
				);
		const end = this.now();
		this.report.finishedAt = new Date(end).toISOString();
		this.report.durationMs = end - this.started;
		this.report.timings = this.stages.totals();
		this.report.watermarks = watermarks;
		return this.report;
	}
}

/** Categories a connector may give in an item error's `details.category` (its code alone may not tell). */
const GIVEN_CATEGORIES = new Set([
	'duplicate',
	'rateLimit',
	'notFound',
	'permission',
	'validation',
]);

/**
 * The failure category of a CRM error: the one the connector gave (`details.category`: Dataverse's codes are hex
 * numbers such as `0x80044331`, which name no category), else read from the code.
 */
export function failureCategory(code: string | undefined, message = '', details?: unknown): string {
	const c = (code ?? '').toUpperCase();
	const m = message.toLowerCase();
	if (c === 'OUTCOME_UNKNOWN') return 'outcomeUnknown';
	if (c === 'AWAITING_RESULT') return 'awaiting';
	const given = (details as { category?: unknown } | undefined)?.category;
	if (typeof given === 'string' && GIVEN_CATEGORIES.has(given)) return given;
	if (/DUPLICATE|CONFLICT|ALREADY_EXISTS|UNIQUE/.test(c) || /already exists|duplicate/.test(m))
		return 'duplicate';
	if (/RATE|LIMIT_EXCEEDED|TOO_MANY|429/.test(c)) return 'rateLimit';
	if (/NOT_FOUND|ENTITY_IS_DELETED|INVALID_CROSS_REFERENCE_KEY|NOTFOUND|OBJECT_NOT_FOUND/.test(c))
		return 'notFound';
	if (
		/PERMISSION|ACCESS|INSUFFICIENT|FORBIDDEN|UNAUTHORIZED|READ_ONLY|NOT_UPDATEABLE|NOT_CREATEABLE/.test(
			c,
		)
	)
		return 'permission';
	if (
		/REQUIRED|INVALID|VALIDATION|MALFORMED|STRING_TOO_LONG|BAD_VALUE|FIELD|TRANSFORM|PROPERTY/.test(
			c,
		)
	)
		return 'validation';
	return 'other';
}
