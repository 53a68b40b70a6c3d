/**
 * The Dynamics 365 Trigger under faults, through n8n's poller (PollContext) against the Dataverse simulator on a
 * ManualClock (Dataverse's clock: its Date header, `modifiedon`, delta tokens, token lifetimes). Every poll is a new
 * PollContext given only what n8n keeps between polls — the static data and the stored credential (its access token)
 * — so there is an n8n restart between every two polls. A poll that fails saves nothing, as in n8n.
 *
 * Faults come from the simulator's fault injector (sandbox/kit/faults.ts), one per poll: 503 / 504 answers, 429 with
 * Retry-After, connections dropped before the request was read, answers lost after Dataverse built them, a slow
 * answer while a transaction stamped 30 s earlier commits, the access token expired, 500 on every attempt (the poll
 * fails), and rounds in which n8n does not poll at all. Counted per row: edits made and edits covered by an emitted
 * item (test/faults/ledger.ts) — each case ends with 0 lost and 0 emitted twice; deletions: each deleted row emitted
 * once. A delta token expired over an 8-day pause gives one resync item naming the unreadable span, even when the
 * first poll after the pause fails while restarting the feed.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../sandbox/dynamics';
import {
	ManualClock,
	SeededRandom,
	type FaultSpec,
	type Reply,
	type SandboxRequest,
} from '../../sandbox/kit';
import type { CredentialFixtures } from '../helpers/credentials';
import { nodeTypeName, runPoll } from '../helpers/engine';
import { credentials } from '../workflows/dynamics/helpers';
import { Ledger } from './ledger';

const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;
/** The default Safety Lag (60 s) and a second. */
const PAST_LAG = 61 * SECOND;

const clock = new ManualClock(Date.UTC(2026, 1, 10, 9, 0, 0));
const sim = new DynamicsSimulator({ clock, seed: 13, serviceProtection: false });
let c: DynamicsSimContract;

// "During a poll": runs once after the handler of the next matching request built its answer, before it is written.
const hooks: Array<{ match: (req: SandboxRequest, reply: Reply) => boolean; run: () => void }> = [];
sim.server.use(async (req, next) => {
	const reply = await next();
	const i = hooks.findIndex((h) => h.match(req, reply));
	if (i >= 0) hooks.splice(i, 1)[0].run();
	return reply;
});

beforeAll(async () => {
	c = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	hooks.length = 0;
	clearRateBudgets();
});

const trigger = (event: string): Partial<INode> & Pick<INode, 'type' | 'parameters'> => ({
	name: 'Dynamics 365 Trigger',
	type: nodeTypeName('dynamics365Trigger'),
	typeVersion: 1,
	parameters: {
		authentication: 'clientCredentials',
		table: 'contacts',
		event,
		fields: ['lastname'],
		options: {},
	},
	credentials: {
		crmDynamicsClientCredentialsApi: { id: 'dynamics-sandbox', name: 'Dynamics sandbox' },
	},
});

/** An activated trigger: each poll starts from the static data and the credential the last successful one left. */
class Trigger {
	private state: IDataObject = {};
	private creds: CredentialFixtures = credentials(c);
	readonly errors: string[] = [];
	constructor(private readonly event: string) {}

	/** The emitted rows, or null when the poll failed (its error kept in `errors`). */
	async poll(): Promise<IDataObject[] | null> {
		try {
			const run = await runPoll(trigger(this.event), {
				credentials: this.creds,
				staticData: this.state,
			});
			this.state = run.staticData;
			this.creds = run.credentials;
			return run.items.map((i) => i.json);
		} catch (error) {
			this.errors.push((error as Error).message);
			return null;
		}
	}
}

/** A fault armed before a poll, and how many requests it shaped (from the simulator's log). */
interface Fault {
	name: string;
	arm: () => void;
	hits: () => number;
	/** The poll is expected to fail. */
	fails?: boolean;
}
const add = (spec: FaultSpec) => void sim.faults.add(spec);
const status = (kind: string, s: number | number[]) => () => sim.log.count({ kind, status: s });
const list = { kinds: ['records.list'] };
const whoami = { kinds: ['whoami'] };

