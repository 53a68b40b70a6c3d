/**
 * The contract every `SyncStore` keeps (see core/sync/store/types.ts), as one jest suite each store runs:
 * `runStoreSuite('SqliteSyncStore', makeFixture, { persistent: true })`.
 * Every case gets a fresh fixture (an empty database); the fixture hands out store instances on it.
 */
import type { SyncLink, SyncStore } from '../../core/sync/store';
import { all, failure, link, snapshot } from './storeData';
import { runConflictCases } from './storeSuiteConflicts';
import { runPersistentCases } from './storeSuitePersistent';
import { runRuleCases } from './storeSuiteRules';

export interface StoreFixture {
	/** A new store instance (not opened) on this fixture's database: every instance sees the same state. */
	newStore(): SyncStore;
	/** Lets `ms` pass on the stores' clock (a fake clock is advanced; a real one is waited for). */
	pass(ms: number): Promise<void>;
	/** Persistent stores: writes a schema version newer than the code knows into the database. */
	bumpSchemaVersion?(): Promise<void>;
	/** Persistent stores: makes every later write of `meta` fail inside the database (a failure mid-commit). */
	failMetaWrites?(): Promise<void>;
	/** Removes what the fixture made (file, schema). */
	dispose(): Promise<void>;
}

export interface StoreSuiteOptions {
	/** The state outlives the store instance (file, database): reopen, migration and schema cases run too. */
	persistent: boolean;
}

