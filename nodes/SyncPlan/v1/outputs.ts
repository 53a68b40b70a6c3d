/**
 * Sync Plan's eight outputs from a plan: each planned write as the item its write node sends (`{ id, ...fields }`,
 * with the ticket under `_sync` for Sync State › Commit), the open conflicts as CRM Sync's Conflicts items, and one
 * item per input record that nothing is written for (why: unchanged, ambiguous, failed).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { PlannedWrite } from '../../../core/sync/blocks';
import type { SyncReport } from '../../../core/sync';
import type { Side } from '../../../core/sync/store/types';
import { conflictItem, type SideInfo } from '../../shared/crmSync/output';
import { SYNC_TICKET_KEY } from '../../shared/syncTicket';

export const OUTPUT_NAMES = [
	'Create in A',
	'Update in A',
	'Delete in A',
	'Create in B',
	'Update in B',
	'Delete in B',
	'Conflicts',
	'Unchanged',
];

const OPS = ['create', 'update', 'delete'] as const;

/** Where an input item came from: its input (0: A Records, 1: B Records) and index. */
export type Origin = Map<string, { input: number; item: number }>;

/** The input records (`side:id`) a write is planned for. */
function recordsOfWrite(w: PlannedWrite): string[] {
	const t = w.ticket;
	if (t.kind === 'pair') {
		const { aId, bId } = t.work.link;
		return [`a:${aId}`, `b:${bId}`, `${t.work.source.side}:${t.work.source.id}`];
	}
	if (t.kind === 'create') return [`${t.work.from}:${t.work.record.id}`];
	return [`${w.side}:${w.id}`, `${t.work.d.side}:${t.work.d.id}`];
}

export function planOutputs(
	syncId: string,
	report: SyncReport,
	writes: PlannedWrite[],
	sides: { a: SideInfo; b: SideInfo },
	inputs: Record<Side, string[]>,
	origin: Origin,
): INodeExecutionData[][] {
	const out: INodeExecutionData[][] = OUTPUT_NAMES.map(() => []);
	// Lineage: a write leads back to the input item of its source record (item 0 of A Records when none).
	const paired = (key: string) => {
		const o = origin.get(key);
		return o ? { item: o.item, input: o.input } : { item: 0 };
	};
	const written = new Set<string>();
	for (const w of writes) {
		const keys = recordsOfWrite(w);
		keys.forEach((k) => written.add(k));
		const source = keys.find((k) => origin.has(k)) ?? '';
		const json: IDataObject = {
			...(w.op === 'create' ? {} : { id: w.id }),
			...(w.fields as IDataObject),
			[SYNC_TICKET_KEY]: w.ticket as unknown as IDataObject,
		};
		out[(w.side === 'a' ? 0 : 3) + OPS.indexOf(w.op)].push({ json, pairedItem: paired(source) });
	}
	for (const c of report.openConflicts) {
		const key = c.aId !== undefined ? `a:${c.aId}` : `b:${c.bId}`;
		out[6].push({ json: conflictItem(syncId, c, sides), pairedItem: paired(key) });
	}
	const ambiguous = new Map(report.ambiguous.map((a) => [`${a.side}:${a.id}`, a.reason]));
	const failed = new Map(report.failures.map((f) => [`${f.side}:${f.recordId}`, f.message]));
	for (const side of ['a', 'b'] as const)
		for (const id of inputs[side]) {
			const key = `${side}:${id}`;
			if (written.has(key)) continue;
			const json: IDataObject = ambiguous.has(key)
				? { side, id, status: 'ambiguous', reason: ambiguous.get(key) }
				: failed.has(key)
					? { side, id, status: 'failed', reason: failed.get(key) }
					: { side, id, status: 'unchanged' };
			out[7].push({ json, pairedItem: paired(key) });
		}
	return out;
}