/** The faults of a poll, each used twice in a seeded order; `null` = n8n is down, no poll. */
function faults(ledger: Ledger, ids: string[]): Array<Fault | null> {
	const all: Fault[] = [
		{
			name: '503 on the rows read (twice)',
			arm: () => add({ type: 'serverError', status: 503, count: 2, match: list }),
			hits: status('records.list', 503),
		},
		{
			name: '504 gateway timeout on WhoAmI',
			arm: () => add({ type: 'serverError', status: 504, count: 1, match: whoami }),
			hits: status('whoami', 504),
		},
		{
			name: '429 with Retry-After 1 s (twice)',
			arm: () => add({ type: 'rateLimit', retryAfterSeconds: 1, count: 2, match: list }),
			hits: status('records.list', 429),
		},
		{
			name: 'connection dropped before WhoAmI was read',
			arm: () => add({ type: 'drop', when: 'beforeBody', count: 1, match: whoami }),
			hits: status('whoami', 0),
		},
		{
			name: 'answer of the rows read lost after Dataverse built it',
			arm: () => add({ type: 'drop', when: 'afterHandler', count: 1, match: list }),
			hits: status('records.list', 0),
		},
		{
			name: 'slow answer (1.5 s) while a transaction stamped 30 s earlier commits',
			arm: () => {
				// A row saved 2 s before the poll; a new row whose transaction took its stamp 30 s earlier commits after
				// the poll's read was answered. Only the safety lag keeps the poll from passing it.
				sim.updateDirect('contact', ids[1], { lastname: ledger.edit(ids[1]) });
				clock.advance(2 * SECOND);
				add({ type: 'slow', delayMs: 1500, count: 1, match: list });
				hooks.push({
					match: (req) => req.kind === 'records.list',
					run: () => {
						const now = clock.now();
						clock.set(now - 30 * SECOND);
						insert(ledger);
						clock.set(now);
					},
				});
			},
			hits: () => sim.log.entries().filter((e) => e.fault === 'slow').length,
		},
		{
			name: 'access token expired',
			arm: () => void sim.faults.expireTokens(),
			hits: () => sim.log.count({ status: 401 }),
		},
		{
			name: '500 on every attempt: the poll fails',
			arm: () => add({ type: 'serverError', status: 500, count: 20, match: list }),
			hits: status('records.list', 500),
			fails: true,
		},
	];
	return [...all, ...all, null, null];
}

/** The items in a seeded order. */
function shuffled<T>(rng: SeededRandom, items: T[]): T[] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = rng.int(0, i);
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}

function insert(ledger: Ledger): string {
	const id = sim.createDirect('contact', { lastname: Ledger.first }).id;
	ledger.edit(id);
	return id;
}

test('created and updated rows: a fault in every poll, a restart before every poll: every change emitted once', async () => {
	const ledger = new Ledger();
	const rng = new SeededRandom(17);
	const t = new Trigger('updated');
	sim.createDirect('contact', { lastname: 'before activation' });
	clock.advance(PAST_LAG);
	expect(await t.poll()).toEqual([]); // activation: the position is Dataverse's now minus the lag
	const ids = [insert(ledger), insert(ledger), insert(ledger)];
	const rounds = shuffled(rng, faults(ledger, ids));
	const failed: string[] = [];
	const see = (rows: IDataObject[] | null) => {
		for (const row of rows ?? []) ledger.see(String(row.id), row.lastname);
	};
	for (const fault of rounds) {
		if (rng.chance(0.5)) ids.push(insert(ledger));
		for (let k = rng.int(1, 3); k > 0; k--) {
			const id = rng.pick(ids);
			sim.updateDirect('contact', id, { lastname: ledger.edit(id) });
		}
		clock.advance(rng.pick([2 * SECOND, 30 * SECOND, PAST_LAG, 2 * PAST_LAG]));
		if (fault === null) continue; // n8n is down: no poll
		const before = fault.hits();
		fault.arm();
		const rows = await t.poll();
		sim.faults.clearFaults();
		// The fault shaped a request of this poll (and a transaction meant to commit during it did).
		expect({ fault: fault.name, hit: fault.hits() > before, hooks }).toEqual({
			fault: fault.name,
			hit: true,
			hooks: [],
		});
		if (rows === null) failed.push(fault.name);
		see(rows);
	}
	clock.advance(PAST_LAG);
	for (let i = 0; i < 5; i++) {
		const rows = await t.poll();
		see(rows);
		if (rows?.length === 0) break;
	}
	const report = ledger.report();
	console.log(
		`Dynamics 365 Trigger (updated), ${rounds.length} rounds with faults: ${JSON.stringify(report)}; ` +
			`${sim.log.count({ status: 401 })} × 401, ${sim.log.count({ kind: 'token' })} token requests; failed polls: ${failed.join(' | ')}`,
	);
	expect(report).toMatchObject({ lost: 0, twice: 0, unknown: 0 });
	expect(report.made).toBeGreaterThan(20);
	// Only the poll whose every attempt failed failed; transient faults cost retries, never a poll.
	expect(failed).toEqual([
		'500 on every attempt: the poll fails',
		'500 on every attempt: the poll fails',
	]);
	for (const message of t.errors) {
		expect(message).toMatch(/500|server/i);
		expect(message).not.toContain(c.clientSecret);
	}
	// Each expired token was refused once and renewed: one token request per expiry (+1 for the first poll).
	expect(sim.log.count({ kind: 'token' })).toBe(3);
}, 60_000);

