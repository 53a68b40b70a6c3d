/**
 * Two runs of one sync started at the same moment against PostgreSQL, in this process through two
 * PostgresSyncStore instances (two pools, as two workers would have): one runs, the other exits with
 * SyncLockedError naming the holder (lockWaitMs 0) or waits and then runs an incremental that writes nothing.
 * Counted in the simulators: every record exists exactly once on each side.
 * The run holding the lock is held at its first CRM call until the other has given up or polled once, so the
 * runs really overlap (and should both ever get the lock, both are let through and the counts catch it).
 */
import type { Pool } from 'pg';
import type { CrmConnector } from '../../core/connectors/contract';
import { runSync, SyncLockedError, type SyncOptions } from '../../core/sync/engine';
import type { SyncReport } from '../../core/sync/report';
import { PostgresSyncStore } from '../../core/sync/store';
import { PG, adminPool, requirePostgres, testSchemaName } from './pg';
import { expectOnceEach, toSf, World, type Values } from './world';

const M = 30;
const world = new World();
const now = () => world.clock.now();
let admin: Pool;
let schema: string;
let stores: PostgresSyncStore[];

beforeAll(async () => {
	await requirePostgres();
	admin = adminPool();
	await world.start();
});
afterAll(async () => {
	await world.stop();
	await admin?.end();
});
beforeEach(async () => {
	world.reset();
	schema = testSchemaName();
	stores = [0, 1].map(() => new PostgresSyncStore({ connection: { ...PG, max: 3 }, schema }));
	for (const s of stores) await s.open();
});
afterEach(async () => {
	for (const s of stores) await s.close();
	await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

const person = (i: number): Values => ({
	email: `k${i}@example.com`,
	lastname: `L${i}`,
	firstname: `F${i}`,
	jobtitle: `T${i}`,
	phone: `${300 + i}`,
});

function seed(): Map<string, Values> {
	const model = new Map<string, Values>();
	for (let i = 0; i < M; i++) {
		const p = person(i);
		model.set(p.email as string, p);
		if (i < (2 * M) / 3) world.sfInsert(toSf(p));
		if (i >= M / 3) world.hsInsert(p);
	}
	world.advance();
	return model;
}

/**
 * Both runs' connectors: a run's first `describe` (its first CRM call after the lock) waits for `open`; writes
 * are counted per run.
 */
function gated() {
	let open!: () => void;
	const gate = new Promise<void>((resolve) => (open = resolve));
	let entered = 0;
	const firstOfRun = [true, true];
	const writes = [0, 0];
	const connectors = (run: number): [CrmConnector, CrmConnector] =>
		[world.salesforce(), world.hubspot()].map((c) => {
			const describe = c.describe.bind(c);
			c.describe = async (type) => {
				if (firstOfRun[run]) {
					firstOfRun[run] = false;
					if (++entered === 2) open(); // both runs past the lock: a bug, let them go and count
					await gate;
				}
				return describe(type);
			};
			const write = c.write.bind(c);
			c.write = async (op, type, inputs, options) => {
				writes[run] += inputs.length;
				return write(op, type, inputs, options);
			};
			return c;
		}) as [CrmConnector, CrmConnector];
	return { open, connectors, writes };
}

const configOf = ([a, b]: [CrmConnector, CrmConnector]) =>
	world.config({
		a: { connector: a, objectType: 'Contact' },
		b: { connector: b, objectType: 'contacts' },
	});

describe('two runs of one sync at once against PostgreSQL (two pools in one process)', () => {
	it('lockWaitMs 0: one runs, the other exits with SyncLockedError naming the holder; nothing doubled', async () => {
		const model = seed();
		const { open, connectors, writes } = gated();
		const runs = [0, 1].map((i) =>
			runSync(configOf(connectors(i)), stores[i], { now, owner: `worker-${i}`, lockWaitMs: 0 }),
		);
		const settled = runs.map((run) =>
			run.then(
				(report) => ({ report }),
				(error: Error) => {
					open();
					return { error };
				},
			),
		);
		const results = await Promise.all(settled);
		const failed = results.filter((r) => 'error' in r) as Array<{ error: Error }>;
		const done = results.filter((r) => 'report' in r) as Array<{ report: SyncReport }>;
		expect(failed).toHaveLength(1);
		expect(done).toHaveLength(1);
		const loser = results.findIndex((r) => 'error' in r);
		const winner = 1 - loser;
		expect(failed[0].error).toBeInstanceOf(SyncLockedError);
		expect((failed[0].error as SyncLockedError).holder).toBe(`worker-${winner}`);
		expect(failed[0].error.message).toMatch(
			new RegExp(
				`^Sync "contacts" is already running \\(locked by worker-${winner} until \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)`,
			),
		);
		expect(writes[loser]).toBe(0);
		expect(writes[winner]).toBeGreaterThan(0);
		expect(done[0].report.counts.created).toEqual({ a: M / 3, b: M / 3 });
		expectOnceEach(world, model);
		expect(await stores[loser].countLinks('contacts', 'linked')).toBe(M);
		expect(await stores[loser].lockHolder('contacts')).toBeUndefined(); // released at the end
	});

	it('lockWaitMs large: the second waits, then runs an incremental that writes nothing; nothing doubled', async () => {
		const model = seed();
		const { open, connectors, writes } = gated();
		const polls = [0, 0];
		const options = (i: number): SyncOptions => ({
			now,
			owner: `worker-${i}`,
			lockWaitMs: 10 * 60_000, // on the simulators' clock, which stands still: waits until the lock is free
			lockPollMs: 20,
			sleep: async (ms) => {
				polls[i]++;
				open(); // the waiter polled once: let the holder go on
				await new Promise((resolve) => setTimeout(resolve, ms));
			},
		});
		const reports = await Promise.all(
			[0, 1].map((i) => runSync(configOf(connectors(i)), stores[i], options(i))),
		);
		const waiter = polls[0] > 0 ? 0 : 1;
		const first = 1 - waiter;
		expect(polls[first]).toBe(0);
		expect(polls[waiter]).toBeGreaterThan(0);
		expect(reports[first].backfill).toEqual({ a: true, b: true });
		expect(reports[first].counts.created).toEqual({ a: M / 3, b: M / 3 });
		expect(reports[waiter].backfill).toEqual({ a: false, b: false });
		expect(reports[waiter].counts.created).toEqual({ a: 0, b: 0 });
		expect(reports[waiter].counts.updated).toEqual({ a: 0, b: 0 });
		expect(writes[waiter]).toBe(0);
		expect(writes[first]).toBeGreaterThan(0);
		expectOnceEach(world, model);
		expect(await stores[waiter].countLinks('contacts', 'linked')).toBe(M);
		// past the feeds' lag: a further run reads the first run's writes back and writes nothing
		world.advance();
		const before = world.writeRequests();
		const again = await runSync(world.config(), stores[waiter], { now });
		expect(again.counts.read.a + again.counts.read.b).toBeGreaterThan(0);
		expect(world.writeRequests()).toEqual(before);
		expectOnceEach(world, model);
	});
});
