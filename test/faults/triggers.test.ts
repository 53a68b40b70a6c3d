/**
 * Triggers and change reads under clock faults, through n8n's engine (PollContext for the triggers, WorkflowExecute for
 * the Changes / Get Changes operations) against the simulators, each on a ManualClock that is the CRM's clock (its
 * Date header and its record stamps). The n8n host's clock is faked separately (jest fake timers, Date only) and set
 * an hour ahead of or behind the CRM's. Every test counts, per record, the edits made and the edits covered by an
 * emitted item (an item showing that edit or a later one): lost = edits never covered, twice = the same record state
 * emitted more than once. Each case must end with 0 lost and 0 twice.
 *
 * Cases: host clock ±1 h; an edit committed during a poll (between the query's snapshot and its answer: a server
 * middleware runs after the handler has built the answer, before it is written, and moves the CRM's clock, so the
 * answer's Date is later); two edits of one record in one millisecond (with a poll between them); HubSpot's search
 * index lagging writes by 2 s (the simulator's searchIndexDelayMs).
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../sandbox';
import { ManualClock, SeededRandom, type Middleware, type SandboxRequest } from '../../sandbox/kit';
import type { SalesforceSimContract, SalesforceSimulator } from '../../sandbox/salesforce';
import { nodeTypeName, runPoll, runWorkflow, type WorkflowJson } from '../helpers/engine';
import { Ledger } from './ledger';
import {
	object,
	PASSWORD_CREDENTIAL,
	passwordCredentials,
	salesforceNode,
	SF_TRIGGER,
	startSimulator,
	workflowWith,
} from '../workflows/salesforce/helpers';

const HOUR = 3_600_000;
/** The defaults of the nodes (Salesforce 60 s, HubSpot 30 s), plus a margin: after this, a change is in a window. */
const SF_PAST_LAG = 62_000;
const HS_PAST_LAG = 33_000;
/** HubSpot's search index lag in the simulator. */
const INDEX_DELAY = 2_000;

// ---------------------------------------------------------------------------------------------------------------
// The host clock (Date only; timers, performance and the event loop stay real)

let hostSkew: number | undefined;
function fakeHostClock(skew: number): void {
	hostSkew = skew;
	jest.useFakeTimers({
		doNotFake: [
			'hrtime',
			'nextTick',
			'performance',
			'queueMicrotask',
			'requestAnimationFrame',
			'cancelAnimationFrame',
			'requestIdleCallback',
			'cancelIdleCallback',
			'setImmediate',
			'clearImmediate',
			'setInterval',
			'clearInterval',
			'setTimeout',
			'clearTimeout',
		],
	});
}
/** Keeps the host clock `skew` away from the CRM's clock (called before every poll). */
function syncHost(crm: ManualClock): void {
	if (hostSkew !== undefined) jest.setSystemTime(crm.now() + hostSkew);
}
afterEach(() => {
	if (hostSkew !== undefined) jest.useRealTimers();
	hostSkew = undefined;
});

// ---------------------------------------------------------------------------------------------------------------
// "During a poll": runs once after the handler of the next matching request built its answer, before it is written.