test('deletions: faults and restarts, then an 8-day pause: each deletion once, one resync item naming the gap, even when the restart fails', async () => {
	const t = new Trigger('deleted');
	const ids = Array.from(
		{ length: 20 },
		(_, i) => sim.createDirect('contact', { lastname: `D${i}` }).id,
	);
	expect(await t.poll()).toEqual([]); // activation: a fresh delta token
	const emitted = new Map<string, number>();
	const notices: IDataObject[] = [];
	const see = (rows: IDataObject[] | null) => {
		for (const row of rows ?? []) {
			if (row.resync === true) notices.push(row);
			else emitted.set(String(row.id), (emitted.get(String(row.id)) ?? 0) + 1);
		}
	};
	const rounds: Array<Fault | null> = faults(new Ledger(), ids).filter(
		(f) => f === null || !f.name.startsWith('slow'),
	);
	let next = 0;
	const failed: string[] = [];
	for (const fault of shuffled(new SeededRandom(5), rounds)) {
		sim.deleteDirect('contact', ids[next++]);
		clock.advance(5 * SECOND);
		if (fault === null) continue;
		const before = fault.hits();
		fault.arm();
		const rows = await t.poll();
		sim.faults.clearFaults();
		// The fault shaped a request of this poll (and a transaction meant to commit during it did).
		expect({ fault: fault.name, hit: fault.hits() > before, hooks }).toEqual({
			fault: fault.name,
			hit: true,
			hooks: [],
		});
		if (rows === null) failed.push(fault.name);
		see(rows);
	}
	see(await t.poll());
	expect(failed).toEqual([
		'500 on every attempt: the poll fails',
		'500 on every attempt: the poll fails',
	]);
	expect(Object.fromEntries(emitted)).toEqual(
		Object.fromEntries(ids.slice(0, next).map((id) => [id, 1])),
	);

	// The pause: the last token was taken now; a deletion in the gap; 8 days later the token (and the access token) expired.
	const lastPoll = new Date(clock.now()).toISOString();
	const gap = ids[next++];
	sim.deleteDirect('contact', gap);
	clock.advance(8 * DAY);
	// The first poll after the pause finds the delta token expired, then fails restarting the feed (500s).
	hooks.push({
		match: (req, reply) => req.kind === 'records.list' && reply.status === 400,
		run: () => add({ type: 'serverError', status: 500, count: 20, match: list }),
	});
	const restarting = await t.poll();
	sim.faults.clearFaults();
	expect(hooks).toEqual([]);
	expect(restarting).toBeNull();
	expect(t.errors[t.errors.length - 1]).toMatch(/500|server/i);
	expect(notices).toEqual([]);
	// The next poll finds the same expired token and says so, once.
	const resync = await t.poll();
	see(resync);
	expect(resync).toEqual([
		expect.objectContaining({
			resync: true,
			reason: 'deletionFeedExpired',
			deletionsUnreadableFrom: lastPoll,
			deletionsUnreadableTo: new Date(clock.now()).toISOString(),
		}),
	]);
	const after = ids[next++];
	sim.deleteDirect('contact', after);
	clock.advance(SECOND);
	see(await t.poll());
	see(await t.poll());
	console.log(
		`Dynamics 365 Trigger (deleted): ${emitted.size} deletions emitted, ${[...emitted.values()].filter((n) => n > 1).length} twice, ` +
			`${notices.length} resync item; failed polls: ${failed.length + 1}; ${sim.log.count({ status: 401 })} × 401`,
	);
	expect(notices).toHaveLength(1);
	expect(emitted.get(gap)).toBeUndefined(); // unreadable: in the span the notice names
	expect(Object.fromEntries(emitted)).toEqual(
		Object.fromEntries([...ids.slice(0, next - 2), after].map((id) => [id, 1])),
	);
	// The access token expired over the pause too (its lifetime is an hour of Dataverse's clock): refused, renewed.
	expect(sim.log.count({ status: 401 })).toBeGreaterThanOrEqual(3);
}, 60_000);
