/**
 * Sync State's Read and Commit (core/sync/blocks.ts): Read tells where each side's changes start, once per run;
 * Commit replays each write node's result with its Sync Plan ticket into the state, in one commit. Every input item
 * of Commit ends on exactly one output: Done (what was committed, written or not) or Failed (no ticket: why).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Side } from '../../../core/sync/store/types';
import {
	asTicket,
	commitResults,
	readState,
	type Ticket,
	type WriteOutcome,
} from '../../../core/sync/blocks';
import { connectSide } from '../../shared/crmSync/sides';
import { chooseStore } from '../../shared/crmSync/store';

const syncIdOf = (ctx: IExecuteFunctions) =>
	String(ctx.getNodeParameter('syncId', 0, '') ?? '').trim();

/** Read: one item (paired with item 0) — `{ syncId, a: { since, backfill }, b: { since, backfill } }`. */
export async function read(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const sides: Record<
		Side,
		{ connector: Awaited<ReturnType<typeof connectSide>>['crm']; objectType: string }
	> = {
		a: {
			connector: (await connectSide(ctx, 'A')).crm,
			objectType: String(ctx.getNodeParameter('objectA', 0, '')),
		},
		b: {
			connector: (await connectSide(ctx, 'B')).crm,
			objectType: String(ctx.getNodeParameter('objectB', 0, '')),
		},
	};
	const store = await chooseStore(ctx);
	await store.open();
	try {
		const state = await readState({ syncId: syncIdOf(ctx), ...sides }, store);
		return [[{ json: state as unknown as IDataObject, pairedItem: { item: 0 } }], []];
	} finally {
		await store.close();
	}
}

const FIX =
	"Planned Write: set it to the ticket of the Sync Plan item this result comes from — {{ $('Sync Plan').item.json._sync }} with your Sync Plan node's name — and keep the lineage between them (write nodes, Merge in append mode)";

/** The ticket of item `i`, or why there is none. */
function ticketOf(ctx: IExecuteFunctions, i: number): Ticket | string {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter('plannedWrite', i, undefined);
	} catch (error) {
		return `${FIX} (${(error as Error).message})`;
	}
	if (typeof raw === 'string' && raw.trim().startsWith('{'))
		try {
			raw = JSON.parse(raw);
		} catch {
			// not JSON: no ticket
		}
	return (
		asTicket(raw) ??
		`${FIX} (it is ${raw === undefined || raw === '' ? 'empty' : 'not a Sync Plan ticket'})`
	);
}

/** A write node's output item as the write's outcome. */
function outcomeOf(json: IDataObject): WriteOutcome {
	if (json.error !== undefined) {
		const details = json.details as IDataObject | undefined;
		return { ok: false, code: String(details?.code ?? 'ERROR'), message: String(json.error) };
	}
	const id = json.id ?? json.Id;
	return { ok: true, ...(id === undefined || id === null ? {} : { id: String(id) }) };
}

/** The Done item of a committed result. */
function doneJson(ticket: Ticket, outcome: WriteOutcome): IDataObject {
	const op =
		ticket.kind === 'pair' ? 'update' : ticket.kind === 'create' ? 'create' : ticket.work.op;
	const target =
		ticket.kind === 'pair'
			? ticket.side === 'a'
				? ticket.work.link.aId
				: ticket.work.link.bId
			: ticket.kind === 'deletion'
				? ticket.work.input.id
				: undefined;
	const id = (outcome.ok ? outcome.id : undefined) ?? target;
	if (!outcome.ok) return { side: ticket.side, op, id, written: false, reason: outcome.message };
	if (op === 'create' && !outcome.id)
		return {
			side: ticket.side,
			op,
			written: false,
			reason:
				'the create node reported success without the new record\'s "id" — map the write node\'s output so its items keep "id"',
		};
	return { side: ticket.side, op, id, written: true };
}

/** Commit: [Done, Failed]. */
export async function commit(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const syncId = syncIdOf(ctx);
	const items = ctx.getInputData();
	const entries: Array<{ ticket: Ticket; outcome: WriteOutcome; i: number }> = [];
	const failed: INodeExecutionData[] = [];
	items.forEach(({ json }, i) => {
		const ticket = ticketOf(ctx, i);
		if (typeof ticket === 'string')
			failed.push({ json: { ...json, error: ticket }, pairedItem: { item: i } });
		else if (ticket.syncId !== syncId)
			failed.push({
				json: {
					...json,
					error: `Sync ID: the result was planned for sync "${ticket.syncId}", this node commits sync "${syncId}" — give Sync Plan and Sync State the same Sync ID`,
				},
				pairedItem: { item: i },
			});
		else entries.push({ ticket, outcome: outcomeOf(json), i });
	});
	if (entries.length) {
		const store = await chooseStore(ctx);
		await store.open();
		try {
			await commitResults(syncId, store, entries);
		} finally {
			await store.close();
		}
	}
	const done = entries.map(({ ticket, outcome, i }) => ({
		json: doneJson(ticket, outcome),
		pairedItem: { item: i },
	}));
	return [done, failed];
}
