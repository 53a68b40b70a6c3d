/**
 * Store contract cases on the rules every store must keep alike (types.ts header): one record in one link at most
 * (the final state of a commit counts), valid link shapes, no NUL character, code-point order, the lock holder.
 */
import type { SyncStore } from '../../core/sync/store';
import { all, failure, link, snapshot } from './storeData';
import type { StoreFixture } from './storeSuite';

interface Current {
	fixture: StoreFixture;
	store: SyncStore;
	another(): Promise<SyncStore>;
}

export function runRuleCases(current: () => Current): void {
	const idsOf = async (store: SyncStore, side: 'a' | 'b', ids: string[]) =>
		Object.fromEntries(
			[...(await store.getLinksByIds('s1', side, ids))].map(([id, l]) => [id, l.linkId]),
		);

	it('refuses a commit that puts one record in two links, whole; ids may move between links within one commit', async () => {
		const { store } = current();
		await store.commit('s1', {
			upsertLinks: [link('L1', { aId: 'a1', bId: 'b1' }), link('L2', { aId: 'a2', bId: 'b2' })],
		});
		const before = await snapshot(store);
		// held by a link outside the commit (any status)
		for (const l of [
			link('L3', { aId: 'a1', bId: 'b3' }),
			link('L3', { bId: 'b1', status: 'excluded' }),
			link('L3', { aId: 'a2', status: 'pending' }),
		]) {
			await expect(
				store.commit('s1', { upsertLinks: [l], meta: { watermarks: { a: 'x' } } }),
			).rejects.toThrow(
				/[ab] record [ab][12] is already in link L[12]; a record is in one link at most/,
			);
		}
		// two links of the same commit
		await expect(
			store.commit('s1', {
				upsertLinks: [link('L4', { bId: 'b9' }), link('L5', { bId: 'b9', status: 'excluded' })],
			}),
		).rejects.toThrow(/b record b9 would be in two links \(L4 and L5\)/);
		expect(await snapshot(store)).toEqual(before);

		// a move: the receiving link comes first in the commit
		await store.commit('s1', {
			upsertLinks: [link('L2', { aId: 'a1', bId: 'b2' }), link('L1', { aId: 'a9', bId: 'b1' })],
		});
		expect(await idsOf(store, 'a', ['a1', 'a2', 'a9'])).toEqual({ a1: 'L2', a9: 'L1' });
		// a swap
		await store.commit('s1', {
			upsertLinks: [link('L1', { aId: 'a1', bId: 'b1' }), link('L2', { aId: 'a9', bId: 'b2' })],
		});
		expect(await idsOf(store, 'a', ['a1', 'a9'])).toEqual({ a1: 'L1', a9: 'L2' });
		// a deleted link's ids are free for a link of the same commit
		await store.commit('s1', {
			upsertLinks: [link('L6', { aId: 'a1', bId: 'b6' })],
			deleteLinks: ['L1'],
		});
		expect(await idsOf(store, 'a', ['a1'])).toEqual({ a1: 'L6' });
		expect(await idsOf(store, 'b', ['b1'])).toEqual({});
		// deletes apply before upserts: a link deleted and upserted in one commit stays (upserted)
		await store.commit('s1', {
			upsertLinks: [link('L2', { aId: 'a9', bId: 'b2', base: { v: 2 } })],
			deleteLinks: ['L2'],
			clearFailures: [{ side: 'a', recordId: 'r1' }],
			upsertFailures: [failure('a', 'r1', { code: 'KEPT' })],
		});
		expect((await store.getLinksByIds('s1', 'a', ['a9'])).get('a9')?.base).toEqual({ v: 2 });
		expect((await all(store.listFailures('s1'))).map((f) => f.code)).toEqual(['KEPT']);
		// the last of two upserts of one link wins
		await store.commit('s1', {
			upsertLinks: [link('L7', { aId: 'a7', bId: 'b7' }), link('L7', { aId: 'a8', bId: 'b8' })],
		});
		expect(await idsOf(store, 'a', ['a7', 'a8'])).toEqual({ a8: 'L7' });
		// another sync may hold the same ids
		await store.commit('s2', { upsertLinks: [link('L1', { aId: 'a1', bId: 'b1' })] });
		expect(await store.countLinks('s2')).toBe(1);
	});

	it('refuses links of an invalid shape: linked without both ids, pending without its key, unknown status', async () => {
		const { store } = current();
		const cases: Array<[ReturnType<typeof link>, RegExp]> = [
			[link('L1', { bId: undefined }), /linked link L1 needs both aId and bId/],
			[
				link('L1', { status: 'pending', pendingKey: undefined }),
				/needs pendingSide and pendingKey/,
			],
			[link('L1', { status: 'nope' as 'linked' }), /unknown status "nope"/],
			[link('', {}), /without linkId/],
		];
		for (const [l, message] of cases)
			await expect(store.commit('s1', { upsertLinks: [l] })).rejects.toThrow(message);
		await expect(
			store.commit('s1', { clearFailures: [{ side: 'c' as 'a', recordId: 'r' }] }),
		).rejects.toThrow(/side must be 'a' or 'b'/);
		expect(await store.countLinks('s1')).toBe(0);
	});

	it('refuses the NUL character anywhere in a commit or decision, saying where; reads for such an id find nothing', async () => {
		const { store } = current();
		await store.commit('s1', { upsertLinks: [link('L1', { aId: 'a1' })] });
		const before = await snapshot(store);
		const nul = 'x\u0000y';
		const refused: Array<[Parameters<SyncStore['commit']>[1], RegExp]> = [
			[{ upsertLinks: [link('L2', { base: { f: nul } })] }, /upsertLinks\[0\]\.base\.f contains/],
			[{ upsertLinks: [link('L2', { aId: nul })] }, /upsertLinks\[0\]\.aId contains/],
			[{ upsertLinks: [link(nul, {})] }, /upsertLinks\[0\]\.linkId contains/],
			[{ upsertFailures: [failure('a', 'r', { message: nul })] }, /message contains/],
			[{ meta: { info: { [nul]: 1 } } }, /info \(a key\) contains/],
			[{ meta: { watermarks: { a: [nul] } } }, /watermarks\.a\[0\] contains/],
		];
		for (const [changes, where] of refused) {
			const error = await store.commit('s1', changes).then(
				() => new Error('accepted'),
				(e: Error) => e,
			);
			expect(error.message).toMatch(where);
			expect(error.message).toMatch(
				/the NUL character \(U\+0000\), which the sync state cannot store/,
			);
		}
		await expect(
			store.putDecision('s1', {
				linkId: 'L1',
				field: nul,
				decision: { winner: 'a' },
				decidedAt: 't',
			}),
		).rejects.toThrow(/putDecision\.field contains the NUL character/);
		expect(await snapshot(store)).toEqual(before);
		expect((await store.getLinksByIds('s1', 'a', [`a1\u0000`, 'a1'])).size).toBe(1);
	});

	it('lists links in code-point order, also past the Basic Multilingual Plane', async () => {
		const { store } = current();
		// UTF-16 code units would put U+1F600 (a surrogate pair) before U+FFFD; code points put it after
		const ids = ['\u{1F600}', '\uFFFD', 'z', 'é', '\u{10000}a', '\u{10000}'];
		await store.commit('s1', { upsertLinks: ids.map((id) => link(id, {})) });
		const listed = (await all(store.listLinks('s1', { pageSize: 2 }))).map((l) => l.linkId);
		expect(listed).toEqual(['z', 'é', '\uFFFD', '\u{10000}', '\u{10000}a', '\u{1F600}']);
	});

	it('says who holds the lock and until when, after renewals too, from every instance', async () => {
		const { store, another, fixture } = current();
		expect(await store.lockHolder!('s1')).toBeUndefined();
		const lease = await store.acquireLock('s1', 'o1', 60_000);
		const other = await another();
		expect(await other.lockHolder!('s1')).toEqual(lease);
		expect(await store.renewLock('s1', 'o1', 600_000)).toBe(true);
		const renewed = await other.lockHolder!('s1');
		expect(renewed?.owner).toBe('o1');
		// the stored expiry is the renewal's (store clock: at least 540 s later than the first lease's)
		expect(renewed!.expiresAt - lease!.expiresAt).toBeGreaterThanOrEqual(540_000);
		expect(await other.acquireLock('s1', 'o2', 60_000)).toBeUndefined();
		expect(await other.lockHolder!('s1')).toEqual(renewed);
		await store.releaseLock('s1', 'o1');
		expect(await other.lockHolder!('s1')).toBeUndefined();
		await store.acquireLock('s1', 'o3', 50);
		expect((await other.lockHolder!('s1'))?.owner).toBe('o3');
		await fixture.pass(200);
		expect(await other.lockHolder!('s1')).toBeUndefined(); // expired: nobody holds it
		expect(await store.lockHolder!('s2')).toBeUndefined();
	});
}
