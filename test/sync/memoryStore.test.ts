/** MemorySyncStore keeps the store rules: atomic commits, copies out, the lock as a lease, scoping by syncId. */
import { MemorySyncStore } from '../../core/sync/store/memory';
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

	it('a commit is all or nothing: a bad link anywhere leaves links, failures and meta as they were', async () => {
		const s = store();
		await s.commit('s', { upsertLinks: [link(1)], meta: { watermarks: { a: { ts: '1' } } } });
		await expect(
			s.commit('s', {
				upsertLinks: [link(2), link(3, { aId: 'a1' })], // a1 is already in l001
				upsertFailures: [
					{
						side: 'a',
						recordId: 'x',
						category: 'other',
						code: 'E',
						message: 'm',
						attempts: 1,
						firstFailedAt: '',
						lastFailedAt: '',
					},
				],
				meta: { watermarks: { a: { ts: '2' } } },
			}),
		).rejects.toThrow(/a record a1 is already in link l001/);
		expect(await s.countLinks('s')).toBe(1);
		expect((await s.getMeta('s')).watermarks).toEqual({ a: { ts: '1' } });
		const failures: unknown[] = [];
		for await (const p of s.listFailures('s')) failures.push(...p);
		expect(failures).toEqual([]);
		await expect(s.commit('s', { upsertLinks: [link(4, { bId: undefined })] })).rejects.toThrow(
			/needs both aId and bId/,
		);
		await expect(
			s.commit('s', { upsertLinks: [link(5, { status: 'pending', bId: undefined })] }),
		).rejects.toThrow(/needs pendingSide and pendingKey/);
	});

	it('re-links by id after an upsert changes ids; deletes unindex; reads are copies; syncs are apart', async () => {
		const s = store();
		await s.commit('s', {
			upsertLinks: [
				link(1, {
					status: 'pending',
					bId: undefined,
					pendingSide: 'b',
					pendingKey: { field: 'email', value: 'x' },
				}),
			],
		});
		await s.commit('s', { upsertLinks: [link(1)] });
		const got = await s.getLinksByIds('s', 'b', ['b1', 'b2']);
		expect([...got.keys()]).toEqual(['b1']);
		(got.get('b1') as SyncLink).base.f = 'mutated';
		expect((await s.getLinksByIds('s', 'a', ['a1'])).get('a1')?.base).toEqual({
			f: { a: 1, b: 1 },
		});
		expect((await s.getLinksByIds('s', 'a', ['a1'])).get('a1')?.updatedAt).toBe(
			new Date(1000).toISOString(),
		);
		await s.commit('s', { deleteLinks: ['l001'] });
		expect((await s.getLinksByIds('s', 'a', ['a1'])).size).toBe(0);
		expect(await s.countLinks('other')).toBe(0);
	});

	it('lists links page by page in linkId order, by status', async () => {
		const s = store();
		await s.commit('s', {
			upsertLinks: Array.from({ length: 7 }, (_, i) =>
				link(7 - i, i === 0 ? { status: 'excluded' } : {}),
			),
		});
		const pages: string[][] = [];
		for await (const p of s.listLinks('s', { pageSize: 3, status: 'linked' }))
			pages.push(p.map((l) => l.linkId));
		expect(pages).toEqual([
			['l001', 'l002', 'l003'],
			['l004', 'l005', 'l006'],
		]);
	});

	it('the lock is a lease: one owner at a time, free once expired, renewed and released only by its owner', async () => {
		const s = store();
		expect(await s.acquireLock('s', 'one', 100)).toEqual({
			syncId: 's',
			owner: 'one',
			expiresAt: 1100,
		});
		expect(await s.acquireLock('s', 'two', 100)).toBeUndefined();
		expect(await s.acquireLock('other', 'two', 100)).toBeDefined();
		t = 1050;
		expect(await s.renewLock('s', 'two', 100)).toBe(false);
		expect(await s.renewLock('s', 'one', 100)).toBe(true); // now until 1150
		t = 1120;
		expect(await s.acquireLock('s', 'two', 100)).toBeUndefined();
		await s.releaseLock('s', 'two');
		expect(s.lockOf('s')?.owner).toBe('one');
		t = 1151;
		expect(await s.acquireLock('s', 'two', 100)).toMatchObject({ owner: 'two' });
		expect(await s.renewLock('s', 'one', 100)).toBe(false);
		await s.releaseLock('s', 'two');
		expect(s.lockOf('s')).toBeUndefined();
	});

	it('decisions replace per link and field and are cleared by a commit', async () => {
		const s = store();
		await s.putDecision('s', { linkId: 'l', field: 'f', decision: { winner: 'a' }, decidedAt: '' });
		await s.putDecision('s', { linkId: 'l', field: 'f', decision: { value: 3 }, decidedAt: '' });
		expect((await s.listDecisions('s')).map((d) => d.decision)).toEqual([{ value: 3 }]);
		await s.commit('s', { clearDecisions: [{ linkId: 'l', field: 'f' }] });
		expect(await s.listDecisions('s')).toEqual([]);
	});
});
