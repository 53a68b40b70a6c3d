/**
 * Store contract cases on open conflicts (types.ts `OpenConflict`): upserted and cleared through `commit` (in the
 * same atomic commit as the page's links), listed by link and field, kept apart per sync, forgotten by `reset`.
 */
import type { OpenConflict, SyncStore } from '../../core/sync/store';
import { link, snapshot } from './storeData';
import type { StoreFixture } from './storeSuite';

interface Current {
	fixture: StoreFixture;
	store: SyncStore;
	another(): Promise<SyncStore>;
}

export function conflict(linkId: string, field: string, over: Partial<OpenConflict> = {}) {
	const c: OpenConflict = {
		linkId,
		field,
		fieldA: field.split('/')[0],
		fieldB: field.split('/')[1] ?? field,
		aId: `a-${linkId}`,
		bId: `b-${linkId}`,
		base: { a: 'old', b: 'old' },
		a: 'from A',
		b: 'from B',
		strategy: 'review',
		openSince: '2026-01-01T00:00:00.000Z',
		...over,
	};
	for (const key of Object.keys(c) as Array<keyof OpenConflict>)
		if (c[key] === undefined) delete c[key];
	return c;
}

export function runConflictCases(current: () => Current): void {
	it('upserts open conflicts with every value as committed, lists them by link and field, clears them', async () => {
		const { store, another } = current();
		await store.commit('s1', {
			upsertLinks: [link('L2', {}), link('L1', {})],
			upsertConflicts: [
				conflict('L2', 'Phone/phone', { a: 5, b: null }),
				conflict('L1', 'Title/jobtitle', {
					base: null,
					a: ['x', { k: 'é✓' }],
					b: true,
					aId: undefined,
					strategy: 'mostRecent',
				}),
				conflict('L1', 'FirstName/firstname'),
			],
		});
		const other = await another();
		const listed = await other.listConflicts('s1');
		expect(listed.map((c) => `${c.linkId} ${c.field}`)).toEqual([
			'L1 FirstName/firstname',
			'L1 Title/jobtitle',
			'L2 Phone/phone',
		]);
		expect(listed[0]).toEqual(conflict('L1', 'FirstName/firstname'));
		expect(listed[1]).toEqual(
			conflict('L1', 'Title/jobtitle', {
				base: null,
				a: ['x', { k: 'é✓' }],
				b: true,
				aId: undefined,
				strategy: 'mostRecent',
			}),
		);
		expect(listed[1].aId).toBeUndefined();
		expect(listed[2]).toEqual(conflict('L2', 'Phone/phone', { a: 5, b: null }));

		// replaced by link + field (the last of one commit wins); cleared before upserts in one commit
		await store.commit('s1', {
			upsertConflicts: [
				conflict('L1', 'FirstName/firstname', { a: 'first' }),
				conflict('L1', 'FirstName/firstname', { a: 'second', openSince: 'kept' }),
			],
			clearConflicts: [
				{ linkId: 'L2', field: 'Phone/phone' },
				{ linkId: 'L1', field: 'FirstName/firstname' },
				{ linkId: 'nope', field: 'x' },
			],
		});
		expect(await store.listConflicts('s1')).toEqual([
			conflict('L1', 'FirstName/firstname', { a: 'second', openSince: 'kept' }),
			listed[1],
		]);
		expect(await store.listConflicts('s2')).toEqual([]);
	});

	it('commits open conflicts atomically with the rest, keeps syncs apart, and reset forgets them', async () => {
		const { store } = current();
		await store.commit('s1', { upsertConflicts: [conflict('L1', 'f')] });
		await store.commit('s2', { upsertConflicts: [conflict('L1', 'f', { a: 's2' })] });
		const before = await snapshot(store);
		await expect(
			store.commit('s1', {
				upsertConflicts: [conflict('L2', 'f')],
				clearConflicts: [{ linkId: 'L1', field: 'f' }],
				upsertLinks: [link('L3', { status: 'bogus' as 'linked' })],
			}),
		).rejects.toThrow();
		// an invalid conflict refuses the whole commit (links included)
		await expect(
			store.commit('s1', {
				upsertLinks: [link('L4', {})],
				upsertConflicts: [conflict('L5', '')],
			}),
		).rejects.toThrow(/open conflict needs linkId and field/);
		await expect(
			store.commit('s1', {
				upsertLinks: [link('L4', {})],
				upsertConflicts: [conflict('L5', 'f', { a: 'x\u0000y' })],
			}),
		).rejects.toThrow(/NUL/);
		expect(await snapshot(store)).toEqual(before);
		expect(before.conflicts).toEqual([conflict('L1', 'f')]);

		await store.reset('s1');
		expect(await store.listConflicts('s1')).toEqual([]);
		expect(await store.listConflicts('s2')).toEqual([conflict('L1', 'f', { a: 's2' })]);
	});
}
