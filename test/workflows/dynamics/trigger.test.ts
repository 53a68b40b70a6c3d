/**
 * The Dynamics 365 Trigger through n8n's poller (PollContext) against the Dataverse simulator on a ManualClock: each
 * poll starts from only the static data the previous one left (what survives an n8n restart). Every create, update
 * and delete is emitted once; created/updated rows wait for the feed lag; a delta token that expired during an
 * 8-day pause restarts the deletion feed with one notice item and later deletions flow again; a manual "Fetch Test
 * Event" shows the latest rows.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { ManualClock } from '../../../sandbox/kit';
import { nodeTypeName, runPoll } from '../../helpers/engine';
import { credentials } from './helpers';

const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 30, 0));
const sim = new DynamicsSimulator({ clock, serviceProtection: false });
let c: DynamicsSimContract;
const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;
/** The default Safety Lag (60 s) and a second: a change older than that by Dataverse's clock is in the window. */
const PAST_LAG = 61 * SECOND;

beforeAll(async () => {
	c = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});

const trigger = (
	event: string,
	table = 'contacts',
	fields = ['lastname', 'emailaddress1'],
): Partial<INode> & Pick<INode, 'type' | 'parameters'> => ({
	name: 'Dynamics 365 Trigger',
	type: nodeTypeName('dynamics365Trigger'),
	typeVersion: 1,
	parameters: { authentication: 'clientCredentials', table, event, fields, options: {} },
	credentials: {
		crmDynamicsClientCredentialsApi: { id: 'dynamics-sandbox', name: 'Dynamics sandbox' },
	},
});

/** One activated trigger: polls carry the static data from one to the next; emissions are counted per row id. */
class Feed {
	staticData: IDataObject = {};
	readonly emitted = new Map<string, number>();
	readonly notices: IDataObject[] = [];
	constructor(private readonly event: string) {}

	async poll(): Promise<IDataObject[]> {
		const run = await runPoll(trigger(this.event), {
			credentials: credentials(c),
			staticData: this.staticData,
		});
		this.staticData = run.staticData;
		const rows = run.items.map((i) => i.json);
		for (const row of rows) {
			if (row.resync === true) this.notices.push(row);
			else this.emitted.set(String(row.id), (this.emitted.get(String(row.id)) ?? 0) + 1);
		}
		return rows;
	}
}

const ids = (rows: IDataObject[]) => rows.map((r) => String(r.id)).sort();
const contact = (n: string) =>
	sim.createDirect('contact', { lastname: n, emailaddress1: `${n.toLowerCase()}@example.com` }).id;

test('creates and updates are emitted once each over several polls and restarts, after the feed lag', async () => {
	const updated = new Feed('updated');
	const created = new Feed('created');
	expect(await updated.poll()).toEqual([]); // activation: the position is now
	expect(await created.poll()).toEqual([]);

	const [a, b, d] = ['A', 'B', 'D'].map(contact);
	clock.advance(10 * SECOND);
	// The rows exist in Dataverse, but are younger than the lag: nothing yet.
	expect(sim.collection('contact').get(a)).toBeDefined();
	expect(await updated.poll()).toEqual([]);
	expect(await created.poll()).toEqual([]);

	clock.advance(PAST_LAG);
	const first = await updated.poll();
	expect(ids(first)).toEqual([a, b, d].sort());
	expect(first.find((r) => r.id === a)).toMatchObject({
		lastname: 'A',
		emailaddress1: 'a@example.com',
	});
	expect(ids(await created.poll())).toEqual([a, b, d].sort());
	expect(await updated.poll()).toEqual([]);

	// An update and a deletion: the updated feed emits the update (not the deletion), the created feed neither.
	sim.updateDirect('contact', a, { lastname: 'A2' });
	sim.deleteDirect('contact', d);
	const e = contact('E');
	clock.advance(PAST_LAG);
	const second = await updated.poll();
	expect(ids(second)).toEqual([a, e].sort());
	expect(second.find((r) => r.id === a)?.lastname).toBe('A2');
	expect(ids(await created.poll())).toEqual([e]);
	for (let i = 0; i < 2; i++) {
		clock.advance(PAST_LAG);
		expect(await updated.poll()).toEqual([]);
		expect(await created.poll()).toEqual([]);
	}
	expect(Object.fromEntries(updated.emitted)).toEqual({ [a]: 2, [b]: 1, [d]: 1, [e]: 1 });
	expect(Object.fromEntries(created.emitted)).toEqual({ [a]: 1, [b]: 1, [d]: 1, [e]: 1 });
});

test('deletions are emitted once; an expired delta token after 8 days restarts the feed with one notice, later deletions flow', async () => {
	const deleted = new Feed('deleted');
	expect(await deleted.poll()).toEqual([]);
	const [x, y, z] = ['X', 'Y', 'Z'].map(contact);
	sim.deleteDirect('contact', x);
	clock.advance(SECOND);
	expect(await deleted.poll()).toEqual([{ id: x, contactid: x, deleted: true }]);
	expect(await deleted.poll()).toEqual([]);

	// The last poll before the pause took its token at this time (Dataverse's clock).
	const lastPoll = new Date(clock.now()).toISOString();
	sim.deleteDirect('contact', y);
	clock.advance(8 * DAY);
	const resync = await deleted.poll();
	expect(resync).toHaveLength(1);
	expect(resync[0]).toMatchObject({
		resync: true,
		reason: 'deletionFeedExpired',
		table: 'contacts',
		deletionsUnreadableFrom: lastPoll,
		deletionsUnreadableTo: new Date(clock.now()).toISOString(),
	});
	expect(String(resync[0].message)).toMatch(/could not be read.*full resync/);

	// The poll goes on from the new position: a later deletion once, the gap's deletion never.
	sim.deleteDirect('contact', z);
	clock.advance(SECOND);
	expect(await deleted.poll()).toEqual([{ id: z, contactid: z, deleted: true }]);
	expect(await deleted.poll()).toEqual([]);
	expect(Object.fromEntries(deleted.emitted)).toEqual({ [x]: 1, [z]: 1 });
	expect(deleted.notices).toHaveLength(1);
	expect(sim.collection('contact').get(y)).toBeUndefined(); // it was deleted — in the span the notice names
});

test('Fetch Test Event returns the latest rows and stores nothing', async () => {
	const names: string[] = [];
	for (let i = 0; i < 7; i++) {
		names.push(`Sample ${i}`);
		sim.createDirect('account', { name: `Sample ${i}` });
		clock.advance(SECOND);
	}
	const run = await runPoll(trigger('updated', 'accounts', ['name']), {
		credentials: credentials(c),
		mode: 'manual',
	});
	// The 5 most recently changed accounts, oldest first: the last five created.
	expect(run.items.map((i) => i.json.name)).toEqual(names.slice(2));
	expect(run.nodeStaticData).toEqual({});
	const deletions = await runPoll(trigger('deleted'), {
		credentials: credentials(c),
		mode: 'manual',
	});
	expect(deletions.response).toBeNull();
});
