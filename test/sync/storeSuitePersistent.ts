/** The store contract cases of stores whose state outlives the instance (SQLite file, PostgreSQL schema). */
import type { SyncStore } from '../../core/sync/store';
import { NewerSchemaError, SCHEMA_VERSION } from '../../core/sync/store';
import { failure, link, snapshot } from './storeData';
import type { StoreFixture } from './storeSuite';

interface Current {
	fixture: StoreFixture;
	store: SyncStore;
	another(): Promise<SyncStore>;
}

export function runPersistentCases(
	current: () => Current,
	makeStore: () => Promise<StoreFixture>,
): void {
	const fill = async (store: SyncStore) => {
		await store.commit('s1', {
			upsertLinks: [
				link('L1', { aId: 'a1', bId: 'b1', base: { f: 'v' } }),
				link('L2', { aId: 'a2', status: 'excluded' }),
			],
			upsertFailures: [failure('b', 'r1', { linkId: 'L1' })],
			meta: { watermarks: { a: 'w', b: 7 }, backfilled: { b: true }, info: { fp: 'x' } },
		});
		await store.putDecision('s1', {
			linkId: 'L1',
			field: 'f',
			decision: { value: 'kept' },
			decidedAt: 't',
		});
	};

	it('a new instance on the same database sees everything committed, and the held lock', async () => {
		const { store, another } = current();
		await fill(store);
		expect(await store.acquireLock('s1', 'o1', 60_000)).toBeDefined();
		const before = await snapshot(store);
		await store.close();
		const reopened = await another();
		expect(await snapshot(reopened)).toEqual(before);
		expect(before.links).toHaveLength(2);
		expect(await reopened.acquireLock('s1', 'o2', 60_000)).toBeUndefined();
		expect(await reopened.renewLock('s1', 'o1', 60_000)).toBe(true);
	});

	it('opening again migrates nothing and keeps the data (open is idempotent)', async () => {
		const { store, another } = current();
		await fill(store);
		const before = await snapshot(store);
		await store.open();
		for (let i = 0; i < 3; i++) {
			const s = await another();
			await s.close();
		}
		const s = await another();
		expect(await snapshot(s)).toEqual(before);
	});

	it('several instances opening an empty database at once all succeed and share one schema', async () => {
		const fresh = await makeStore();
		const stores = Array.from({ length: 4 }, () => fresh.newStore());
		try {
			await Promise.all(stores.map((s) => s.open()));
			await Promise.all(stores.map((s, i) => s.commit('s1', { upsertLinks: [link(`L${i}`, {})] })));
			for (const s of stores) expect(await s.countLinks('s1')).toBe(4);
		} finally {
			for (const s of stores) await s.close();
			await fresh.dispose();
		}
	});

	it('refuses to open a database whose schema is newer than the code knows, changing nothing', async () => {
		const { store, fixture } = current();
		await fill(store);
		const before = await snapshot(store);
		await fixture.bumpSchemaVersion!();
		const newer = fixture.newStore();
		const refused = newer.open();
		await expect(refused).rejects.toBeInstanceOf(NewerSchemaError);
		await expect(refused).rejects.toThrow(
			new RegExp(
				`schema version ${SCHEMA_VERSION + 1}, newer than .* knows \\(${SCHEMA_VERSION}\\)`,
			),
		);
		await newer.close();
		expect(await snapshot(store)).toEqual(before);
	});

	it('rolls a commit back when the database fails its last write (meta)', async () => {
		const { store, fixture } = current();
		await fill(store);
		const before = await snapshot(store);
		await fixture.failMetaWrites!();
		await expect(
			store.commit('s1', {
				upsertLinks: [link('L1', { aId: 'a1', base: { f: 'changed' } }), link('L9', {})],
				deleteLinks: ['L2'],
				upsertFailures: [failure('a', 'r9')],
				clearFailures: [{ side: 'b', recordId: 'r1' }],
				clearDecisions: [{ linkId: 'L1', field: 'f' }],
				meta: { watermarks: { a: 'w2' } },
			}),
		).rejects.toThrow(/injected/);
		expect(await snapshot(store)).toEqual(before);
		// a commit without meta still goes through
		await store.commit('s1', { deleteLinks: ['L2'] });
		expect(await store.countLinks('s1')).toBe(1);
	});
}
