/**
 * One engine scenario over each real store — MemorySyncStore, SqliteSyncStore (a temp file), PostgresSyncStore
 * (a schema of its own, dropped after) — against the simulators: a backfill whose run dies between a write and
 * its commit (the first commit after a write fails), the next run converging with no duplicate; a run with no
 * edits writing nothing (counted in the simulators' request logs); edits on both sides, again with a crash
 * between write and commit, then convergence. Records are counted per e-mail in the simulators: each exactly once per side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { PostgresSyncStore, SqliteSyncStore, type SyncStore } from '../../core/sync/store';
import { PG, adminPool, requirePostgres, testSchemaName } from './pg';
import { common, toSf, World, type Values } from './world';

const M = 24;
const world = new World();
const now = () => world.clock.now();
let admin: Pool;

interface StoreUnderTest {
	store: SyncStore;
	dispose(): Promise<void>;
}

const stores: Array<[string, () => Promise<StoreUnderTest>]> = [
	['memory', async () => ({ store: new MemorySyncStore(now), dispose: async () => undefined })],
	[
		'SQLite',
		async () => {
			const dir = mkdtempSync(join(tmpdir(), 'crm-sync-engine-'));
			const store = new SqliteSyncStore({ file: join(dir, 'state.sqlite'), now });
			return {
				store,
				dispose: async () => {
					await store.close();
					rmSync(dir, { recursive: true, force: true });
				},
			};
		},
	],
	[
		'PostgreSQL',
		async () => {
			const schema = testSchemaName();
			const store = new PostgresSyncStore({ connection: PG, schema });
			return {
				store,
				dispose: async () => {
					await store.close();
					await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				},
			};
		},
	],
];

const person = (i: number): Values => ({
	email: `s${i}@example.com`,
	lastname: `L${i}`,
	firstname: `F${i}`,
	jobtitle: `T${i}`,
	phone: `${200 + i}`,
});

beforeAll(async () => {
	await requirePostgres();
	admin = adminPool();
	await world.start();
});
afterAll(async () => {
	await world.stop();
	await admin?.end();
});

/** Exactly one record per e-mail on each side, with the model's values. */
function expectConverged(model: Map<string, Values>, what: string): void {
	for (const side of ['a', 'b'] as const) {
		const byEmail = new Map<string, Values[]>();
		for (const r of side === 'a' ? world.sfAll() : world.hsAll()) {
			const v = common(side, r.fields);
			byEmail.set(String(v.email), [...(byEmail.get(String(v.email)) ?? []), v]);
		}
		expect({ what, side, emails: [...byEmail.keys()].sort() }).toEqual({
			what,
			side,
			emails: [...model.keys()].sort(),
		});
		for (const [email, v] of model)
			expect({ what, side, got: byEmail.get(email) }).toEqual({ what, side, got: [v] });
	}
}

const writes = () => {
	const w = world.writeRequests();
	return w.sf + w.hs;
};

describe.each(stores)('the engine over the %s store', (_name, make) => {
	let sut: StoreUnderTest;
	beforeAll(async () => {
		world.reset();
		sut = await make();
		await sut.store.open();
	});
	afterAll(async () => sut.dispose());

	const config = () => world.config();

	it('backfill, echo-free rerun, edits both ways, a crash between write and commit: converges with no duplicate', async () => {
		const { store } = sut;
		const model = new Map<string, Values>();
		for (let i = 0; i < M; i++) {
			const p = person(i);
			model.set(p.email as string, p);
			if (i < (2 * M) / 3) world.sfInsert(toSf(p));
			if (i >= M / 3) world.hsInsert(p);
		}
		world.advance();

		// 1. the backfill dies between a write and its commit (the first commit after a write fails)
		const commit = store.commit.bind(store);
		const crashAfterNextWrite = () => {
			const atStart = writes();
			let crashed = false;
			store.commit = async (syncId, changes) => {
				if (!crashed && writes() > atStart) {
					crashed = true;
					throw new Error('crash between write and commit');
				}
				return commit(syncId, changes);
			};
			return atStart;
		};
		crashAfterNextWrite();
		await expect(
			runSync(config(), store, { now }).finally(() => {
				store.commit = commit;
			}),
		).rejects.toThrow('crash between write and commit');
		expect(world.hsAll().length).toBeGreaterThan(M - M / 3); // the creates reached HubSpot
		expect(await store.countLinks('contacts', 'pending')).toBeGreaterThan(0); // written ahead
		world.advance();
		const resumed = await runSync(config(), store, { now });
		expect(resumed.failures).toEqual([]);
		expectConverged(model, 'after the crashed backfill');
		expect(await store.countLinks('contacts', 'linked')).toBe(M);
		expect(await store.countLinks('contacts', 'pending')).toBe(0);

		// 2. no edits: nothing written to either CRM, no link rewritten
		world.advance();
		const before = writes();
		let linksWritten = 0;
		store.commit = async (syncId, changes) => {
			linksWritten += changes.upsertLinks?.length ?? 0;
			return commit(syncId, changes);
		};
		const quiet = await runSync(config(), store, { now }).finally(() => {
			store.commit = commit;
		});
		expect(writes()).toBe(before);
		expect(linksWritten).toBe(0);
		expect(quiet.counts.read.a + quiet.counts.read.b).toBeGreaterThan(0);

		// 3. edits on both sides and a new record on each; the first commit after a write fails
		world.advance();
		const idOf = (side: 'a' | 'b', email: string) =>
			(side === 'a'
				? world.sfAll().find((r) => r.fields.Email === email)
				: world.hsAll().find((r) => r.fields.email === email)
			)?.id as string;
		for (let i = 0; i < M; i += 4) {
			const email = person(i).email as string;
			if (i % 8 === 0) {
				world.sfEdit(idOf('a', email), { Title: `sf edit ${i}` });
				model.set(email, { ...(model.get(email) as Values), jobtitle: `sf edit ${i}` });
			} else {
				world.hsEdit(idOf('b', email), { lastname: `hs edit ${i}` });
				model.set(email, { ...(model.get(email) as Values), lastname: `hs edit ${i}` });
			}
		}
		const newA = { ...person(100), email: 'new-a@example.com' };
		const newB = { ...person(101), email: 'new-b@example.com' };
		world.sfInsert(toSf(newA));
		world.hsInsert(newB);
		model.set('new-a@example.com', newA);
		model.set('new-b@example.com', newB);
		world.advance();
		const atStart = crashAfterNextWrite();
		await expect(
			runSync(config(), store, { now }).finally(() => {
				store.commit = commit;
			}),
		).rejects.toThrow('crash between write and commit');
		expect(writes()).toBeGreaterThan(atStart);
		world.advance();
		const edited = await runSync(config(), store, { now });
		expect(edited.failures).toEqual([]);
		world.advance();
		await runSync(config(), store, { now });
		expectConverged(model, 'after the edits and the crashed commit');
		expect(await store.countLinks('contacts', 'linked')).toBe(M + 2);

		// 4. settled for good: one more run writes nothing
		world.advance();
		const settled = writes();
		await runSync(config(), store, { now });
		expect(writes()).toBe(settled);
	});
});
