/**
 * Sync Plan's input items as the engine's records. What our read nodes output: Salesforce Record › Get Many items
 * are flat (`Id`, `attributes`, fields), Changes › Get items carry `id` and `record`; HubSpot items carry `id` and
 * `properties` (objectJson). Deleted / archived items are left out: deletions come from the CRM's deletion feed,
 * which the engine reads itself. An item lacking a field the sync needs on its side (a read node set to return a
 * few fields) is read again by id by the core's planSync.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toRecord } from '../../../core/records/record';
import type { CrmRecord } from '../../../core/records/types';
import { SYNC_TICKET_KEY } from '../../shared/syncTicket';

const isObject = (v: unknown): v is IDataObject =>
	v !== null && typeof v === 'object' && !Array.isArray(v);

/** Left out: a deleted or archived record, or the empty item of a read node set to "Always Output Data". */
function skipped(json: IDataObject): boolean {
	if (Object.keys(json).length === 0) return true;
	const inner = isObject(json.record) ? json.record : {};
	return (
		json.deleted === true ||
		json.archived === true ||
		json.IsDeleted === true ||
		json.event === 'deleted' ||
		inner.IsDeleted === true
	);
}

/** The record's fields: HubSpot `properties`, Salesforce Changes' `record`, else the item itself. */
function fieldsOf(json: IDataObject): Record<string, unknown> {
	const source = isObject(json.properties)
		? json.properties
		: isObject(json.record)
			? json.record
			: json;
	const fields: Record<string, unknown> = { ...source };
	delete fields.attributes;
	delete fields[SYNC_TICKET_KEY];
	return fields;
}

/** Last modification time (for the Most Recent strategy), as the item tells it. */
function updatedAtOf(json: IDataObject, fields: Record<string, unknown>): string | undefined {
	for (const v of [
		json.updatedAt,
		fields.SystemModstamp,
		fields.LastModifiedDate,
		fields.hs_lastmodifieddate,
		fields.lastmodifieddate,
	])
		if (typeof v === 'string' && v.trim()) return v;
	return undefined;
}

export interface SideInput {
	/** The input's name, for messages. */
	input: string;
	items: INodeExecutionData[];
	system: string;
	objectType: string;
}

/** The records of one input, in item order (a record given twice: its last item). */
export function recordsOf(ctx: IExecuteFunctions, side: SideInput): CrmRecord[] {
	const byId = new Map<string, CrmRecord>();
	side.items.forEach(({ json }, i) => {
		if (skipped(json)) return;
		const raw = json.id ?? json.Id ?? (isObject(json.record) ? json.record.Id : undefined);
		const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
		if (!id)
			throw new NodeOperationError(
				ctx.getNode(),
				`${side.input}: item ${i} has no record id — give Sync Plan the items of a read node (they carry "id" or "Id"), e.g. Salesforce Changes › Get or HubSpot Record › Get Changes`,
				{ itemIndex: i },
			);
		const fields = fieldsOf(json);
		byId.delete(id);
		byId.set(
			id,
			toRecord(side.objectType, side.system, fields, {
				id,
				updatedAt: updatedAtOf(json, fields),
			}),
		);
	});
	// A record lacking a field the sync needs is read again by id in the core (blocks.ts), never taken as blank.
	return [...byId.values()];
}
