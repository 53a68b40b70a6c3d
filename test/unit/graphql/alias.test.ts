/** Aliased copies of one operation are built on the syntax tree: comments, strings and fragments survive. */
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { buildAliasedRequest, mapAliasedResult, parseAliasTemplate } from '../../../core/graphql';

describe('buildAliasedRequest', () => {
	it('aliases each copy, renames its variables and declares them once per copy', () => {
		const template = parseAliasTemplate(
			'mutation Create($input: ContactInput!) { createContact(input: $input) { contact { id } } }',
		);
		const req = buildAliasedRequest(template, [
			{ input: { email: 'a@x.io' } },
			{ input: { email: 'b@x.io' } },
		]);
		expect(req.query).toBe(
			print(
				parse(`mutation Create($input0: ContactInput!, $input1: ContactInput!) {
					m0: createContact(input: $input0) { contact { id } }
					m1: createContact(input: $input1) { contact { id } } }`),
			),
		);
		expect(req.variables).toEqual({ input0: { email: 'a@x.io' }, input1: { email: 'b@x.io' } });
		expect([...req.variableOwner]).toEqual([
			['input0', 0],
			['input1', 1],
		]);
		expect(req.aliases).toEqual([
			[{ alias: 'm0', responseKey: 'createContact' }],
			[{ alias: 'm1', responseKey: 'createContact' }],
		]);
	});

	it('keeps braces in strings and comments, fragments once, shared variables unrenamed', () => {
		const template = parseAliasTemplate(
			`# a comment with } and $input in it
			mutation($id: ID!, $note: String, $fields: [String!]) {
				saved: updateContact(id: $id, input: {lastName: "}{ $id", tags: $fields}) { ...Out }
				log(text: $note)
			}
			fragment Out on UpdateContactPayload { contact { id } }`,
			['note'],
		);
		const req = buildAliasedRequest(template, [{ id: '1', fields: ['a'] }, { id: '2' }], {
			note: 'shared',
		});
		const doc = parse(req.query);
		const op = doc.definitions[0] as OperationDefinitionNode;
		expect(op.variableDefinitions!.map((d) => d.variable.name.value)).toEqual([
			'note',
			'id0',
			'fields0',
			'id1',
			'fields1',
		]);
		expect(doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)).toHaveLength(1);
		expect(req.query).toContain(
			'm0_0: updateContact(id: $id0, input: {lastName: "}{ $id", tags: $fields0})',
		);
		expect(req.query).toContain('m1_1: log(text: $note)');
		expect(req.variables).toEqual({ note: 'shared', id0: '1', fields0: ['a'], id1: '2' });
		expect(req.aliases[1]).toEqual([
			{ alias: 'm1_0', responseKey: 'saved' },
			{ alias: 'm1_1', responseKey: 'log' },
		]);
	});

	it('refuses templates it cannot copy safely', () => {
		expect(() => parseAliasTemplate('mutation { a } mutation { b }')).toThrow(
			/exactly one operation/,
		);
		expect(() =>
			parseAliasTemplate('mutation($x: ID) { ...F } fragment F on Mutation { a(id: $x) }'),
		).toThrow(/root selections of the operation must be fields/);
		expect(() =>
			parseAliasTemplate('mutation($x: ID) { a { ...F } } fragment F on A { b(id: $x) }'),
		).toThrow(/\$x is used inside a fragment/);
		// $a and $a1 would give $a10 twice (item 10 of $a, item 0 of $a1): the copies are numbered after `_` instead
		const close = parseAliasTemplate('mutation($a: ID, $a1: ID) { x(a: $a, b: $a1) }');
		const twelve = buildAliasedRequest(
			close,
			Array.from({ length: 12 }, (_, i) => ({ a: i, a1: -i })),
		);
		expect(twelve.variables).toMatchObject({ a_10: 10, a1_0: -0, a_1: 1, a1_1: -1 });
		expect(new Set(twelve.variableOwner.keys()).size).toBe(24);
		const shared = parseAliasTemplate(
			'mutation($a: ID, $a0: ID, $a_0: ID) { x(a: $a, b: $a0, c: $a_0) }',
			['a0', 'a_0'],
		);
		expect(() => buildAliasedRequest(shared, [{}])).toThrow(/\$a_0 \(for item 0\) would clash/);
		expect(() => parseAliasTemplate('mutation { a(')).toThrow(/does not parse/);
	});
});

describe('mapAliasedResult', () => {
	const req = buildAliasedRequest(parseAliasTemplate('mutation($i: In) { create(i: $i) { id } }'), [
		{},
		{},
		{},
	]);

	it('maps errors to items by path[0]; items with data and no error succeed', () => {
		const outcomes = mapAliasedResult(req, {
			data: { m0: { id: '1' }, m1: null, m2: { id: '3' } },
			errors: [
				{
					message: 'bad email',
					path: ['m1'],
					extensions: { code: 'BAD_USER_INPUT', field: 'email' },
				},
			],
		});
		expect(outcomes).toEqual([
			{ ok: true, value: { create: { id: '1' } } },
			{
				ok: false,
				error: {
					message: 'bad email (BAD_USER_INPUT at m1)',
					code: 'BAD_USER_INPUT',
					details: {
						field: 'email',
						path: ['m1'],
						extensions: { code: 'BAD_USER_INPUT', field: 'email' },
					},
				},
			},
			{ ok: true, value: { create: { id: '3' } } },
		]);
	});

	it('an error without a path fails every item; null without an error is an unknown outcome, not a success', () => {
		const pathless = mapAliasedResult(req, {
			data: { m0: { id: '1' }, m1: { id: '2' }, m2: { id: '3' } },
			errors: [{ message: 'Internal error' }],
		});
		expect(pathless.every((o) => !o.ok && o.error.message === 'Internal error')).toBe(true);
		const silent = mapAliasedResult(req, { data: { m0: { id: '1' }, m1: null, m2: { id: '3' } } });
		expect(silent.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual([
			'ok',
			'OUTCOME_UNKNOWN',
			'ok',
		]);
		// a non-null root field's error nulls all data: the copies without an error of their own may have run
		const nulled = mapAliasedResult(req, { data: null, errors: [{ message: 'no', path: ['m2'] }] });
		expect(nulled.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual([
			'OUTCOME_UNKNOWN',
			'OUTCOME_UNKNOWN',
			undefined,
		]);
		expect(nulled[0].ok ? '' : nulled[0].error.message).toMatch(/whole data was null/);
	});
});
