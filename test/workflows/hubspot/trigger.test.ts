/**
 * The HubSpot CRM Trigger through n8n's poller (PollContext) against the simulator: over several polls, each with only
 * the static data the previous one left (what survives an n8n restart), every change is emitted exactly once; a manual
 * "Fetch Test Event" shows recent changes and moves nothing.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { HubSpotConnector } from '../../../core/connectors/hubspot/connector';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import { ManualClock } from '../../../sandbox/kit';
import { nodeTypeName, runPoll } from '../../helpers/engine';

/** HubSpot's clock (its Date header and record stamps): the trigger's windows end by it, so the test moves it. */
const clock = new ManualClock(Date.UTC(2026, 0, 15, 9, 30, 0, 200));
const sim = new HubSpotSimulator({ rateLimits: false, clock });
let contract: HubSpotContract;
let hub: HubSpotConnector;

beforeAll(async () => {
	contract = await sim.start();
	hub = new HubSpotConnector({
		baseUrl: contract.baseUrl,
		accessToken: contract.accessToken,
		rateLimit: false,
	});
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});

const trigger = (
	event = 'createdOrUpdated',
): Partial<INode> & Pick<INode, 'type' | 'parameters'> => ({
	name: 'HubSpot CRM Trigger',
	type: nodeTypeName('hubSpotTrigger'),
	typeVersion: 1,
	// Safety lag 0 here (the window ends at HubSpot's current second); test/faults/triggers.test.ts runs the default.
	parameters: {
		authentication: 'privateApp',
		objectType: 'contacts',
		event,
		options: { indexingDelay: 0, properties: ['email', 'firstname'] },
	},
	credentials: { crmHubSpotPrivateAppApi: { id: 'hubspot-sandbox', name: 'HubSpot sandbox' } },
});
const credentials = () => ({
	crmHubSpotPrivateAppApi: { accessToken: contract.accessToken, baseUrl: contract.baseUrl },
});
/** HubSpot's clock moves on a little (the next write gets a later stamp). */
const tick = async () => {
	clock.advance(5);
};
/** HubSpot's clock moves into a later second: changes so far are before the window's end (Date header second). */
const nextSecond = () => clock.advance(1000 - (clock.now() % 1000) + 1005);

async function upsert(emails: string[], firstname: string): Promise<void> {
	const { results } = await hub.batchUpsert(
		'contacts',
		emails.map((email) => ({ id: email, properties: { firstname } })),
		{ idProperty: 'email' },
	);
	expect(results.every((r) => r.ok)).toBe(true);
	nextSecond();
}

/**
 * Polls until a poll emits nothing, each poll starting from the static data the previous one left. (The simulator
 * stamps a batch's records one millisecond apart, so the last ones of a large batch can be "in the future" for a poll
 * right after it: the trigger leaves changes newer than its poll time to the next poll.)
 */
async function drain(
	staticData: IDataObject,
): Promise<{ items: Array<{ json: IDataObject }>; staticData: IDataObject; polls: number }> {
	const items: Array<{ json: IDataObject }> = [];
	for (let polls = 1; polls <= 20; polls++) {
		const poll = await runPoll(trigger(), { credentials: credentials(), staticData });
		staticData = poll.staticData;
		if (poll.response === null) return { items, staticData, polls };
		items.push(...poll.items);
		clock.advance(50);
	}
	throw new Error('the trigger kept emitting changes for 20 polls');
}

const emailsOf = (items: Array<{ json: IDataObject }>) =>
	items.map((i) => String((i.json.properties as IDataObject).email));

it('emits each change exactly once over several polls and restarts', async () => {
	await upsert(['before@example.com'], 'Old');
	// First poll of a newly active workflow: starts watching from now, emits nothing.
	const p1 = await runPoll(trigger(), { credentials: credentials() });
	expect(p1.response).toBeNull();
	expect(p1.nodeStaticData.cursor).toBeDefined();
	await tick();

	await upsert(['a@example.com', 'b@example.com', 'c@example.com'], 'New');
	const p2 = await runPoll(trigger(), { credentials: credentials(), staticData: p1.staticData });
	expect(emailsOf(p2.items).sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);

	const p3 = await runPoll(trigger(), { credentials: credentials(), staticData: p2.staticData });
	expect(p3.response).toBeNull();

	// An update of an existing contact and 250 new ones (more than one search page).
	const burst = Array.from({ length: 250 }, (_, i) => `burst${i}@example.com`);
	await upsert(['b@example.com'], 'Changed');
	await upsert(burst, 'Burst');
	const p4 = await drain(p3.staticData);
	const emitted = emailsOf(p4.items);
	expect(emitted).toHaveLength(251);
	expect(new Set(emitted).size).toBe(251);
	expect(emitted).toContain('b@example.com');
	expect(
		p4.items.find((i) => (i.json.properties as IDataObject).email === 'b@example.com')?.json
			.properties,
	).toMatchObject({ firstname: 'Changed' });

	// "Fetch Test Event" in the editor: shows recent changes, saves nothing.
	const manual = await runPoll(trigger(), {
		credentials: credentials(),
		staticData: p4.staticData,
		mode: 'manual',
	});
	expect(manual.items.length).toBeGreaterThan(0);
	expect(manual.staticData).toEqual(p4.staticData);

	// After a restart (only static data survives): nothing is emitted again, the next change is.
	const p5 = await runPoll(trigger(), { credentials: credentials(), staticData: p4.staticData });
	expect(p5.response).toBeNull();
	await upsert(['a@example.com'], 'Again');
	const p6 = await runPoll(trigger(), { credentials: credentials(), staticData: p5.staticData });
	expect(emailsOf(p6.items)).toEqual(['a@example.com']);
	const all = [...p2.items, ...p4.items, ...p6.items].map(
		(i) => `${String(i.json.id)}@${String(i.json.updatedAt)}`,
	);
	expect(new Set(all).size).toBe(all.length);
	console.log(
		`trigger: ${5 + p4.polls} polls emitted ${all.length} changes (3 + 251 + 1), none twice; the manual run moved nothing`,
	);
});

