/** Unit tests of the sync engine's pieces: key normalisation, value equality, three-way diff and strategies, config. */
import type { CrmConnector } from '../../core/connectors/contract';
import type { CrmRecord } from '../../core/records/types';
import { resolveConfig, SyncConfigError, type SyncConfig } from '../../core/sync/config';
import {
	asType,
	diffPair,
	planCreate,
	sameValue,
	Transforms,
	type DiffContext,
} from '../../core/sync/diff';
import { matchRecords, normalizeKey } from '../../core/sync/match';
import { failureCategory } from '../../core/sync/report';
import { resolveConflict } from '../../core/sync/strategies';
import type { SyncLink } from '../../core/sync/store/types';

const fakeConnector = (records: CrmRecord[] = []): CrmConnector =>
	({
		system: 'fake',
		write: async () => [],
		changesSince: async function* () {},
		findByKeys: async (_t: string, field: string, values: string[]) =>
			values.map((v) =>
				records.filter((r) => String(r.fields[field] ?? '').toLowerCase() === v.toLowerCase()),
			),
	}) as unknown as CrmConnector;

const base: SyncConfig = {
	syncId: 's',
	a: { connector: fakeConnector(), objectType: 'Contact' },
	b: { connector: fakeConnector(), objectType: 'contacts' },
	matchKeys: [{ a: 'Email', b: 'email', normalize: 'email' }],
	fields: [
		{ a: 'LastName', b: 'lastname' },
		{ a: 'Title', b: 'jobtitle', conflict: 'bWins' },
	],
};

const rec = (id: string, fields: Record<string, unknown>, updatedAt?: string): CrmRecord => ({
	id,
	type: 't',
	source: 'x',
	fields,
	updatedAt,
});

describe('match: normalisation', () => {
	it.each([
		['email', '  Ann.Lee@Example.COM ', 'ann.lee@example.com'],
		['text', '  Acme   Corp ', 'acme corp'],
		['domain', 'https://www.Acme.com/about?x=1', 'acme.com'],
		['domain', 'WWW.acme.com', 'acme.com'],
		['domain', 'info@acme.com', 'acme.com'],
		['phone', '+1 (555) 010-2030', '15550102030'],
		['none', ' As Is ', ' As Is '],
		['email', null, ''],
		['email', '   ', ''],
	] as const)('%s of %j is %j', (mode, value, expected) => {
		expect(normalizeKey(value, mode)).toBe(expected);
	});
});

describe('match: ambiguity and taken candidates', () => {
	const other = [
		rec('b1', { email: 'one@x.com' }),
		rec('b2', { email: 'two@x.com' }),
		rec('b3', { email: 'two@x.com' }),
		rec('b4', { email: 'four@x.com' }),
		rec('b5', { email: 'taken@x.com' }),
	];
	const own = [
		rec('a1', { Email: 'ONE@x.com' }),
		rec('a2', { Email: 'two@x.com' }),
		rec('a3', { Email: 'four@x.com' }),
		rec('a3b', { Email: 'four@x.com' }),
		rec('a5', { Email: 'taken@x.com' }),
		rec('a6', { Email: 'nobody@x.com' }),
		rec('a7', { Email: '' }),
	];
	it('links unique pairs, reports two candidates on either side, refuses a partner linked elsewhere', async () => {
		const out = await matchRecords(
			own.filter((r) => r.id !== 'a3b'),
			[{ a: 'Email', b: 'email', normalize: 'email' }],
			{
				own: { side: 'a', connector: fakeConnector(own), objectType: 'Contact' },
				other: { side: 'b', connector: fakeConnector(other), objectType: 'contacts', fields: [] },
				linksOfOther: async (ids) =>
					new Map(
						ids
							.filter((id) => id === 'b5')
							.map((id): [string, SyncLink] => [
								id,
								{ linkId: 'x', status: 'linked', aId: 'z', bId: id, base: {} },
							]),
					),
			},
			new Set(),
		);
		expect(out.map((o) => (o.kind === 'matched' ? `m:${o.partner.id}` : o.kind))).toEqual([
			'm:b1',
			'ambiguous',
			'ambiguous', // a3 and a3b share four@x.com on side a
			'ambiguous', // b5 is linked to another record
			'none',
			'none',
		]);
		const amb = out[1];
		expect(amb.kind === 'ambiguous' && amb.candidates).toEqual(['b2', 'b3']);
	});
});

