/**
 * The polling trigger through n8n's PollContext against the Salesforce simulator: several polls with
 * interleaved edits, static data passed from poll to poll as across n8n restarts; each change emitted once.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ManualClock } from '../../../sandbox/kit';
import type { SalesforceSimulator, SalesforceSimContract } from '../../../sandbox/salesforce';
import { runPoll } from '../../helpers/engine';
import {
	object,
	PASSWORD_CREDENTIAL,
	passwordCredentials,
	SF_TRIGGER,
	startSimulator,
} from './helpers';

let sim: SalesforceSimulator;
let contract: SalesforceSimContract;
/** The simulator's clock, and through its Date header the server time the trigger reads: the test moves it. */
const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 30, 0, 200));

beforeAll(async () => {
	({ sim, contract } = await startSimulator({ clock }));
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => sim.reset());

/**
 * Moves the server's clock into the next second: Salesforce timestamps have whole seconds, and the trigger
 * hands out a second's changes once that second is over by the server's clock.
 */
async function nextSecond(): Promise<void> {
	clock.advance(1000 - (clock.now() % 1000) + 5);
}

/** Safety lag 0: these tests look at second boundaries; test/faults/triggers.test.ts runs the default lag. */
const triggerNode = (event: string, options: IDataObject = { safetyLagSeconds: 0 }) => ({
	name: 'Salesforce Trigger',
	type: SF_TRIGGER,
	typeVersion: 1,
	parameters: {
		authentication: 'password',
		object: object('Contact'),
		event,
		fieldNames: ['LastName', 'Email'],
		options,
	} as INodeParameters,
	credentials: { [PASSWORD_CREDENTIAL]: { id: 'sf-test', name: 'Salesforce simulator' } },
});

describe('Salesforce Trigger', () => {
	it('emits each change exactly once over several polls with interleaved edits, across restarts', async () => {
		const contacts = sim.table('Contact');
		contacts.insert({ LastName: 'Before activation' });
		const credentials = passwordCredentials(contract);
		const node = triggerNode('updated', { maxPerPoll: 3, safetyLagSeconds: 0 });
		const emitted: string[] = [];
		const poll = async (staticData: IDataObject) => {
			const run = await runPoll(node, { credentials, staticData });
			for (const item of run.items)
				emitted.push(`${String(item.json.Id)}:${String(item.json.LastName)}`);
			return run;
		};

		await nextSecond();
		// Activation: nothing is emitted; the watermark starts at the newest existing change.
		let run = await poll({});
		expect(run.response).toBeNull();
		expect(run.nodeStaticData.watermark).toBeDefined();

		// Five new records (created in the same millisecond or not: the Id breaks ties), read 3 per poll.
		const created = Array.from(
			{ length: 5 },
			(_, i) => contacts.insert({ LastName: `New ${i}` }).id,
		);
		// Polled within the same second: nothing yet (the second is still open), the watermark stays.
		const early = await poll(run.staticData);
		expect(early.response).toBeNull();
		expect(early.nodeStaticData).toEqual(run.nodeStaticData);
		await nextSecond();
		run = await poll(run.staticData);
		expect(run.items).toHaveLength(3);
		// Edits land between two polls: of a record already emitted and of one not yet emitted.
		contacts.patch(created[0], { LastName: 'New 0 edited' });
		contacts.patch(created[4], { LastName: 'New 4 edited' });
		// Edited in the same second as the first poll: emitted only once that second is over.
		run = await poll(run.staticData);
		await nextSecond();
		run = await poll(run.staticData);
		run = await poll(run.staticData);
		// Nothing new: nothing emitted, the watermark stays.
		const quiet = await poll(run.staticData);
		expect(quiet.response).toBeNull();
		expect(quiet.nodeStaticData).toEqual(run.nodeStaticData);

		// A manual "fetch test event" run never moves the watermark.
		contacts.insert({ LastName: 'After manual' });
		await nextSecond();
		const manual = await runPoll(node, { credentials, staticData: run.staticData, mode: 'manual' });
		expect(manual.items.map((i) => i.json.LastName)).toEqual(['After manual']);
		expect(manual.staticData).toEqual(run.staticData);
		run = await poll(run.staticData);

		const byId = new Map<string, string[]>();
		for (const e of emitted) {
			const [id, name] = e.split(':');
			byId.set(id, [...(byId.get(id) ?? []), name]);
		}
		// Every change once: the 5 creations, the edit of an emitted record as a new change, the record edited
		// before it was emitted only in its latest state, the record created after the manual run.
		expect(byId.get(created[0])).toEqual(['New 0', 'New 0 edited']);
		for (const id of created.slice(1, 4)) expect(byId.get(id)).toHaveLength(1);
		expect(byId.get(created[4])).toEqual(['New 4 edited']);
		expect(emitted.filter((e) => e.endsWith(':After manual'))).toHaveLength(1);
		expect(emitted.some((e) => e.endsWith(':Before activation'))).toBe(false);
		expect(emitted).toHaveLength(7);
	});

	it('emits new records once; later edits of them are not new records', async () => {
		const contacts = sim.table('Contact');
		const credentials = passwordCredentials(contract);
		const node = triggerNode('created');
		await nextSecond();
		let run = await runPoll(node, { credentials });
		const a = contacts.insert({ LastName: 'Created A' }).id;
		await nextSecond();
		run = await runPoll(node, { credentials, staticData: run.staticData });
		expect(run.items.map((i) => i.json.Id)).toEqual([a]);
		contacts.patch(a, { LastName: 'Created A edited' });
		const b = contacts.insert({ LastName: 'Created B' }).id;
		await nextSecond();
		run = await runPoll(node, { credentials, staticData: run.staticData });
		expect(run.items.map((i) => i.json.Id)).toEqual([b]);
	});

	it('emits deleted records once', async () => {
		const contacts = sim.table('Contact');
		const ids = Array.from(
			{ length: 3 },
			(_, i) => contacts.insert({ LastName: `Doomed ${i}` }).id,
		);
		const credentials = passwordCredentials(contract);
		const node = triggerNode('deleted');
		await nextSecond();
		let run = await runPoll(node, { credentials });
		expect(run.response).toBeNull();
		contacts.remove(ids[1]);
		await nextSecond();
		run = await runPoll(node, { credentials, staticData: run.staticData });
		expect(run.items.map((i) => i.json.Id)).toEqual([ids[1]]);
		run = await runPoll(node, { credentials, staticData: run.staticData });
		expect(run.response).toBeNull();
	});

	it('a record created and edited before the next poll is new once, in its latest state; "updated" shows the same change once', async () => {
		const contacts = sim.table('Contact');
		const credentials = passwordCredentials(contract);
		const created = triggerNode('created');
		const updated = triggerNode('updated');
		await nextSecond();
		let runCreated = await runPoll(created, { credentials });
		let runUpdated = await runPoll(updated, { credentials });
		const a = contacts.insert({ LastName: 'Fresh' }).id;
		await nextSecond();
		contacts.patch(a, { LastName: 'Fresh edited' });
		await nextSecond();
		runCreated = await runPoll(created, { credentials, staticData: runCreated.staticData });
		runUpdated = await runPoll(updated, { credentials, staticData: runUpdated.staticData });
		expect(runCreated.items.map((i) => `${String(i.json.Id)}:${String(i.json.LastName)}`)).toEqual([
			`${a}:Fresh edited`,
		]);
		expect(runUpdated.items.map((i) => i.json.Id)).toEqual([a]);
		contacts.patch(a, { LastName: 'Fresh edited again' });
		await nextSecond();
		runCreated = await runPoll(created, { credentials, staticData: runCreated.staticData });
		runUpdated = await runPoll(updated, { credentials, staticData: runUpdated.staticData });
		expect(runCreated.response).toBeNull();
		expect(runUpdated.items.map((i) => i.json.LastName)).toEqual(['Fresh edited again']);
	});
});
