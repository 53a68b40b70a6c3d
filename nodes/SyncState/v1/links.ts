/**
 * Sync State › Look Up Links: the sync's id map and last-synced values. By Record: the link of the record each input
 * item names (one getLinksByIds call per sync and side, not one per item); every item ends on exactly one output —
 * Done (its link) or Failed (why there is none). All: every link of the sync (paged from the store), once per run.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Side, SyncLink, SyncStore } from '../../../core/sync/store/types';
import { chooseStore } from '../../shared/crmSync/store';

type Status = SyncLink['status'];

/** A sync has run on this store when it left watermarks or info (as the management operations check). */
async function hasRun(store: SyncStore, syncId: string): Promise<boolean> {
	const meta = await store.getMeta(syncId);
	return Object.keys(meta.watermarks).length > 0 || Object.keys(meta.info).length > 0;
}

const NEVER_RAN = (syncId: string) =>
	`Sync ID "${syncId}": no sync with this ID has run on this state store — check Sync ID (default: the workflow ID; set the Sync Plan's Sync ID when the lookup is in another workflow), and that State Store (and SQLite File) are the same as on the nodes that run the sync`;

/** A link as a Done item's json; `lastSynced` is the link's base, `{ <field pair key>: { a, b } }`. */
function linkJson(syncId: string, link: SyncLink): IDataObject {
	return {
		syncId,
		linkId: link.linkId,
		aId: link.aId ?? null,
		bId: link.bId ?? null,
		status: link.status,
		lastSynced: link.base as IDataObject,
		updatedAt: link.updatedAt ?? null,
	};
}

/** A text parameter of item `i`, or the item's problem (an expression that fails). */
function text(ctx: IExecuteFunctions, name: string, label: string, i: number): string {
	let value: unknown;
	try {
		value = ctx.getNodeParameter(name, i, '');
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `${label}: ${(error as Error).message}`, {
			itemIndex: i,
		});
	}
	return value === undefined || value === null ? '' : String(value).trim();
}

interface Asked {
	i: number;
	syncId: string;
	side: Side;
	recordId: string;
}

/** What item `i` asks for, or why it cannot be looked up. */
function askedOf(ctx: IExecuteFunctions, i: number): Asked | string {
	try {
		const syncId = text(ctx, 'syncId', 'Sync ID', i);
		if (!syncId) return 'Sync ID: empty — set the Sync ID of the Sync Plan / Sync State nodes';
		const raw = text(ctx, 'side', 'Side', i);
		const side = raw.toLowerCase();
		if (side !== 'a' && side !== 'b')
			return `Side: "${raw}" is not a side — use "a" or "b" (e.g. an expression that gives the side the record was read from)`;
		const recordId = text(ctx, 'recordId', 'Record ID', i);
		if (!recordId)
			return 'Record ID: empty — set it to the record ID on that side (default: the item\'s "id" field)';
		return { i, syncId, side, recordId };
	} catch (error) {
		return (error as Error).message;
	}
}

/** By Record: [Done, Failed]. */
async function byRecord(
	ctx: IExecuteFunctions,
	store: SyncStore,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[][]> {
	// Per input item (by index): its json and whether it goes to Failed.
	const out: Array<{ json: IDataObject; failed: boolean }> = [];
	const groups = new Map<string, Asked[]>();
	items.forEach((item, i) => {
		const asked = askedOf(ctx, i);
		if (typeof asked === 'string') {
			out[i] = { json: { ...item.json, error: asked }, failed: true };
			return;
		}
		const key = JSON.stringify([asked.syncId, asked.side]);
		const group = groups.get(key);
		if (group) group.push(asked);
		else groups.set(key, [asked]);
	});
	const ran = new Map<string, boolean>();
	for (const group of groups.values()) {
		const { syncId, side } = group[0];
		if (!ran.has(syncId)) ran.set(syncId, await hasRun(store, syncId));
		const links = ran.get(syncId)
			? await store.getLinksByIds(syncId, side, [...new Set(group.map((a) => a.recordId))])
			: new Map<string, SyncLink>();
		for (const { i, recordId } of group) {
			const link = links.get(recordId);
			if (link)
				out[i] = {
					json: { syncId, side, recordId, ...linkJson(syncId, link) },
					failed: false,
				};
			else
				out[i] = {
					json: {
						...items[i].json,
						error: ran.get(syncId)
							? `Record ID "${recordId}": the side ${side.toUpperCase()} record is not linked in sync "${syncId}" — it was never synced (not read by a run yet, or its partner not matched or created yet), or its link was removed (it or its partner was deleted); an excluded record would be found with status "excluded"`
							: NEVER_RAN(syncId),
					},
					failed: true,
				};
		}
	}
	const to = (failed: boolean) =>
		out.flatMap((o, i) => (o.failed === failed ? [{ json: o.json, pairedItem: { item: i } }] : []));
	return [to(false), to(true)];
}

/** All: one Done item per link (paired with item 0), up to Limit unless Return All. */
async function allLinks(ctx: IExecuteFunctions, store: SyncStore): Promise<INodeExecutionData[][]> {
	const syncId = text(ctx, 'syncId', 'Sync ID', 0);
	if (!syncId || !(await hasRun(store, syncId)))
		throw new NodeOperationError(
			ctx.getNode(),
			syncId
				? NEVER_RAN(syncId)
				: 'Sync ID: empty — set the Sync ID of the Sync Plan / Sync State nodes',
		);
	const status = String(ctx.getNodeParameter('linkStatus', 0, 'any'));
	const returnAll = ctx.getNodeParameter('returnAll', 0, false) as boolean;
	const limit = returnAll ? Infinity : (ctx.getNodeParameter('limit', 0, 50) as number);
	const done: INodeExecutionData[] = [];
	const options = status === 'any' ? {} : { status: status as Status };
	// Page by page (the store never holds every link in memory); the pages left are not read once Limit is reached.
	for await (const page of store.listLinks(syncId, options)) {
		for (const link of page) {
			if (done.length >= limit) break;
			done.push({ json: linkJson(syncId, link), pairedItem: { item: 0 } });
		}
		if (done.length >= limit) break;
	}
	return [done, []];
}

/** Look Up Links: [Done, Failed]. */
export async function getLinks(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const mode = ctx.getNodeParameter('mode', 0, 'byRecord') as string;
	const store = await chooseStore(ctx);
	await store.open();
	try {
		return mode === 'all'
			? await allLinks(ctx, store)
			: await byRecord(ctx, store, ctx.getInputData());
	} finally {
		await store.close();
	}
}
