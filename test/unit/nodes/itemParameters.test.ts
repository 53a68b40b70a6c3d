/**
 * The per-item parameter reader: a parameter without an expression is evaluated once for all items; a resource
 * mapper whose expressions are all in its values has only its value evaluated per item; anything else as n8n does.
 * Counted on a stand-in for n8n's execution context that resolves `={{ $json.<key> }}` only.
 */
import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import { ItemParameters, hasExpression, jsonFieldOf } from '../../../nodes/shared/itemParameters';

function context(parameters: INodeParameters, items: Array<Record<string, unknown>>) {
	const calls: string[] = [];
	const get = (name: string): unknown =>
		name.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], parameters);
	const resolve = (value: unknown, i: number): unknown => {
		if (typeof value === 'string' && value.startsWith('=')) {
			const key = /\$json\.(\w+)/.exec(value)?.[1];
			return key ? items[i][key] : value.slice(1);
		}
		if (Array.isArray(value)) return value.map((v) => resolve(v, i));
		if (value !== null && typeof value === 'object')
			return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, i)]));
		return value;
	};
	const ctx = {
		getNode: () => ({ parameters }),
		getInputData: () => items.map((json) => ({ json })),
		getNodeParameter: (name: string, i: number, fallback?: unknown) => {
			calls.push(`${name}#${i}`);
			return resolve(get(name) ?? fallback, i);
		},
	} as unknown as IExecuteFunctions;
	return { reader: new ItemParameters(ctx), calls };
}

const items: Array<Record<string, unknown>> = [
	{ last: 'A', mail: 'a@x.io' },
	{ last: 'B', mail: 'b@x.io' },
	{ last: 'C', mail: 'c@x.io' },
];

describe('ItemParameters', () => {
	it('finds expressions anywhere in a raw value', () => {
		expect(hasExpression('={{ 1 }}')).toBe(true);
		expect(hasExpression({ a: [1, { b: '=x' }] })).toBe(true);
		expect(hasExpression({ a: ['x=', 1, null], b: { c: 'plain' } })).toBe(false);
	});

	it('evaluates a parameter without an expression once, and one with an expression per item', () => {
		const { reader, calls } = context(
			{ object: { __rl: true, mode: 'name', value: 'Contact' }, other: '={{ $json.last }}' },
			items,
		);
		const objects = items.map((_, i) => reader.get('object', i));
		const others = items.map((_, i) => reader.get('other', i));
		expect(objects.map((o) => (o as { value: string }).value)).toEqual([
			'Contact',
			'Contact',
			'Contact',
		]);
		expect(others).toEqual(['A', 'B', 'C']);
		expect(calls).toEqual(['object#0', 'other#0', 'other#1', 'other#2']);
	});

	it('recognises a value that only reads an input field', () => {
		expect(jsonFieldOf('={{ $json.LastName }}')).toBe('LastName');
		expect(jsonFieldOf('={{$json["Last Name"]}}')).toBe('Last Name');
		expect(jsonFieldOf("={{ $json['x'] }}")).toBe('x');
		for (const other of [
			'={{ $json.a.b }}',
			'={{ $json.a + 1 }}',
			'={{ $json.__proto__ }}',
			'=x{{ $json.a }}',
			'={{ $json.a }} ',
			'{{ $json.a }}',
			'={{ $("Node").item.json.a }}',
		])
			expect(jsonFieldOf(other)).toBeUndefined();
	});

	it("reads a mapper's `$json.Field` values from the item, shares its schema, and evaluates nothing", () => {
		const schema = [{ id: 'LastName', removed: false }];
		const { reader, calls } = context(
			{
				fields: {
					mappingMode: 'defineBelow',
					value: { LastName: '={{ $json.last }}', Title: 'Static', Email: '={{ $json["mail"] }}' },
					matchingColumns: ['Email'],
					schema,
				},
			},
			items,
		);
		const mapped = items.map((_, i) => reader.mapper('fields', i, {}));
		expect(mapped.map((m) => m.value)).toEqual([
			{ LastName: 'A', Title: 'Static', Email: 'a@x.io' },
			{ LastName: 'B', Title: 'Static', Email: 'b@x.io' },
			{ LastName: 'C', Title: 'Static', Email: 'c@x.io' },
		]);
		expect(mapped[2].schema).toBe(schema); // shared, not copied per item
		expect(calls).toEqual([]);
		expect(items.map((_, i) => reader.matchingColumns('fields', i))).toEqual([
			['Email'],
			['Email'],
			['Email'],
		]);
		expect(calls).toEqual(['fields.matchingColumns#0']);
	});

	it("has n8n evaluate a mapper's value (not its schema) for an item whose field is not a plain value, or for other expressions", () => {
		const odd = [{ last: 'A' }, { last: { nested: true } }, { last: null }, {}, { last: 7 }];
		const direct = context(
			{ fields: { mappingMode: 'defineBelow', value: { LastName: '={{ $json.last }}' } } },
			odd,
		);
		expect(odd.map((_, i) => direct.reader.mapper('fields', i, {}).value)).toEqual([
			{ LastName: 'A' },
			{ LastName: { nested: true } },
			{ LastName: null },
			{ LastName: undefined },
			{ LastName: 7 },
		]);
		expect(direct.calls).toEqual(['fields.value#1', 'fields.value#2', 'fields.value#3']);
		const computed = context(
			{
				fields: {
					mappingMode: 'defineBelow',
					value: { LastName: '={{ $json.last }}', Title: '={{ $parameter["&LastName"] }}' },
				},
			},
			items,
		);
		items.forEach((_, i) => computed.reader.mapper('fields', i, {}));
		expect(computed.calls).toEqual(['fields.value#0', 'fields.value#1', 'fields.value#2']);
	});

	it('evaluates the whole mapper per item when an expression is outside its value', () => {
		for (const fields of [
			{ mappingMode: '={{ "defineBelow" }}', value: { LastName: 'x' } },
			{ mappingMode: 'defineBelow', value: { LastName: 'x' }, schema: [{ id: '={{ 1 }}' }] },
			'={{ $json.last }}',
		]) {
			const { reader, calls } = context({ fields } as INodeParameters, items);
			items.forEach((_, i) => reader.mapper('fields', i, {}));
			expect(calls).toEqual(['fields#0', 'fields#1', 'fields#2']);
		}
	});
});
