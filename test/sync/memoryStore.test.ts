/**
 * What only MemorySyncStore has: reads and commits are copies (a caller mutating an object never changes the
 * store), the lease on its injected clock to the millisecond, and `lockOf`. The store contract it shares with the
 * SQL stores runs in store.memory.test.ts.
 */
import { MemorySyncState, MemorySyncStore } from '../../core/sync/store/memory';
import type { SyncLink } from '../../core/sync/store/types';

const link = (n: number, over: Partial<SyncLink> = {}): SyncLink => ({
	linkId: `l${String(n).padStart(3, '0')}`,
	status: 'linked',
	aId: `a${n}`,
	bId: `b${n}`,
	base: { f: { a: n, b: n } },
	...over,
});

describe('MemorySyncStore', () => {
	let t = 1_000;
	const store = () => new MemorySyncStore(() => t);
	beforeEach(() => {
		t = 1_000;
	});

	it('hands out copies and keeps copies: mutating a result or a committed object changes nothing stored', async () => {
		const s = store();
		const committed = link(1);
		await s.commit('s', { upsertLinks: [committed], meta: { info: { o: { k: 1 } } } });
		(committed.base as Record<string, unknown>).f = 'mutated after commit';
		const got = await s.getLinksByIds('s', 'b', ['b1']);
		(got.get('b1') as SyncLink).base.f = 'mutated';
		((await s.getMeta('s')).info.o as Record<string, unknown>).k = 2;
		expect((await s.getLinksByIds('s', 'a', ['a1'])).get('a1')?.base).toEqual({
			f: { a: 1, b: 1 },
		});
		expect((await s.getMeta('s')).info).toEqual({ o: { k: 1 } });
		expect((await s.getLinksByIds('s', 'a', ['a1'])).get('a1')?.updatedAt).toBe(
			new Date(1000).toISOString(),
		);
	});

	it('the lease on the injected clock: expiresAt is now + lease, held up to it, free after; lockOf says who', async () => {
		const shared = new MemorySyncState();
		const s = new MemorySyncStore(() => t, shared);
		const other = new MemorySyncStore(() => t, shared);
		expect(await s.acquireLock('s', 'one', 100)).toEqual({
			syncId: 's',
			owner: 'one',
			expiresAt: 1100,
		});
		t = 1050;
		expect(await s.renewLock('s', 'one', 100)).toBe(true); // now until 1150
		t = 1150;
		expect(await other.acquireLock('s', 'two', 100)).toBeUndefined();
		expect(other.lockOf('s')).toEqual({ syncId: 's', owner: 'one', expiresAt: 1150 });
		t = 1151;
		expect(other.lockOf('s')).toBeUndefined();
		expect(await other.acquireLock('s', 'two', 100)).toMatchObject({
			owner: 'two',
			expiresAt: 1251,
		});
		expect(await s.renewLock('s', 'one', 100)).toBe(false);
		await other.releaseLock('s', 'two');
		expect(s.lockOf('s')).toBeUndefined();
	});
});