export function runStoreSuite(
	name: string,
	makeStore: () => Promise<StoreFixture>,
	options: StoreSuiteOptions,
): void {
	describe(`${name} (store contract)`, () => {
		let fixture: StoreFixture;
		let store: SyncStore;
		const opened: SyncStore[] = [];
		/** A further instance on the same state, opened. */
		const another = async (): Promise<SyncStore> => {
			const s = fixture.newStore();
			opened.push(s);
			await s.open();
			return s;
		};

		beforeEach(async () => {
			fixture = await makeStore();
			store = await another();
		});
		afterEach(async () => {
			for (const s of opened.splice(0)) await s.close();
			await fixture.dispose();
		});

		it('finds links by the ids of either side, with every field as committed', async () => {
			await store.commit('s1', {
				upsertLinks: [
					link('L1', {
						aId: 'a1',
						bId: 'b1',
						base: { email: 'x@y.z', n: 1.5, tags: ['t', null], o: { k: 'é✓' } },
					}),
					link('L2', {
						aId: 'a2',
						status: 'pending',
						pendingSide: 'b',
						pendingKey: { field: 'email', value: 'p@q' },
					}),
					link('L3', { bId: 'b3', status: 'excluded' }),
				],
			});
			const byA = await store.getLinksByIds('s1', 'a', ['a1', 'a2', 'aX', 'b1']);
			expect([...byA.keys()].sort()).toEqual(['a1', 'a2']);
			expect(byA.get('a1')).toMatchObject({
				linkId: 'L1',
				aId: 'a1',
				bId: 'b1',
				status: 'linked',
				base: { email: 'x@y.z', n: 1.5, tags: ['t', null], o: { k: 'é✓' } },
			});
			expect(byA.get('a1')?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
			expect(byA.get('a2')).toMatchObject({ linkId: 'L2', status: 'pending', pendingSide: 'b' });
			expect(byA.get('a2')?.pendingKey).toEqual({ field: 'email', value: 'p@q' });
			expect(byA.get('a2')?.bId).toBeUndefined();
			const byB = await store.getLinksByIds('s1', 'b', ['b1', 'b3', 'a1']);
			expect([...byB.keys()].sort()).toEqual(['b1', 'b3']);
			expect(byB.get('b3')).toMatchObject({ linkId: 'L3', status: 'excluded' });
			expect(byB.get('b3')?.aId).toBeUndefined();
			expect((await store.getLinksByIds('s1', 'a', [])).size).toBe(0);

			// replace by linkId: the old b id no longer finds it, the new one does; delete removes it
			await store.commit('s1', {
				upsertLinks: [link('L1', { aId: 'a1', bId: 'b9', base: { email: 'new' } })],
			});
			expect((await store.getLinksByIds('s1', 'b', ['b1'])).size).toBe(0);
			expect((await store.getLinksByIds('s1', 'b', ['b9'])).get('b9')?.base).toEqual({
				email: 'new',
			});
			await store.commit('s1', { deleteLinks: ['L1', 'nope'] });
			expect((await store.getLinksByIds('s1', 'a', ['a1'])).size).toBe(0);
			expect(await store.countLinks('s1')).toBe(2);
		});

		it('lists 2,500 links page by page in linkId order, reading each page when asked for', async () => {
			const ids = Array.from(
				{ length: 2500 },
				(_, i) => `L${String((i * 7919) % 2500).padStart(5, '0')}`,
			);
			await store.commit('s1', { upsertLinks: ids.map((id, i) => link(id, { aId: `a${i}` })) });
			const pages: SyncLink[][] = [];
			for await (const page of store.listLinks('s1', { pageSize: 1000 })) {
				pages.push(page);
				// written after the first page was read: a store paging through the table (not a snapshot) sees it
				if (pages.length === 1) await store.commit('s1', { upsertLinks: [link('Lzzz', {})] });
			}
			expect(pages.map((p) => p.length)).toEqual([1000, 1000, 501]);
			const listed = pages.flat().map((l) => l.linkId);
			expect(listed).toEqual([...ids, 'Lzzz'].sort());

			// code-point order (not a locale's): 'B' < '_' < 'a'
			await store.commit('s2', {
				upsertLinks: ['a', '_', 'B', 'b', 'A'].map((id) => link(id, {})),
			});
			expect((await all(store.listLinks('s2', { pageSize: 2 }))).map((l) => l.linkId)).toEqual([
				'A',
				'B',
				'_',
				'a',
				'b',
			]);
		});

		it('lists and counts links by status', async () => {
			const statuses: Array<SyncLink['status']> = ['linked', 'pending', 'excluded'];
			await store.commit('s1', {
				upsertLinks: Array.from({ length: 30 }, (_, i) =>
					link(`L${String(i).padStart(2, '0')}`, {
						status: statuses[i % 3],
						aId: `a${i}`,
						pendingSide: i % 3 === 1 ? 'b' : undefined,
					}),
				),
			});
			expect(await store.countLinks('s1')).toBe(30);
			expect(await store.countLinks('s1', 'pending')).toBe(10);
			expect(await store.countLinks('s1', 'excluded')).toBe(10);
			expect(await store.countLinks('other')).toBe(0);
			const pending = await all(store.listLinks('s1', { status: 'pending', pageSize: 3 }));
			expect(pending.map((l) => l.linkId)).toEqual(
				Array.from({ length: 10 }, (_, k) => `L${String(3 * k + 1).padStart(2, '0')}`),
			);
			expect(pending.every((l) => l.status === 'pending')).toBe(true);
		});

		it('upserts failures by side and record id, counts attempts as given, clears them', async () => {
			await store.commit('s1', {
				upsertFailures: [failure('a', 'r1', { linkId: 'L1' }), failure('b', 'r1', { code: 'DUP' })],
			});
			await store.commit('s1', {
				upsertFailures: [
					failure('a', 'r1', {
						attempts: 2,
						message: 'again',
						lastFailedAt: '2026-01-02T00:00:00.000Z',
					}),
				],
			});
			let failures = await all(store.listFailures('s1'));
			expect(failures).toHaveLength(2);
			const a = failures.find((f) => f.side === 'a');
			expect(a).toEqual(
				failure('a', 'r1', {
					attempts: 2,
					message: 'again',
					lastFailedAt: '2026-01-02T00:00:00.000Z',
				}),
			);
			expect(failures.find((f) => f.side === 'b')).toEqual(failure('b', 'r1', { code: 'DUP' }));
			await store.commit('s1', {
				clearFailures: [
					{ side: 'a', recordId: 'r1' },
					{ side: 'a', recordId: 'nope' },
				],
			});
			failures = await all(store.listFailures('s1'));
			expect(failures.map((f) => `${f.side}:${f.recordId}`)).toEqual(['b:r1']);

			// many failures: every one listed exactly once
			await store.commit('s1', {
				upsertFailures: Array.from({ length: 1200 }, (_, i) => failure(i % 2 ? 'a' : 'b', `r${i}`)),
			});
			const keys = (await all(store.listFailures('s1'))).map((f) => `${f.side}:${f.recordId}`);
			expect(keys).toHaveLength(1201);
			expect(new Set(keys).size).toBe(1201);
		});

		it('puts, replaces and (through commit) clears conflict decisions', async () => {
			await store.putDecision('s1', {
				linkId: 'L1',
				field: 'email',
				decision: { winner: 'a' },
				decidedAt: 't1',
			});
			await store.putDecision('s1', {
				linkId: 'L1',
				field: 'phone',
				decision: { value: { n: [1, 'x'] } },
				decidedAt: 't2',
			});
			await store.putDecision('s1', {
				linkId: 'L1',
				field: 'email',
				decision: { winner: 'b' },
				decidedAt: 't3',
			});
			const sorted = async () =>
				(await store.listDecisions('s1')).sort((x, y) => (x.field < y.field ? -1 : 1));
			expect(await sorted()).toEqual([
				{ linkId: 'L1', field: 'email', decision: { winner: 'b' }, decidedAt: 't3' },
				{ linkId: 'L1', field: 'phone', decision: { value: { n: [1, 'x'] } }, decidedAt: 't2' },
			]);
			await store.commit('s1', { clearDecisions: [{ linkId: 'L1', field: 'email' }] });
			expect((await sorted()).map((d) => d.field)).toEqual(['phone']);
		});

		it('merges meta shallowly: each given key replaces the stored one', async () => {
			expect(await store.getMeta('s1')).toEqual({ watermarks: {}, backfilled: {}, info: {} });
			await store.commit('s1', {
				meta: { watermarks: { a: '2026-01-01' }, info: { cfg: { x: 1, y: 2 }, n: 1 } },
			});
			await store.commit('s1', {
				meta: { watermarks: { b: { offset: 5 } }, backfilled: { a: true } },
			});
			await store.commit('s1', {
				meta: { watermarks: { a: '2026-02-01' }, info: { cfg: { x: 3 } } },
			});
			expect(await store.getMeta('s1')).toEqual({
				watermarks: { a: '2026-02-01', b: { offset: 5 } },
				backfilled: { a: true },
				info: { cfg: { x: 3 }, n: 1 },
			});
		});

		it('applies a commit that fails midway not at all (an invalid value late in the commit)', async () => {
			await store.commit('s1', {
				upsertLinks: [link('L1', { aId: 'a1', base: { v: 1 } }), link('L2', { aId: 'a2' })],
				upsertFailures: [failure('a', 'r1')],
				meta: { watermarks: { a: 'w1' } },
			});
			await store.putDecision('s1', {
				linkId: 'L1',
				field: 'f',
				decision: { winner: 'a' },
				decidedAt: 't',
			});
			const before = await snapshot(store);
			await expect(
				store.commit('s1', {
					upsertLinks: [link('L1', { aId: 'a1', base: { v: 2 } }), link('L3', { aId: 'a3' })],
					deleteLinks: ['L2'],
					upsertFailures: [failure('a', 'r2'), failure('c' as 'a', 'r3')],
					clearFailures: [{ side: 'a', recordId: 'r1' }],
					clearDecisions: [{ linkId: 'L1', field: 'f' }],
					meta: { watermarks: { a: 'w2' } },
				}),
			).rejects.toThrow();
			expect(await snapshot(store)).toEqual(before);
			// an invalid link among valid ones
			await expect(
				store.commit('s1', {
					upsertLinks: [
						link('L4', {}),
						link('L5', { status: 'bogus' as 'linked' }),
						link('L6', {}),
					],
				}),
			).rejects.toThrow();
			expect(await snapshot(store)).toEqual(before);
			// the store still commits afterwards
			await store.commit('s1', { deleteLinks: ['L2'] });
			expect(await store.countLinks('s1')).toBe(1);
		});

		it('keeps syncs apart, and reset forgets one sync entirely', async () => {
			for (const id of ['s1', 's2']) {
				await store.commit(id, {
					upsertLinks: [link('L1', { aId: `a-${id}` })],
					upsertFailures: [failure('a', 'r1', { message: id })],
					meta: { info: { who: id } },
				});
				await store.putDecision(id, {
					linkId: 'L1',
					field: 'f',
					decision: { winner: 'a' },
					decidedAt: id,
				});
				expect(await store.acquireLock(id, 'o1', 60_000)).toBeDefined();
			}
			expect((await store.getLinksByIds('s1', 'a', ['a-s2'])).size).toBe(0);
			expect((await store.getLinksByIds('s2', 'a', ['a-s2'])).size).toBe(1);
			expect((await store.getMeta('s2')).info).toEqual({ who: 's2' });
			expect((await all(store.listFailures('s1')))[0].message).toBe('s1');
			expect((await store.listDecisions('s2'))[0].decidedAt).toBe('s2');

			await store.reset('s1');
			expect(await store.countLinks('s1')).toBe(0);
			expect(await all(store.listLinks('s1'))).toEqual([]);
			expect(await all(store.listFailures('s1'))).toEqual([]);
			expect(await store.listDecisions('s1')).toEqual([]);
			expect(await store.getMeta('s1')).toEqual({ watermarks: {}, backfilled: {}, info: {} });
			expect(await store.acquireLock('s1', 'o2', 60_000)).toBeDefined();
			// s2 untouched
			expect(await snapshot(store, 's2')).toMatchObject({
				links: [{ linkId: 'L1' }],
				meta: { info: { who: 's2' } },
			});
			expect(await store.acquireLock('s2', 'o2', 60_000)).toBeUndefined();
		});

		it('holds the run lock for one owner; only the owner renews or releases it', async () => {
			const lease = await store.acquireLock('s1', 'o1', 60_000);
			expect(lease).toMatchObject({ syncId: 's1', owner: 'o1' });
			expect(typeof lease?.expiresAt).toBe('number');
			expect(await store.acquireLock('s1', 'o2', 60_000)).toBeUndefined();
			expect(await store.renewLock('s1', 'o2', 60_000)).toBe(false);
			await store.releaseLock('s1', 'o2'); // ignored
			expect(await store.acquireLock('s1', 'o2', 60_000)).toBeUndefined();
			expect(await store.renewLock('s1', 'o1', 60_000)).toBe(true);
			const again = await store.acquireLock('s1', 'o1', 120_000); // the holder taking it again extends it
			expect(again?.expiresAt).toBeGreaterThan(lease!.expiresAt);
			// another instance on the same state sees the lock
			const other = await another();
			expect(await other.acquireLock('s1', 'o3', 60_000)).toBeUndefined();
			await store.releaseLock('s1', 'o1');
			expect(await other.acquireLock('s1', 'o3', 60_000)).toMatchObject({ owner: 'o3' });
			expect(await store.renewLock('s1', 'o1', 60_000)).toBe(false);
			await expect(store.acquireLock('s2', 'o1', 0)).rejects.toThrow(/leaseMs/);
			await expect(store.renewLock('s1', 'o3', Number.NaN)).rejects.toThrow(/leaseMs/);
		});

		it('lets another owner take a lock whose lease expired; the old holder then lost it', async () => {
			const lease = await store.acquireLock('s1', 'o1', 50);
			expect(lease).toBeDefined();
			await fixture.pass(200);
			const taken = await store.acquireLock('s1', 'o2', 60_000);
			expect(taken).toMatchObject({ owner: 'o2' });
			expect(taken!.expiresAt).toBeGreaterThan(lease!.expiresAt);
			expect(await store.renewLock('s1', 'o1', 60_000)).toBe(false);
			await store.releaseLock('s1', 'o1'); // ignored: o2 holds it
			expect(await store.acquireLock('s1', 'o3', 60_000)).toBeUndefined();
		});

		it('commits 1,000 links in one commit (time printed, not asserted)', async () => {
			const links = Array.from({ length: 1000 }, (_, i) =>
				link(`L${String(i).padStart(4, '0')}`, {
					aId: `a${i}`,
					bId: `b${i}`,
					base: { email: `u${i}@x.org`, n: i, name: 'N' },
				}),
			);
			const started = performance.now();
			await store.commit('s1', { upsertLinks: links, meta: { watermarks: { a: 'w' } } });
			const ms = performance.now() - started;
			console.log(`${name}: commit of 1,000 links took ${ms.toFixed(1)} ms`);
			expect(await store.countLinks('s1')).toBe(1000);
			expect((await store.getLinksByIds('s1', 'b', ['b999'])).get('b999')?.base).toEqual({
				email: 'u999@x.org',
				n: 999,
				name: 'N',
			});
		});

		runRuleCases(() => ({ fixture, store, another }));
		runConflictCases(() => ({ fixture, store, another }));

		if (options.persistent) {
			runPersistentCases(() => ({ fixture, store, another }), makeStore);
		}
	});
}
