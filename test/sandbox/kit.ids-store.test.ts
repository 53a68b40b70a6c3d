import {
	DuplicateIdError,
	ManualClock,
	Store,
	guidGenerator,
	isValidSalesforceId,
	normalizeSalesforceId,
	numericIdGenerator,
	prefixedIdGenerator,
	salesforceChecksum,
	salesforceIdGenerator,
	toBase62,
	toCaseSafeId,
} from '../../sandbox/kit';

describe('Salesforce ids', () => {
	it("computes the case-safe suffix per Salesforce's algorithm", () => {
		// all digits → no upper-case bits in any chunk → "AAA"
		expect(salesforceChecksum('001000000000001')).toBe('AAA');
		expect(toCaseSafeId('001000000000001')).toBe('001000000000001AAA');
		// chunk 1 "001A0": bit 3 → 8 → I; chunk 2 "00000" → A; chunk 3 "6Vm9r": bit 1 → 2 → C
		expect(toCaseSafeId('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
		// all upper-case letters → 31 → "5" in each chunk
		expect(salesforceChecksum('ABCDEFGHIJKLMNO')).toBe('555');
		// chunk "00Q5g": bit 2 (Q) → 4 → E
		expect(salesforceChecksum('00Q5g0000000001')).toBe('EAA');
	});

	it('validates and normalises 18-character ids', () => {
		expect(isValidSalesforceId('001A0000006Vm9rIAC')).toBe(true);
		expect(isValidSalesforceId('001A0000006Vm9rIAA')).toBe(false);
		expect(isValidSalesforceId('001A0000006Vm9r')).toBe(true);
		expect(isValidSalesforceId('001-000006Vm9rIAC')).toBe(false);
		expect(normalizeSalesforceId('001a0000006vm9riac')).toBe('001A0000006Vm9r');
		expect(() => toCaseSafeId('001A0000006Vm9rIAA')).toThrow();
	});

	it('generates ids with the key prefix, 18 characters and a correct checksum', () => {
		const next = salesforceIdGenerator('003');
		const ids = Array.from({ length: 100 }, () => next());
		expect(new Set(ids).size).toBe(100);
		for (const id of ids) {
			expect(id).toMatch(/^0035g0[0-9A-Za-z]{12}$/);
			expect(isValidSalesforceId(id)).toBe(true);
		}
		expect(ids[0]).toBe('0035g0000000001AAA');
		// sequence 36 is "a" in base 62 (no upper case), 10 is "A"
		expect(salesforceIdGenerator('001', { start: 10 })()).toBe(
			`0015g000000000A${salesforceChecksum('0015g000000000A')}`,
		);
		expect(salesforceIdGenerator('001', { fifteen: true })()).toHaveLength(15);
		expect(() => salesforceIdGenerator('01')).toThrow();
	});

	it('encodes base 62', () => {
		expect(toBase62(0, 3)).toBe('000');
		expect(toBase62(61, 2)).toBe('0z');
		expect(toBase62(62, 2)).toBe('10');
		expect(() => toBase62(62 * 62, 2)).toThrow(RangeError);
	});
});

describe('other id generators', () => {
	it('HubSpot-style numeric ids increase', () => {
		const next = numericIdGenerator(51, 2);
		expect([next(), next(), next()]).toEqual(['51', '53', '55']);
	});

	it('GUIDs are v4-shaped and reproducible from a seed', () => {
		const a = guidGenerator(7);
		const b = guidGenerator(7);
		const ids = Array.from({ length: 50 }, () => a());
		expect(Array.from({ length: 50 }, () => b())).toEqual(ids);
		expect(new Set(ids).size).toBe(50);
		for (const id of ids)
			expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(guidGenerator(8)()).not.toBe(ids[0]);
	});

	it('prefixed ids pad the sequence', () => {
		const next = prefixedIdGenerator('ct_', 4);
		expect([next(), next()]).toEqual(['ct_0001', 'ct_0002']);
	});
});

describe('Store', () => {
	const T0 = Date.UTC(2024, 0, 1);

	it('stamps created/updated from the clock, strictly increasing within one millisecond', () => {
		const clock = new ManualClock(T0);
		const store = new Store({ clock });
		const c = store.collection('Contact', { idGenerator: salesforceIdGenerator('003') });
		const a = c.create({ LastName: 'A' });
		const b = c.create({ LastName: 'B' });
		expect(a.createdAt).toBe(T0);
		expect(b.createdAt).toBe(T0 + 1);
		clock.advance(1000);
		const a2 = c.update(a.id, { Email: 'a@example.com' })!;
		expect(a2.createdAt).toBe(T0);
		expect(a2.updatedAt).toBe(T0 + 1000);
		expect(a2.version).toBe(2);
		expect(a2.fields).toEqual({ LastName: 'A', Email: 'a@example.com' });
		expect(Object.isFrozen(a2) && Object.isFrozen(a2.fields)).toBe(true);
		// the old snapshot is unchanged
		expect(a.fields).toEqual({ LastName: 'A' });
	});

	it('keeps clock ties when strict timestamps are off', () => {
		const store = new Store({ clock: new ManualClock(T0), strictTimestamps: false });
		const c = store.collection('x');
		expect(c.create({}).createdAt).toBe(T0);
		expect(c.create({}).createdAt).toBe(T0);
	});

	it('lists in stable creation order, soft-deletes, restores and purges', () => {
		const clock = new ManualClock(T0);
		const store = new Store({ clock });
		const c = store.collection('Account', { idGenerator: numericIdGenerator(1) });
		const ids = ['a', 'b', 'c', 'd'].map((n) => c.create({ Name: n }).id);
		c.update(ids[0], { Name: 'a2' });
		expect(c.list().map((r) => r.id)).toEqual(ids);
		const tomb = c.delete(ids[1])!;
		expect(tomb.deletedAt).not.toBeNull();
		expect(c.get(ids[1])).toBeUndefined();
		expect(c.get(ids[1], { includeDeleted: true })?.id).toBe(ids[1]);
		expect(c.list().map((r) => r.id)).toEqual([ids[0], ids[2], ids[3]]);
		expect(c.list({ includeDeleted: true }).map((r) => r.id)).toEqual(ids);
		expect(c.list({ deletedOnly: true }).map((r) => r.id)).toEqual([ids[1]]);
		expect(c.delete(ids[1])).toBeUndefined();
		expect(c.update(ids[1], { Name: 'x' })).toBeUndefined();
		expect(c.restore(ids[1])?.deletedAt).toBeNull();
		expect(c.count()).toBe(4);
		expect(c.purge(ids[3])).toBe(true);
		expect(c.count({ includeDeleted: true })).toBe(3);
		expect(() => c.create({ Name: 'dup' }, { id: ids[0] })).toThrow(DuplicateIdError);
		expect(c.findBy('Name', 'A2', { caseInsensitive: true }).map((r) => r.id)).toEqual([ids[0]]);
		expect(c.findBy('Name', 'A2')).toEqual([]);
	});

	it('answers updated/deleted since a time and delta since a sequence', () => {
		const clock = new ManualClock(T0);
		const store = new Store({ clock });
		const c = store.collection('Lead');
		const a = c.create({ n: 1 }).id;
		const b = c.create({ n: 2 }).id;
		const cId = c.create({ n: 3 }).id;
		const watermark = clock.advance(10_000);
		const token = store.lastSeq;
		clock.advance(1000);
		c.update(a, { n: 10 });
		c.delete(b);
		const d = c.create({ n: 4 }).id;
		c.update(d, { n: 40 });
		clock.advance(1000);
		c.delete(cId);
		c.restore(cId);

		expect(c.updatedIds({ since: watermark })).toEqual([a, d, cId]);
		expect(c.updatedIds({ since: watermark, until: watermark + 1500 })).toEqual([a, d]);
		expect(c.deletedIds({ since: watermark }).map((x) => x.id)).toEqual([b]);
		expect(c.changes({ since: watermark }).map((e) => e.kind)).toEqual([
			'updated',
			'deleted',
			'created',
			'updated',
			'deleted',
			'restored',
		]);

		const delta = c.deltaSince(token);
		expect(delta.changed.map((r) => r.id)).toEqual([a, d, cId]);
		expect(delta.deleted.map((x) => x.id)).toEqual([b]);
		expect(delta.seq).toBe(store.lastSeq);
		expect(c.deltaSince(delta.seq)).toEqual({ changed: [], deleted: [], seq: delta.seq });
		// other collections do not leak into this one's log
		store.collection('Other').create({});
		expect(c.deltaSince(delta.seq).changed).toEqual([]);
		expect(store.changes({ types: ['Other'] })).toHaveLength(1);
	});

	it('clear() empties collections and the change log', () => {
		const store = new Store({ clock: new ManualClock(T0) });
		const c = store.collection('x');
		c.create({});
		store.clear();
		expect(c.count({ includeDeleted: true })).toBe(0);
		expect(store.changes()).toEqual([]);
		expect(store.types()).toEqual(['x']);
	});
});
