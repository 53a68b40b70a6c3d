import { Store } from '../../sandbox/kit';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('Store.transaction', () => {
	function world() {
		const store = new Store();
		const a = store.collection('a');
		a.defineIndex('name', (r) =>
			r.deletedAt === null ? String(r.fields.name).toLowerCase() : undefined,
		);
		const kept = a.create({ name: 'Kept' });
		const gone = a.create({ name: 'Gone' });
		const dead = a.create({ name: 'Dead' });
		a.delete(dead.id);
		return { store, a, kept, gone, dead };
	}

	it('rolls back a mix of creates, updates, deletes, restores and purges: records, order, index, log', async () => {
		const { store, a, kept, gone, dead } = world();
		const before = a.list({ includeDeleted: true });
		const seq = store.lastSeq;
		const heard: string[] = [];
		store.onChange((e) => heard.push(e.kind));
		const tx = store.transaction();
		await tx.run(async () => {
			a.update(kept.id, { name: 'Changed' });
			await tick();
			const fresh = a.create({ name: 'Fresh' });
			a.update(fresh.id, { name: 'Fresher' });
			a.delete(gone.id);
			a.restore(dead.id);
			a.purge(kept.id);
			a.create({ name: 'Kept again' }, { id: kept.id });
			store.collection('b').create({ x: 1 });
		});
		expect(tx.size).toBe(8);
		expect(heard).toHaveLength(8); // listeners hear the writes, not the rollback
		tx.rollback();
		expect(a.list({ includeDeleted: true })).toEqual(before);
		expect(a.get(kept.id)?.version).toBe(1);
		expect(a.lookup('name', 'kept').map((r) => r.id)).toEqual([kept.id]);
		expect(a.lookup('name', 'fresher')).toEqual([]);
		expect(a.lookup('name', 'dead')).toEqual([]);
		expect(a.lookup('name', 'gone').map((r) => r.id)).toEqual([gone.id]);
		expect(store.collection('b').count({ includeDeleted: true })).toBe(0);
		expect(store.lastSeq).toBe(seq); // its events were the newest: sequence numbers are reused
		expect(store.changes().map((e) => e.kind)).toEqual([
			'created',
			'created',
			'created',
			'deleted',
		]);
		expect(heard).toHaveLength(8);
		const next = a.create({ name: 'After' });
		expect(next.position).toBe(3); // positions of rolled-back creates are reused too
		expect(store.changesAfter(seq).map((e) => e.id)).toEqual([next.id]);
		expect(() => tx.commit()).toThrow('already rolledBack');
	});

	it('commit keeps the writes; a nested transaction rolls back with the enclosing one', async () => {
		const { store, a, kept } = world();
		const outer = store.transaction();
		await outer.run(async () => {
			a.update(kept.id, { name: 'Outer' });
			const inner = store.transaction();
			await inner.run(async () => {
				await tick();
				a.create({ name: 'Inner' });
			});
			inner.commit();
		});
		expect(a.lookup('name', 'inner')).toHaveLength(1);
		outer.rollback();
		expect(a.lookup('name', 'inner')).toEqual([]);
		expect(a.get(kept.id)?.fields.name).toBe('Kept');

		const tx = store.transaction();
		tx.run(() => a.create({ name: 'Stays' }));
		tx.commit();
		expect(a.lookup('name', 'stays')).toHaveLength(1);
		expect(a.list().map((r) => r.fields.name)).toEqual(['Kept', 'Gone', 'Stays']);
	});

	it('leaves alone the writes of concurrent work outside its call chain (records and change log)', async () => {
		const { store, a, kept } = world();
		const seq = store.lastSeq;
		const tx = store.transaction();
		const inside = tx.run(async () => {
			a.create({ name: 'Mine 1' });
			await tick();
			a.update(kept.id, { name: 'Mine' });
			await tick();
			a.create({ name: 'Mine 2' });
		});
		const outside = (async () => {
			await Promise.resolve();
			a.create({ name: 'Theirs 1' });
			await tick();
			a.create({ name: 'Theirs 2' });
		})();
		await Promise.all([inside, outside]);
		expect(tx.size).toBe(3);
		tx.rollback();
		expect(a.list().map((r) => r.fields.name)).toEqual(['Kept', 'Gone', 'Theirs 1', 'Theirs 2']);
		expect(a.lookup('name', 'theirs 2')).toHaveLength(1);
		expect(a.lookup('name', 'mine 1')).toEqual([]);
		// Their events stay; the sequence carries on past the removed ones (no number is handed out twice).
		const after = store.changesAfter(seq);
		expect(after.map((e) => a.get(e.id)?.fields.name)).toEqual(['Theirs 1', 'Theirs 2']);
		expect(store.lastSeq).toBe(seq + 5);
		expect(a.create({ name: 'Next' }).id).toBeDefined();
		expect(store.lastSeq).toBe(seq + 6);
	});

	it('restore (snapshot) rebuilds indexes', () => {
		const { store, a } = world();
		const snap = store.snapshot();
		a.create({ name: 'Later' });
		store.restore(snap);
		expect(a.lookup('name', 'later')).toEqual([]);
		expect(a.lookup('name', 'gone')).toHaveLength(1);
		store.clear();
		expect(a.lookup('name', 'gone')).toEqual([]);
	});
});