it('with "Record Created", an update of an existing record is not emitted', async () => {
	nextSecond(); // past the previous test's last stamps
	const p1 = await runPoll(trigger('created'), { credentials: credentials() });
	await tick();
	await upsert(['a@example.com'], 'Updated only');
	await upsert(['fresh@example.com'], 'Fresh');
	const p2 = await runPoll(trigger('created'), {
		credentials: credentials(),
		staticData: p1.staticData,
	});
	expect(emailsOf(p2.items)).toEqual(['fresh@example.com']);
});

it('starts over from "now" when the watched object changes, and honours Start From on a first poll', async () => {
	const contactsState = (await runPoll(trigger(), { credentials: credentials() })).staticData;
	const companies = {
		...trigger(),
		parameters: { ...trigger().parameters, objectType: 'companies' },
	};
	const switched = await runPoll(companies, {
		credentials: credentials(),
		staticData: contactsState,
	});
	expect(switched.response).toBeNull();
	expect(switched.nodeStaticData).toMatchObject({
		objectType: 'companies',
		property: 'hs_lastmodifieddate',
	});
	const since = new Date(clock.now() - 60_000).toISOString();
	const fromStart = {
		...trigger(),
		parameters: { ...trigger().parameters, options: { indexingDelay: 0, startFrom: since } },
	};
	const first = await runPoll(fromStart, { credentials: credentials() });
	expect(first.items.length).toBeGreaterThan(250);
	const bad = {
		...trigger(),
		parameters: { ...trigger().parameters, options: { startFrom: 'yesterday-ish' } },
	};
	await expect(runPoll(bad, { credentials: credentials() })).rejects.toThrow(
		/Start From "yesterday-ish" is not a date/,
	);
});

it('reads the cursor stored before the change poller ({ timestamp, ids }): resumes there, stores the new watermark', async () => {
	nextSecond();
	const p1 = await runPoll(trigger(), { credentials: credentials() });
	await tick();
	await upsert(['legacy-a@example.com'], 'Legacy');
	await tick();
	await upsert(['legacy-b@example.com'], 'Legacy');
	const p2 = await runPoll(trigger(), { credentials: credentials(), staticData: p1.staticData });
	expect(emailsOf(p2.items)).toEqual(['legacy-a@example.com', 'legacy-b@example.com']);
	const [a, b] = p2.items.map((i) => ({
		id: String(i.json.id),
		stamp: Date.parse(String((i.json.properties as IDataObject).lastmodifieddate)),
	}));
	expect(a.stamp).toBeLessThan(b.stamp);
	// What the trigger stored before the change poller, with a emitted and b not yet.
	const nodeKey = Object.keys(p2.staticData).find((k) => k.startsWith('node:')) as string;
	const legacy = {
		...p2.staticData,
		[nodeKey]: {
			objectType: 'contacts',
			property: 'lastmodifieddate',
			cursor: { timestamp: a.stamp, ids: [a.id] },
		},
	};
	const p3 = await runPoll(trigger(), { credentials: credentials(), staticData: legacy });
	expect(emailsOf(p3.items)).toEqual(['legacy-b@example.com']);
	// The connector's watermark (the archived position is not read by this event's feed).
	expect(p3.nodeStaticData.cursor).toMatchObject({ modifiedAt: b.stamp, modifiedIds: [b.id] });
	expect(p2.nodeStaticData.cursor).toMatchObject({ modifiedAt: b.stamp, modifiedIds: [b.id] });
	const p4 = await runPoll(trigger(), { credentials: credentials(), staticData: p3.staticData });
	expect(p4.response).toBeNull();
});
