import { compileMapping, MappingCache, MappingSpecError } from '../../../core/records';
import type { FieldRule, MappingSpec } from '../../../core/records';

/** A spec as the Field Mapper builds it per item when a Fixed Value and a Default Value are expressions. */
const specFor = (i: number): MappingSpec => ({
	rules: [
		{
			target: 'Email',
			source: 'email',
			transforms: [{ type: 'trim' }, { type: 'lowercase' }],
			type: 'email',
			required: true,
		},
		{
			target: 'Domain',
			constant: `host${i}.example.com`,
			transforms: [{ type: 'uppercase' }],
			type: 'string',
		},
		{ target: 'Score', source: 'score', default: i % 7, type: 'integer', max: 5 },
	],
});

describe('MappingCache', () => {
	it("compiles specs that differ only in constants and defaults once, and maps with each spec's own values", () => {
		const cache = new MappingCache();
		for (let i = 0; i < 5_000; i++) {
			const input = { email: ` User${i}@Example.com `, score: i % 3 === 0 ? '' : 2 };
			const result = cache.get(specFor(i)).map(input, `Item ${i}`);
			if (i % 250 === 0 || i % 7 === 6)
				expect(result).toEqual(compileMapping(specFor(i)).map(input, `Item ${i}`));
			if (i === 3)
				expect(result).toEqual({
					ok: true,
					value: { Email: 'user3@example.com', Domain: 'HOST3.EXAMPLE.COM', Score: 3 },
				});
		}
		expect(cache.compiles).toBe(1);
		expect(cache.size).toBe(1);
		// The default of item 6 is 6, over the rule's max: its own value is checked, not the first spec's.
		const six = cache.get(specFor(6)).map({ email: 'a@b.co' }, 'Item 6');
		expect(six.ok).toBe(false);
		expect(!six.ok && six.issues[0].message).toMatch(/Item 6, field "Score": 6 .*5/);
	});

	it('holds at most maxEntries compiled specs when specs differ elsewhere, dropping the least recently used', () => {
		const cache = new MappingCache(8);
		const byTarget = (n: number): MappingSpec => ({
			rules: [{ target: `Field${n}`, source: 'v' }],
		});
		for (let n = 0; n < 1_000; n++) {
			expect(cache.get(byTarget(n)).map({ v: n })).toEqual({
				ok: true,
				value: { [`Field${n}`]: n },
			});
			cache.get(byTarget(0)); // kept in use: never dropped
			expect(cache.size).toBeLessThanOrEqual(8);
		}
		expect(cache.compiles).toBe(1_000);
		cache.get(byTarget(0));
		cache.get(byTarget(999));
		expect(cache.compiles).toBe(1_000);
		cache.get(byTarget(1)); // dropped long ago
		expect(cache.compiles).toBe(1_001);
	});

	it('tells a rule with a constant or default from one without (they compile differently)', () => {
		const cache = new MappingCache();
		const withDefault: FieldRule = { target: 'a', source: 'x', default: 'none' };
		expect(cache.get({ rules: [withDefault] }).map({})).toEqual({ ok: true, value: { a: 'none' } });
		expect(cache.get({ rules: [{ target: 'a', source: 'x' }] }).map({})).toEqual({
			ok: true,
			value: {},
		});
		expect(cache.get({ rules: [{ target: 'a', source: 'x', default: null }] }).map({})).toEqual({
			ok: true,
			value: { a: null },
		});
		expect(cache.compiles).toBe(2);
		expect(cache.get({ rules: [{ target: 'a', constant: 'k' }] }).map({})).toEqual({
			ok: true,
			value: { a: 'k' },
		});
		expect(cache.get({ rules: [{ target: 'a', constant: '' }] }).map({})).toEqual({
			ok: true,
			value: { a: '' },
		});
		expect(cache.compiles).toBe(3);
	});

	it('throws the same MappingSpecError as compileMapping for an unusable spec, and caches nothing', () => {
		const cache = new MappingCache();
		const bad = { rules: [{ target: 'a', source: 'x', constant: 1 }] } as MappingSpec;
		expect(() => cache.get(bad)).toThrow(MappingSpecError);
		expect(() => cache.get(bad)).toThrow(
			/rule 1 \(target "a"\): has both a source \("x"\) and a constant/,
		);
		expect(cache.size).toBe(0);
		expect(() => cache.get({ rules: [] })).toThrow(/has no rules/);
	});
});