describe('diff: value equality by type', () => {
	it.each([
		[null, '', undefined, true],
		[undefined, null, undefined, true],
		[5, '5', 'number', true],
		[5, '5.0', undefined, true],
		['5', '05', 'string', false],
		['2024-01-01T10:00:00.000Z', '2024-01-01T11:00:00+01:00', 'datetime', true],
		['2024-01-01T10:00:00.000Z', '2024-01-01T10:00:01Z', 'datetime', false],
		['2024-01-01T10:00:00.000+0000', '1704103200000', 'datetime', true],
		['2024-01-01', '2024-01-01T00:00:00Z', 'date', true],
		['a;b;c', 'c;a;b', 'multipicklist', true],
		['a;b', 'a;c', 'multipicklist', false],
		[true, 'true', 'boolean', true],
		[false, null, 'boolean', true], // a blank checkbox is false (Salesforce defaults it on create)
		[true, null, 'boolean', false],
		[false, null, undefined, false],
		['x', 'X', 'string', false],
		['', 'x', 'string', false],
	] as const)('%j vs %j (%s) → %s', (x, y, type, same) => {
		expect(sameValue(x, y, type)).toBe(same);
	});
});

describe('diff: a value as the target field type takes it', () => {
	it.each([
		['172022400000', 'date', '1975-06-15'], // HubSpot: epoch ms digits
		[172022400000, 'date', '1975-06-15'],
		['1990-12-31T00:00:00.000Z', 'date', '1990-12-31'],
		['1704103200000', 'datetime', '2024-01-01T10:00:00.000Z'],
		['2024-01-01T11:00:00+01:00', 'datetime', '2024-01-01T11:00:00+01:00'], // ISO: left as it is
		['1990-12-31', 'date', '1990-12-31'],
		[null, 'boolean', false],
		['', 'boolean', false],
		[null, 'date', null],
		['12345678901', 'string', '12345678901'],
		['not a date', 'date', 'not a date'],
	] as const)('%j as %s → %j', (v, type, out) => {
		expect(asType(v, type)).toEqual(out);
	});
});

