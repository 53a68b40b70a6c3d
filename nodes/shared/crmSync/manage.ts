/**
 * The CRM Sync operations besides "Run Sync", one input item at a time: Resolve Conflicts (a decision on an open
 * conflict, checked against the sync's open conflicts, stored for the next run to write), Exclude Records and
 * Include Records (core/sync/admin.ts). An item that cannot be carried out goes to the Failed output with the
 * reason — which field, and how to fix it —; the others to the first output, with what was done.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	conflictIdOf,
	excludeRecord,
	includeRecord,
	type ConflictDecision,
	type Json,
	type OpenConflict,
	type Side,
	type SyncStore,
} from '../../../core/sync';
import { toNodeError } from './errors';
import type { Operation } from './manage.description';
import { chooseStore } from './store';

/**
 * A problem with one item: a NodeOperationError with the item's index; the item goes to the Failed output and the
 * others go on (any other error fails the node).
 */
interface Item {
	ctx: IExecuteFunctions;
	i: number;
	json: IDataObject;
	problem(message: string): NodeOperationError;
}

const AFTER_APPROVAL = (field: string) => `{{ $('CRM Sync').item.json.${field} }}`;

/** A parameter of the item (an expression that fails is the item's problem). */
function param({ ctx, i, problem }: Item, name: string, label: string): unknown {
	try {
		return ctx.getNodeParameter(name, i, '');
	} catch (error) {
		throw problem(`${label}: ${(error as Error).message}`);
	}
}

function text(item: Item, name: string, label: string): string {
	const value = param(item, name, label);
	return value === undefined || value === null ? '' : String(value).trim();
}

/** The decision of an item. */
function decisionOf(item: Item): ConflictDecision['decision'] {
	const { json, problem } = item;
	const mode = text(item, 'decision', 'Decision');
	if (mode === 'a' || mode === 'b') return { winner: mode };
	if (mode === 'value') return { value: param(item, 'decisionValue', 'Value') as Json };
	if (mode !== 'fromItem')
		throw problem(
			`Decision: "${mode}" is not a decision — choose From the Item, Keep A, Keep B or Set a Value (in an expression: "fromItem", "a", "b" or "value")`,
		);
	const winner =
		json.winner === undefined || json.winner === null ? '' : String(json.winner).trim();
	const hasValue = json.value !== undefined;
	if (winner && hasValue)
		throw problem(
			'winner and value: both are set — set only one (winner "a" or "b" keeps that side\'s value; value is written to both sides)',
		);
	if (winner) {
		const side = winner.toLowerCase();
		if (side !== 'a' && side !== 'b')
			throw problem(
				`winner: "${winner}" is not a side — set winner to "a" (keep side A's value) or "b" (keep side B's value), or set value instead`,
			);
		return { winner: side };
	}
	if (hasValue) return { value: json.value as Json };
	throw problem(
		'winner: missing — set the item\'s winner field to "a" or "b" (e.g. with a Set node after the approval) or its value field, or choose Decision › Keep A, Keep B or Set a Value',
	);
}

/** What the operations need across items: the store, each sync's existence and open conflicts (read once). */
class Syncs {
	private readonly known = new Map<string, boolean>();
	private readonly open = new Map<string, Map<string, OpenConflict>>();
	constructor(readonly store: SyncStore) {}

	async check(syncId: string, problem: Item['problem']): Promise<void> {
		let known = this.known.get(syncId);
		if (known === undefined) {
			const meta = await this.store.getMeta(syncId);
			known = Object.keys(meta.watermarks).length > 0 || Object.keys(meta.info).length > 0;
			this.known.set(syncId, known);
		}
		if (!known)
			throw problem(
				`Sync ID "${syncId}": no sync with this ID has run on this state store — check Sync ID, and that State Store (and SQLite File) are the same as on the node that runs the sync`,
			);
	}