interface Pending {
	match: (req: SandboxRequest) => boolean;
	run: () => void;
	ran: number;
}
function duringAnswers(): {
	middleware: Middleware;
	next: (match: Pending['match'], run: Pending['run']) => Pending;
} {
	const queue: Pending[] = [];
	return {
		middleware: async (req, next) => {
			const reply = await next();
			const i = queue.findIndex((p) => p.match(req));
			if (i >= 0) {
				const [hook] = queue.splice(i, 1);
				hook.run();
				hook.ran++;
			}
			return reply;
		},
		next: (match, run) => {
			const hook = { match, run, ran: 0 };
			queue.push(hook);
			return hook;
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Simulators

const sfClock = new ManualClock(Date.UTC(2026, 0, 15, 9, 30, 0, 200));
const hsClock = new ManualClock(Date.UTC(2026, 0, 15, 9, 30, 0, 200));
let sf: SalesforceSimulator;
let sfContract: SalesforceSimContract;
const sfDuring = duringAnswers();
// Stamps as HubSpot gives them: two writes in one millisecond get the same one.
const hs = new HubSpotSimulator({
	rateLimits: false,
	clock: hsClock,
	strictTimestamps: false,
	searchIndexDelayMs: INDEX_DELAY,
});
let hsContract: HubSpotContract;
const hsDuring = duringAnswers();

beforeAll(async () => {
	({ sim: sf, contract: sfContract } = await startSimulator({ clock: sfClock }));
	sf.server.use(sfDuring.middleware);
	hsContract = await hs.start();
	hs.server.use(hsDuring.middleware);
});
afterAll(async () => {
	clearRateBudgets();
	await sf.stop();
	await hs.stop();
});
beforeEach(() => {
	sf.reset();
	hs.reset();
	hs.setSearchIndexDelay(INDEX_DELAY);
});

// ---------------------------------------------------------------------------------------------------------------
// Salesforce

const sfTrigger = (
	options: IDataObject = {},
): Partial<INode> & Pick<INode, 'type' | 'parameters'> => ({
	name: 'Salesforce Trigger',
	type: SF_TRIGGER,
	typeVersion: 1,
	parameters: {
		authentication: 'password',
		object: object('Contact'),
		event: 'updated',
		fieldNames: ['LastName'],
		options,
	} as INodeParameters,
	credentials: { [PASSWORD_CREDENTIAL]: { id: 'sf-test', name: 'Salesforce simulator' } },
});

/** One Salesforce trigger poll (as after an n8n restart: only the static data carries over); counts what it emits. */
async function sfPoll(
	ledger: Ledger,
	state: IDataObject,
	options?: IDataObject,
): Promise<{ state: IDataObject; emitted: number }> {
	syncHost(sfClock);
	const run = await runPoll(sfTrigger(options), {
		credentials: passwordCredentials(sfContract),
		staticData: state,
	});
	for (const item of run.items) ledger.see(String(item.json.Id), item.json.LastName);
	return { state: run.staticData, emitted: run.items.length };
}

/** Polls until a poll emits nothing (bounded). */
async function drain(
	poll: (state: IDataObject) => Promise<{ state: IDataObject; emitted: number }>,
	state: IDataObject,
): Promise<IDataObject> {
	for (let i = 0; i < 10; i++) {
		const run = await poll(state);
		state = run.state;
		if (run.emitted === 0) return state;
	}
	throw new Error('still emitting after 10 polls');
}

function sfInsert(ledger: Ledger): string {
	const id = sf.table('Contact').insert({ LastName: Ledger.first }).id;
	ledger.edit(id);
	return id;
}
function sfEdit(ledger: Ledger, id: string): void {
	sf.table('Contact').patch(id, { LastName: ledger.edit(id) });
}

const isQuery = (req: SandboxRequest) => req.kind === 'query';

describe('Salesforce Trigger', () => {
	it.each([
		['an hour ahead of', HOUR],
		['an hour behind', -HOUR],
	])('with the host clock %s Salesforce: every change emitted once', async (_label, skew) => {
		fakeHostClock(skew);
		const ledger = new Ledger();
		const rng = new SeededRandom(7);
		sf.table('Contact').insert({ LastName: 'before activation' });
		sfClock.advance(SF_PAST_LAG);
		let { state } = await sfPoll(ledger, {});
		const ids: string[] = [];
		for (let round = 0; round < 10; round++) {
			if (ids.length < 3 || rng.chance(0.5)) ids.push(sfInsert(ledger));
			for (let k = rng.int(1, 3); k > 0; k--) sfEdit(ledger, rng.pick(ids));
			sfClock.advance(rng.pick([300, 900, 15_000, 45_000, 61_000]));
			({ state } = await sfPoll(ledger, state));
		}
		sfClock.advance(SF_PAST_LAG);
		await drain((s) => sfPoll(ledger, s), state);
		const report = ledger.report();
		console.log(
			`Salesforce Trigger, host clock ${skew > 0 ? '+' : '-'}1 h: ${JSON.stringify(report)}`,
		);
		expect(report).toMatchObject({ lost: 0, twice: 0, unknown: 0 });
		expect(report.made).toBeGreaterThan(10);
	});

	it.each([
		[
			'the default safety lag, a transaction committed 30 s after its SystemModstamp',
			undefined,
			30_000,
		],
		[
			"safety lag 0, an edit committed between the query's snapshot and its answer in the next second",
			0,
			0,
		],
	])('with %s, during a poll: nothing lost', async (_label, lag, late) => {
		fakeHostClock(HOUR);
		const ledger = new Ledger();
		const options = lag === undefined ? {} : { safetyLagSeconds: lag };
		sfClock.advance(SF_PAST_LAG);
		let { state } = await sfPoll(ledger, {}, options);
		// Two records; the one with the smaller Id will be edited by the late transaction.
		const a = sfInsert(ledger);
		const b = sfInsert(ledger);
		expect(a < b).toBe(true);
		sfClock.advance(SF_PAST_LAG);
		({ state } = await sfPoll(ledger, state, options));
		expect(ledger.report().lost).toBe(0);
		// B is saved at x.800; A's transaction takes its SystemModstamp at x.850 too but commits only during the next
		// poll, `late` ms later, after the query's snapshot; the answer is dated in a later second.
		sfClock.advance(1000 - (sfClock.now() % 1000) + 800);
		const stamp = sfClock.now();
		sfEdit(ledger, b);
		sfClock.advance(late + 150);
		const hook = sfDuring.next(isQuery, () => {
			const now = sfClock.now();
			sfClock.set(stamp + 50);
			sfEdit(ledger, a);
			sfClock.set(now + 300);
		});
		({ state } = await sfPoll(ledger, state, options));
		expect(hook.ran).toBe(1);
		sfClock.advance(SF_PAST_LAG);
		await drain((s) => sfPoll(ledger, s, options), state);
		const report = ledger.report();
		console.log(
			`Salesforce Trigger, ${lag === undefined ? 'default lag' : `lag ${lag}`}, edit committed during a poll: ${JSON.stringify(report)}`,
		);
		expect(report).toMatchObject({ made: 4, lost: 0, twice: 0, unknown: 0 });
	});

	it('with two edits of one record in one millisecond, a poll between them: the later one is emitted, once', async () => {
		fakeHostClock(-HOUR);
		const ledger = new Ledger();
		sfClock.advance(SF_PAST_LAG);
		let { state } = await sfPoll(ledger, {});
		const x = sfInsert(ledger);
		const y = sfInsert(ledger);
		sfClock.advance(SF_PAST_LAG);
		sfEdit(ledger, x);
		sfEdit(ledger, y);
		({ state } = await sfPoll(ledger, state));
		sfEdit(ledger, x); // the same millisecond as the first edit of x
		sfClock.advance(SF_PAST_LAG);
		await drain((s) => sfPoll(ledger, s), state);
		const report = ledger.report();
		console.log(`Salesforce Trigger, two edits in one millisecond: ${JSON.stringify(report)}`);
		expect(report).toMatchObject({ made: 5, lost: 0, twice: 0, unknown: 0 });
	});

	it('Changes operation as a sync loop (watermark from run to run): host clock +1 h, an edit during a read, same-millisecond edits', async () => {
		fakeHostClock(HOUR);
		const ledger = new Ledger();
		let since = new Date(sfClock.now()).toISOString();
		const read = async (): Promise<number> => {
			syncHost(sfClock);
			const node = salesforceNode('SF', {
				resource: 'changes',
				operation: 'get',
				object: object('Contact'),
				event: 'updated',
				since,
				fieldNames: ['LastName'],
				maxChanges: 4,
			});
			const result = await runWorkflow(workflowWith('return [{}];', node), {
				credentials: passwordCredentials(sfContract),
			});
			expect(result.error).toBeUndefined();
			const items = result.json('SF') as Array<{
				id: string;
				watermark: string;
				record: { LastName: string };
			}>;
			for (const item of items) ledger.see(item.id, item.record.LastName);
			if (items.length) since = items[items.length - 1].watermark;
			return items.length;
		};
		const ids = [sfInsert(ledger), sfInsert(ledger), sfInsert(ledger)];
		sfClock.advance(900);
		await read();
		sfEdit(ledger, ids[2]);
		sfEdit(ledger, ids[2]); // same millisecond
		sfEdit(ledger, ids[0]);
		sfClock.advance(SF_PAST_LAG);
		// ids[2] is saved at x.y; ids[1] (a smaller Id) in the same second by a transaction that commits during the read.
		const stamp = sfClock.now();
		sfEdit(ledger, ids[2]);
		const hook = sfDuring.next(isQuery, () => {
			const now = sfClock.now();
			sfClock.set(stamp);
			sfEdit(ledger, ids[1]);
			sfClock.set(now + 1200);
		});
		await read();
		expect(hook.ran).toBe(1);
		sfClock.advance(SF_PAST_LAG);
		for (let i = 0; i < 10 && (await read()) > 0; i++);
		const report = ledger.report();
		console.log(`Salesforce Changes operation: ${JSON.stringify(report)}`);
		expect(report).toMatchObject({ made: 8, lost: 0, twice: 0, unknown: 0 });
	});
});

// ---------------------------------------------------------------------------------------------------------------
// HubSpot

const hsTrigger = (
	options: IDataObject = {},
): Partial<INode> & Pick<INode, 'type' | 'parameters'> => ({
	name: 'HubSpot CRM Trigger',
	type: nodeTypeName('hubSpotTrigger'),
	typeVersion: 1,
	parameters: {
		authentication: 'privateApp',
		objectType: 'contacts',
		event: 'createdOrUpdated',
		options: { properties: ['firstname'], ...options },
	},
	credentials: { crmHubSpotPrivateAppApi: { id: 'hubspot-sandbox', name: 'HubSpot sandbox' } },
});
const hsCredentials = () => ({
	crmHubSpotPrivateAppApi: { accessToken: hsContract.accessToken, baseUrl: hsContract.baseUrl },
});

async function hsPoll(
	ledger: Ledger,
	state: IDataObject,
	options?: IDataObject,
): Promise<{ state: IDataObject; emitted: number }> {
	syncHost(hsClock);
	const run = await runPoll(hsTrigger(options), {
		credentials: hsCredentials(),
		staticData: state,
	});
	for (const item of run.items)
		ledger.see(String(item.json.id), (item.json.properties as IDataObject).firstname);
	return { state: run.staticData, emitted: run.items.length };
}

let emailSeq = 0;
function hsInsert(ledger: Ledger): string {
	const id = hs
		.collection('contacts')
		.create({ email: `c${++emailSeq}@example.com`, firstname: Ledger.first }).id;
	ledger.edit(id);
	return id;
}
function hsEdit(ledger: Ledger, id: string): void {
	hs.collection('contacts').update(id, { firstname: ledger.edit(id) });
}
const isSearch = (req: SandboxRequest) => req.kind === 'search';

describe('HubSpot CRM Trigger', () => {
	it.each([
		['an hour ahead of', HOUR],
		['an hour behind', -HOUR],
	])(
		'with the host clock %s HubSpot and its search index 2 s behind: every change emitted once',
		async (_label, skew) => {
			fakeHostClock(skew);
			const ledger = new Ledger();
			const rng = new SeededRandom(11);
			hs.collection('contacts').create({
				email: 'before@example.com',
				firstname: 'before activation',
			});
			hsClock.advance(HS_PAST_LAG);
			let { state } = await hsPoll(ledger, {});
			const ids: string[] = [];
			for (let round = 0; round < 10; round++) {
				if (ids.length < 3 || rng.chance(0.5)) ids.push(hsInsert(ledger));
				for (let k = rng.int(1, 3); k > 0; k--) hsEdit(ledger, rng.pick(ids));
				hsClock.advance(rng.pick([1, 300, 1_500, 15_000, 31_000]));
				({ state } = await hsPoll(ledger, state));
			}
			hsClock.advance(HS_PAST_LAG);
			await drain((s) => hsPoll(ledger, s), state);
			const report = ledger.report();
			console.log(
				`HubSpot Trigger, host clock ${skew > 0 ? '+' : '-'}1 h: ${JSON.stringify(report)}`,
			);
			expect(report).toMatchObject({ lost: 0, twice: 0, unknown: 0 });
			expect(report.made).toBeGreaterThan(10);
		},
	);

	it('with an edit committed during a poll (between two search pages): nothing skipped, nothing twice', async () => {
		fakeHostClock(HOUR);
		const ledger = new Ledger();
		hsClock.advance(HS_PAST_LAG);
		let { state } = await hsPoll(ledger, {});
		// 250 changes: two search pages. Each stamped 1 ms apart.
		const ids: string[] = [];
		for (let i = 0; i < 250; i++) {
			ids.push(hsInsert(ledger));
			hsClock.advance(1);
		}
		hsClock.advance(HS_PAST_LAG);
		// After the first page's answer is built: the first record on it is edited (it leaves its place in the
		// results), and the index catches up before the second page is asked for.
		const hook = hsDuring.next(isSearch, () => {
			hsEdit(ledger, ids[0]);
			hsClock.advance(INDEX_DELAY + 500);
		});
		({ state } = await hsPoll(ledger, state));
		expect(hook.ran).toBe(1);
		hsClock.advance(HS_PAST_LAG);
		await drain((s) => hsPoll(ledger, s), state);
		const report = ledger.report();
		console.log(`HubSpot Trigger, edit committed during a poll: ${JSON.stringify(report)}`);
		expect(report).toMatchObject({ made: 251, emitted: 251, lost: 0, twice: 0, unknown: 0 });
	});

	it('with two edits of one record in one millisecond, a poll between them: the later one is emitted, once', async () => {
		fakeHostClock(HOUR);
		const ledger = new Ledger();
		hsClock.advance(HS_PAST_LAG);
		let { state } = await hsPoll(ledger, {});
		const x = hsInsert(ledger);
		const y = hsInsert(ledger);
		hsClock.advance(HS_PAST_LAG);
		hsEdit(ledger, x);
		hsEdit(ledger, y);
		hsClock.advance(INDEX_DELAY); // both first edits are searchable
		({ state } = await hsPoll(ledger, state));
		hsClock.set(hsClock.now() - INDEX_DELAY);
		hsEdit(ledger, x); // the same millisecond as the first edit of x, made while that edit was being indexed
		hsClock.advance(HS_PAST_LAG);
		await drain((s) => hsPoll(ledger, s), state);
		const report = ledger.report();
		console.log(`HubSpot Trigger, two edits in one millisecond: ${JSON.stringify(report)}`);
		expect(report).toMatchObject({ made: 5, lost: 0, twice: 0, unknown: 0 });
	});

	it('Get Changes as a sync loop (watermark from run to run): host clock -1 h, an edit during a read, same-millisecond edits', async () => {
		fakeHostClock(-HOUR);
		const ledger = new Ledger();
		let since = String(hsClock.now());
		const flow = (): WorkflowJson => ({
			nodes: [
				{
					id: 'a',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'b',
					name: 'HubSpot CRM',
					type: nodeTypeName('hubSpot'),
					typeVersion: 1,
					position: [200, 0],
					parameters: {
						authentication: 'privateApp',
						resource: 'record',
						operation: 'getChanges',
						objectType: 'contacts',
						since,
						options: { limit: 3, properties: ['firstname'] },
					},
					credentials: {
						crmHubSpotPrivateAppApi: { id: 'hubspot-sandbox', name: 'HubSpot sandbox' },
					},
				},
			],
			connections: { Start: { main: [[{ node: 'HubSpot CRM', type: 'main', index: 0 }]] } },
		});
		const read = async (): Promise<number> => {
			syncHost(hsClock);
			const result = await runWorkflow(flow(), { credentials: hsCredentials() });
			expect(result.error).toBeUndefined();
			const items = result.json('HubSpot CRM');
			for (const item of items)
				ledger.see(String(item.id), (item.properties as IDataObject).firstname);
			if (items.length) since = String(items[items.length - 1].watermark);
			return items.length;
		};
		const ids = [hsInsert(ledger), hsInsert(ledger), hsInsert(ledger), hsInsert(ledger)];
		hsClock.advance(HS_PAST_LAG);
		await read();
		hsEdit(ledger, ids[3]);
		hsEdit(ledger, ids[3]); // same millisecond
		hsEdit(ledger, ids[0]);
		hsClock.advance(HS_PAST_LAG);
		const hook = hsDuring.next(isSearch, () => {
			hsEdit(ledger, ids[1]);
			hsClock.advance(INDEX_DELAY + 500);
		});
		await read();
		expect(hook.ran).toBe(1);
		hsClock.advance(HS_PAST_LAG);
		for (let i = 0; i < 10 && (await read()) > 0; i++);
		const report = ledger.report();
		console.log(`HubSpot Get Changes operation: ${JSON.stringify(report)}`);
		expect(report).toMatchObject({ made: 8, lost: 0, twice: 0, unknown: 0 });
	});
});