describe('diff: three-way per field, strategies', () => {
	const ctx = (over: Partial<SyncConfig> = {}): DiffContext => ({
		config: resolveConfig({ ...base, ...over }),
		types: { a: new Map(), b: new Map() },
		transforms: new Transforms(),
	});
	const b = (a: unknown, bv: unknown) => ({ a, b: bv }) as never;
	const A = (f: Record<string, unknown>, t?: string) => rec('A', f, t);
	const B = (f: Record<string, unknown>, t?: string) => rec('B', f, t);

	it('one side changed → flows to the other; same change both sides → no conflict; no change → nothing', () => {
		const d = diffPair(
			ctx(),
			'l',
			{ 'LastName/lastname': b('Lee', 'Lee'), 'Title/jobtitle': b('CEO', 'CEO') },
			A({ LastName: 'Li', Title: 'CTO' }),
			B({ lastname: 'Lee', jobtitle: 'CTO' }),
		);
		expect(d.write).toEqual({ a: {}, b: { lastname: 'Li' } });
		expect(d.conflicts).toEqual([]);
		expect(d.base).toEqual({
			'LastName/lastname': { a: 'Li', b: 'Li' },
			'Title/jobtitle': { a: 'CTO', b: 'CTO' },
		});
		const none = diffPair(
			ctx(),
			'l',
			d.base,
			A({ LastName: 'Li', Title: 'CTO' }),
			B({ lastname: 'Li', jobtitle: 'CTO' }),
		);
		expect(none.write).toEqual({ a: {}, b: {} });
		expect(none.changes).toEqual([]);
	});

	it('first pairing: an e-mail differing only in case is the same when either side types it as e-mail', () => {
		for (const [ta, tb] of [
			['email', 'string'],
			['string', 'email'],
		] as const) {
			const c: DiffContext = {
				...ctx({ fields: [{ a: 'Email', b: 'email' }] }),
				types: { a: new Map([['Email', ta]]), b: new Map([['email', tb]]) },
			};
			const d = diffPair(
				c,
				'l',
				{},
				A({ Email: 'Ann@Example.com' }),
				B({ email: 'ann@example.com' }),
			);
			expect({ ta, tb, write: d.write, conflicts: d.conflicts }).toEqual({
				ta,
				tb,
				write: { a: {}, b: {} },
				conflicts: [],
			});
		}
		const plain = diffPair(
			{ ...ctx({ fields: [{ a: 'Email', b: 'email' }] }), types: { a: new Map(), b: new Map() } },
			'l',
			{},
			A({ Email: 'Ann@Example.com' }),
			B({ email: 'ann@example.com' }),
		);
		expect(plain.conflicts.length + Object.keys(plain.write.a).length).toBeGreaterThan(0);
	});

	it('transforms apply per direction, and the transformed value is the echo base', () => {
		const c = ctx({
			fields: [
				{
					a: 'LastName',
					b: 'lastname',
					toB: [{ type: 'uppercase' }],
					toA: [{ type: 'titlecase' }],
				},
			],
		});
		const d = diffPair(
			c,
			'l',
			{ 'LastName/lastname': b('lee', 'LEE') },
			A({ LastName: 'li' }),
			B({ lastname: 'LEE' }),
		);
		expect(d.write.b).toEqual({ lastname: 'LI' });
		const echo = diffPair(c, 'l', d.base, A({ LastName: 'li' }), B({ lastname: 'LI' }));
		expect(echo.changes).toEqual([]);
		const back = diffPair(c, 'l', d.base, A({ LastName: 'li' }), B({ lastname: 'WU' }));
		expect(back.write.a).toEqual({ LastName: 'Wu' });
	});

	const conflictOn = (
		strategy: SyncConfig['conflict'],
		a: unknown,
		bv: unknown,
		ta?: string,
		tb?: string,
		withBase = true,
	) =>
		diffPair(
			ctx({ conflict: strategy, fields: [{ a: 'LastName', b: 'lastname' }] }),
			'l',
			withBase ? { 'LastName/lastname': b('old', 'old') } : {},
			A({ LastName: a }, ta),
			B({ lastname: bv }, tb),
		);

	it.each([
		['aWins', 'x', 'y', { b: { lastname: 'x' } }],
		['bWins', 'x', 'y', { a: { LastName: 'y' } }],
		['aUnlessBlank', 'x', 'y', { b: { lastname: 'x' } }],
		['aUnlessBlank', '', 'y', { a: { LastName: 'y' } }],
		['bUnlessBlank', 'x', null, { b: { lastname: 'x' } }],
		['bUnlessBlank', 'x', 'y', { a: { LastName: 'y' } }],
	] as const)('%s: a=%j b=%j (both changed)', (strategy, a, bv, writes) => {
		const d = conflictOn(strategy, a, bv);
		expect(d.write).toEqual({ a: {}, b: {}, ...writes });
		expect(d.conflicts).toEqual([]);
	});

	it('mostRecent picks the record changed last; a tie goes to review', () => {
		expect(
			conflictOn('mostRecent', 'x', 'y', '2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z').write.b,
		).toEqual({ lastname: 'x' });
		expect(
			conflictOn('mostRecent', 'x', 'y', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z').write.a,
		).toEqual({ LastName: 'y' });
		const tie = conflictOn('mostRecent', 'x', 'y', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');
		expect(tie.conflicts).toHaveLength(1);
		expect(tie.write).toEqual({ a: {}, b: {} });
	});

	it('review leaves both sides and the base untouched and reports base, a and b', () => {
		const d = conflictOn('review', 'x', 'y');
		expect(d.write).toEqual({ a: {}, b: {} });
		expect(d.base).toEqual({ 'LastName/lastname': { a: 'old', b: 'old' } });
		expect(d.conflicts[0]).toMatchObject({
			field: 'LastName/lastname',
			base: { a: 'old', b: 'old' },
			a: 'x',
			b: 'y',
		});
	});

	it('first link (no base): equal values just set the base; different ones are a conflict for the strategy', () => {
		const same = conflictOn('review', 'x', 'x', undefined, undefined, false);
		expect(same.conflicts).toEqual([]);
		expect(same.base).toEqual({ 'LastName/lastname': { a: 'x', b: 'x' } });
		expect(conflictOn('review', 'x', 'y', undefined, undefined, false).conflicts).toHaveLength(1);
		expect(conflictOn('bWins', 'x', 'y', undefined, undefined, false).write.a).toEqual({
			LastName: 'y',
		});
	});

	it('per-field strategy overrides the default; a decision settles a field and is reported as used', () => {
		const d = diffPair(
			ctx({ conflict: 'aWins' }),
			'l',
			{ 'LastName/lastname': b('o', 'o'), 'Title/jobtitle': b('o', 'o') },
			A({ LastName: 'a1', Title: 'a2' }),
			B({ lastname: 'b1', jobtitle: 'b2' }),
		);
		expect(d.write).toEqual({ a: { Title: 'b2' }, b: { lastname: 'a1' } });
		const decided = diffPair(
			ctx({ conflict: 'review' }),
			'l',
			{ 'LastName/lastname': b('o', 'o') },
			A({ LastName: 'a1', Title: 'same' }),
			B({ lastname: 'b1', jobtitle: 'same' }),
			new Map([['LastName/lastname', { value: 'chosen' }]]),
		);
		expect(decided.write).toEqual({ a: { LastName: 'chosen' }, b: { lastname: 'chosen' } });
		expect(decided.decided).toEqual(['LastName/lastname']);
	});

	it('direction aToB: b changes never flow back; a wins at first link', () => {
		const c = ctx({ fields: [{ a: 'LastName', b: 'lastname', direction: 'aToB' }] });
		const d = diffPair(
			c,
			'l',
			{ 'LastName/lastname': b('o', 'o') },
			A({ LastName: 'o' }),
			B({ lastname: 'b' }),
		);
		expect(d.write).toEqual({ a: {}, b: {} });
		const first = diffPair(c, 'l', {}, A({ LastName: 'a' }), B({ lastname: 'b' }));
		expect(first.write).toEqual({ a: {}, b: { lastname: 'a' } });
	});

	it('custom strategy: the callback picks a winner, a value, or review (undefined)', () => {
		const ctxCustom = (fn: never) => ({ ...ctx({ conflict: 'custom' }), custom: fn });
		const run = (fn: unknown) =>
			diffPair(
				ctxCustom(fn as never),
				'l',
				{ 'LastName/lastname': b('o', 'o') },
				A({ LastName: 'x' }),
				B({ lastname: 'y' }),
			);
		expect(run(() => ({ winner: 'b' })).write.a).toEqual({ LastName: 'y' });
		expect(run(() => ({ value: 'xy' })).write).toEqual({
			a: { LastName: 'xy' },
			b: { lastname: 'xy' },
		});
		expect(run(() => undefined).conflicts).toHaveLength(1);
		expect(resolveConflict('custom', {} as never, undefined)).toBeUndefined();
	});

	it('a create carries the mapped values and the match key, and leaves the base of both sides', () => {
		const c = planCreate(ctx(), 'b', B({ lastname: 'Lee', jobtitle: null, email: 'l@x.com' }));
		expect(c.fields).toEqual({ LastName: 'Lee', Email: 'l@x.com' });
		expect(c.base).toEqual({
			'LastName/lastname': { a: 'Lee', b: 'Lee' },
			'Title/jobtitle': { a: null, b: null },
		});
	});
});

describe('config: validation names the setting and the fix', () => {
	const problems = (c: unknown) => {
		try {
			resolveConfig(c as SyncConfig);
		} catch (e) {
			expect(e).toBeInstanceOf(SyncConfigError);
			return (e as SyncConfigError).problems;
		}
		throw new Error('no error');
	};
	it('lists every bad setting with its path', () => {
		expect(
			problems({
				...base,
				a: { connector: {}, objectType: '' },
				matchKeys: [],
				fields: [{ a: 'X' }, { a: 'X', b: 'x' }, { a: 'X', b: 'x' }],
				conflict: 'newest',
				deletes: 'archive',
			}),
		).toEqual([
			"a.connector: must be a CRM connector (the contract's CrmConnector) for side a",
			'a.objectType: must not be empty — the object type on side a, e.g. "Contact" or "contacts"',
			'matchKeys: must have at least one match key pair (a field of side a and one of side b) to match records by',
			'fields[0].b: required — the field on side b',
			'conflict: must be one of "aWins", "bWins", "mostRecent", "aUnlessBlank", "bUnlessBlank", "review", "custom"',
		]);
		expect(
			problems({
				...base,
				fields: [
					{ a: 'X', b: 'x' },
					{ a: 'X', b: 'x' },
				],
				deletes: 'archive',
			}),
		).toEqual([
			'fields[1].key: "X/x" is used twice — give each field pair its own key',
			'archive: required when deletes is "archive" — give the field and the value to set on the surviving record, for side a (archive.a) and/or side b (archive.b)',
		]);
		expect(
			problems({
				...base,
				direction: 'aToB',
				fields: [{ a: 'X', b: 'x', direction: 'bToA' }],
				scope: {
					a: [{ field: 'Status', op: 'in', value: 'x' }],
					b: [{ field: 'f', op: 'equals' }],
				},
			}),
		).toEqual([
			'fields[0].direction: "bToA" goes against the sync\'s direction "aToB" — remove it or set the sync\'s direction to "both"',
			'scope.a[0].value: must be a list of values for "in"',
			'scope.b[0].value: required for "equals" — give the value to compare with',
		]);
	});
	it('checks transforms: known types, their settings, and what compiling finds (a bad regex)', () => {
		const found = problems({
			...base,
			fields: [
				{ a: 'A', b: 'a', toB: [{ type: 'shout' }] },
				{ a: 'B', b: 'b', toA: [{ type: 'replace', pattern: '(', replacement: '', regex: true }] },
			],
		});
		expect(found).toHaveLength(2);
		expect(found[0]).toMatch(
			/^fields\[0\]\.toB: transform 1: "shout" is not a known transform type — use one of trim, /,
		);
		expect(found[1]).toMatch(/^fields\[1\]\.toA\[0\]: /);
	});

	it('fills defaults', () => {
		const c = resolveConfig(base);
		expect(c).toMatchObject({
			direction: 'both',
			conflict: 'review',
			deletes: 'ignore',
			dryRun: false,
		});
		expect(c.fields.map((f) => f.key)).toEqual(['LastName/lastname', 'Title/jobtitle']);
		expect(c.a.connector).toBe(base.a.connector);
	});
});

describe('report: failure categories from CRM codes', () => {
	it.each([
		['REQUIRED_FIELD_MISSING', 'validation'],
		['VALIDATION_ERROR', 'validation'],
		['STRING_TOO_LONG', 'validation'],
		['DUPLICATE_VALUE', 'duplicate'],
		['CONFLICT', 'duplicate'],
		['INSUFFICIENT_ACCESS_OR_READONLY', 'permission'],
		['ENTITY_IS_DELETED', 'notFound'],
		['OBJECT_NOT_FOUND', 'notFound'],
		['REQUEST_LIMIT_EXCEEDED', 'rateLimit'],
		['RATE_LIMIT', 'rateLimit'],
		['OUTCOME_UNKNOWN', 'outcomeUnknown'],
		['UNKNOWN_EXCEPTION', 'other'],
	])('%s → %s', (code, category) => {
		expect(failureCategory(code)).toBe(category);
	});
	// Dataverse's codes are hex numbers: its connector gives the category in `details` (was: every one `other`).
	it.each([
		['0x80044331', 'validation', 'validation'],
		['0x80040217', 'notFound', 'notFound'],
		['0x80040220', 'permission', 'permission'],
		['0x80040237', 'duplicate', 'duplicate'],
		['0x80072322', 'rateLimit', 'rateLimit'],
		['0x80040216', 'fatal', 'other'], // not a category of the sync's: read from the code
		['VALIDATION_ERROR', 'VALIDATION_ERROR', 'validation'], // HubSpot's details.category: its code decides
	])('%s with details.category %s → %s', (code, given, category) => {
		expect(failureCategory(code, '', { category: given })).toBe(category);
	});
});