	async conflicts(syncId: string): Promise<Map<string, OpenConflict>> {
		let m = this.open.get(syncId);
		if (!m) {
			const list = await this.store.listConflicts(syncId);
			m = new Map(list.map((c) => [conflictIdOf(c.linkId, c.field), c]));
			this.open.set(syncId, m);
		}
		return m;
	}
}

async function resolveItem(item: Item, syncs: Syncs, syncId: string): Promise<IDataObject> {
	const { problem } = item;
	const conflictId = text(item, 'conflictId', 'Conflict ID');
	if (!conflictId)
		throw problem(
			`Conflict ID: empty — pass the items of the CRM Sync's Conflicts output (they carry conflictId), or set Conflict ID (after an approval node: ${AFTER_APPROVAL('conflictId')})`,
		);
	const conflict = (await syncs.conflicts(syncId)).get(conflictId);
	if (!conflict)
		throw problem(
			`Conflict ID "${conflictId}": not an open conflict of sync "${syncId}" — it was settled since (decided, its values agree again, or its record left the sync) or belongs to another sync; decide the conflicts of the latest run's Conflicts output`,
		);
	const decision = decisionOf(item);
	const decidedAt = new Date().toISOString();
	await syncs.store.putDecision(syncId, {
		linkId: conflict.linkId,
		field: conflict.field,
		decision,
		decidedAt,
	});
	return {
		syncId,
		conflictId,
		field: conflict.field,
		decision: decision as IDataObject,
		decidedAt,
		status: 'decided',
	};
}

async function recordItem(
	item: Item,
	syncs: Syncs,
	syncId: string,
	include: boolean,
): Promise<IDataObject> {
	const { problem } = item;
	const raw = text(item, 'side', 'Side');
	const side = raw.toLowerCase();
	if (side !== 'a' && side !== 'b')
		throw problem(
			`Side: "${raw}" is not a side — use "a" or "b" (the side field of a Failed item)`,
		);
	const recordId = text(item, 'recordId', 'Record ID');
	if (!recordId)
		throw problem(
			`Record ID: empty — pass the items of the CRM Sync's Failed output (they carry recordId), or set Record ID`,
		);
	const store = syncs.store;
	if (include) {
		const link = (await store.getLinksByIds(syncId, side, [recordId])).get(recordId);
		if (link?.status !== 'excluded')
			throw problem(
				`Record ID "${recordId}": the side ${side.toUpperCase()} record is not excluded from sync "${syncId}" — nothing to include`,
			);
		await includeRecord(store, syncId, side as Side, recordId);
	} else await excludeRecord(store, syncId, side as Side, recordId);
	return { syncId, side, recordId, status: include ? 'included' : 'excluded' };
}

/** Runs a management operation over the input items: [done, (no conflicts), failed]. */
export async function manage(
	ctx: IExecuteFunctions,
	operation: Exclude<Operation, 'sync'>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const done: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	const store = await chooseStore(ctx);
	await store.open();
	try {
		const syncs = new Syncs(store);
		for (let i = 0; i < items.length; i++) {
			const json = items[i].json;
			const pairedItem = { item: i };
			const item: Item = {
				ctx,
				i,
				json,
				problem: (message) => new NodeOperationError(ctx.getNode(), message, { itemIndex: i }),
			};
			try {
				const syncId = text(item, 'syncId', 'Sync ID');
				if (!syncId)
					throw item.problem(
						`Sync ID: empty — keep the syncId field of the CRM Sync's Conflicts / Failed items, or set Sync ID (after an approval node: ${AFTER_APPROVAL('syncId')})`,
					);
				await syncs.check(syncId, item.problem);
				const result =
					operation === 'resolveConflicts'
						? await resolveItem(item, syncs, syncId)
						: await recordItem(item, syncs, syncId, operation === 'includeRecords');
				done.push({ json: { ...json, ...result }, pairedItem });
			} catch (error) {
				if (!(error instanceof NodeOperationError)) throw toNodeError(ctx, error);
				failed.push({ json: { ...json, error: error.message }, pairedItem });
			}
		}
	} finally {
		await store.close();
	}
	return [done, [], failed];
}
