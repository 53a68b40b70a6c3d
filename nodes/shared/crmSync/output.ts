/**
 * The items of a sync run as a person reads them in n8n's table or JSON view: each starts with a `summary`
 * sentence (what happened, which records, what to do), then the fields a workflow acts on.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { OpenConflictEntry, SyncReport } from '../../../core/sync';
import type { SyncFailure } from '../../../core/sync/store/types';
import { strategyOptions } from './mapping.description';
import { SYSTEM_LABEL, type System } from './sides.description';

export interface SideInfo {
	system: System;
	object: string;
}

const sideLabel = (side: SideInfo) => `${SYSTEM_LABEL[side.system]} ${side.object}`;

/** A value as it reads in a sentence: text quoted, blank as "(blank)". */
function shown(value: unknown): string {
	if (value === null || value === undefined || value === '') return '(blank)';
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return `"${text.length > 80 ? `${text.slice(0, 77)}…` : text}"`;
}

const STRATEGY_LABEL = new Map(strategyOptions.map((o) => [String(o.value), o.name]));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line over the run: sides, writes per side, conflicts, failures, and what stopped it doing more. */
export function reportSummary(report: SyncReport, sides: { a: SideInfo; b: SideInfo }): string {
	const { counts } = report;
	const a = sideLabel(sides.a);
	const b = sideLabel(sides.b);
	const perSide = (what: string, c: { a: number; b: number }) =>
		c.a + c.b ? [`${what} ${c.a} in ${a}, ${c.b} in ${b}`] : [];
	const writes = [
		...perSide(report.dryRun ? 'would create' : 'created', counts.created),
		...perSide(report.dryRun ? 'would update' : 'updated', counts.updated),
		...perSide(report.dryRun ? 'would delete' : 'deleted', counts.deleted),
		...perSide(report.dryRun ? 'would archive' : 'archived', counts.archived),
	];
	const parts = [
		`${report.dryRun ? 'Dry run (nothing written)' : 'Synced'} ${a} ↔ ${b}: ${writes.length ? writes.join('; ') : 'nothing to write'}`,
		`${plural(counts.read.a + counts.read.b, 'record')} read`,
		`${plural(report.openConflicts.length, 'open conflict')} (${counts.conflicts} new)`,
		`${plural(counts.failed, 'failed record')}`,
	];
	// Older reports (a stored run's JSON) have neither count: `?? 0`.
	if (counts.settledByRule) {
		const per = Object.entries(counts.settledByStrategy ?? {})
			.filter(([, n]) => n)
			.map(([s, n]) => `${STRATEGY_LABEL.get(s) ?? s} ${n}`);
		parts.push(
			`${plural(counts.settledByRule, 'conflict')} settled by rule${per.length ? ` (${per.join(', ')})` : ''}`,
		);
	}
	if (counts.deletedOverEdits)
		parts.push(
			`${plural(counts.deletedOverEdits, 'deletion')} won over edits of the partner (the edits were discarded; see warnings)`,
		);
	if (counts.ambiguous)
		parts.push(`${plural(counts.ambiguous, 'ambiguous match', 'ambiguous matches')}`);
	if (report.deleteGuard?.tripped) parts.push(`deletes held back: ${report.deleteGuard.reason}`);
	if (report.warnings.length) parts.push(plural(report.warnings.length, 'warning'));
	return `${parts.join(', ')}.`;
}

/** A Conflicts item: the summary, the ids to decide it, then both records and values. */
export function conflictItem(
	syncId: string,
	conflict: OpenConflictEntry,
	sides: { a: SideInfo; b: SideInfo },
): IDataObject {
	const { base, conflictId, ...c } = conflict;
	const record = (s: SideInfo, id: string | undefined) => `${sideLabel(s)}${id ? ` ${id}` : ''}`;
	const summary =
		`${c.fieldA} of ${record(sides.a, c.aId)} is ${shown(c.a)}, ${c.fieldB} of ${record(sides.b, c.bId)} is ${shown(c.b)}` +
		(base
			? ` (last synced: ${shown(base.a)} / ${shown(base.b)})`
			: ' (they differed when first paired)') +
		(c.decision
			? '. A decision is taken and written by the next run.'
			: '. Decide with a CRM Sync or Sync State node, Operation Resolve Conflicts: winner "a" or "b", or a value.');
	// `base` is left out when the pair differed at first link (no last-synced values), as before.
	return { syncId, conflictId, summary, ...c, ...(base ? { base } : {}) };
}

/** A Failed item: the summary (record, reason, what to do), then the ids to exclude it and the CRM's answer. */
export function failureItem(
	syncId: string,
	failure: SyncFailure,
	sides: { a: SideInfo; b: SideInfo },
): IDataObject {
	const side = failure.side === 'a' ? sides.a : sides.b;
	const other = failure.side === 'a' ? sides.b : sides.a;
	const summary =
		`${sideLabel(side)} ${failure.recordId} (side ${failure.side.toUpperCase()}) could not be synced to ${SYSTEM_LABEL[other.system]}` +
		` (${failure.category}, ${plural(failure.attempts, 'run')}): ${failure.message}. ` +
		'Fix the record or the mapping — it is retried on the next run — or take it out with a CRM Sync or Sync State node, Operation Exclude Records.';
	return { syncId, summary, ...failure };
}

/** The three outputs of a run, each item paired with the input item. */
export function runOutputs(
	syncId: string,
	report: SyncReport,
	sides: { a: SideInfo; b: SideInfo },
	extra: IDataObject,
): INodeExecutionData[][] {
	const { openConflicts, ...rest } = report;
	const paired = { pairedItem: { item: 0 } };
	const json = {
		summary: reportSummary(report, sides),
		sides: { a: sides.a, b: sides.b },
		...rest,
		openConflicts: openConflicts.length,
		...extra,
	} as unknown as IDataObject;
	return [
		[{ json, ...paired }],
		openConflicts.map((c) => ({ json: conflictItem(syncId, c, sides), ...paired })),
		report.failures.map((f) => ({ json: failureItem(syncId, f, sides), ...paired })),
	];
}
