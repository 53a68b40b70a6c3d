/**
 * Conflict Resolver through n8n's real engine: Manual Trigger → Items (a Code node) → Conflict Resolver, with the
 * node's two outputs (Resolved, Review) and its error output (On Error: Continue (using error output)).
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { nodeTypeName, runWorkflow, type WorkflowRun } from '../helpers/engine';

const RESOLVER = 'Conflict Resolver';

const trigger: INode = {
	id: 'trigger',
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

async function resolve(
	items: IDataObject[],
	parameters: INode['parameters'],
	onError: INode['onError'] = 'continueErrorOutput',
): Promise<{
	run: WorkflowRun;
	resolved: IDataObject[];
	review: IDataObject[];
	errors: IDataObject[];
}> {
	const run = await runWorkflow({
		id: 'conflict-resolver-workflow',
		nodes: [
			trigger,
			{
				id: 'items',
				name: 'Items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` },
			},
			{
				id: 'resolver',
				name: RESOLVER,
				type: nodeTypeName('conflictResolver'),
				typeVersion: 1,
				position: [400, 0],
				parameters,
				...(onError ? { onError } : {}),
			},
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: RESOLVER, type: 'main', index: 0 }]] },
		},
	});
	if (run.error) return { run, resolved: [], review: [], errors: [] };
	const out = run.outputs[RESOLVER];
	const json = (k: number) => (out[k] ?? []).map((i) => i.json);
	return { run, resolved: json(0), review: json(1), errors: json(2) };
}

/** A conflict as a CRM Sync Conflicts output has it (ids left out). */
const conflict = (
	field: string,
	a: IDataObject[string],
	b: IDataObject[string],
	extra: IDataObject = {},
): IDataObject => ({
	field: `${field}/${field.toLowerCase()}`,
	fieldA: field,
	fieldB: field.toLowerCase(),
	base: { a: 'old', b: 'old' },
	a,
	b,
	strategy: 'review',
	...extra,
});

const CONFLICTS = [
	conflict('FirstName', 'Ada', 'Adah'),
	conflict('Phone', '', '+1 555'),
	conflict('City', 'Paris', null),
];

describe('Conflict Resolver: CRM Sync Conflicts items', () => {
	it.each([
		['aWins', ['a', 'a', 'a'], ['Ada', '', 'Paris']],
		['bWins', ['b', 'b', 'b'], ['Adah', '+1 555', null]],
		['aUnlessBlank', ['a', 'b', 'a'], ['Ada', '+1 555', 'Paris']],
		['bUnlessBlank', ['b', 'b', 'a'], ['Adah', '+1 555', 'Paris']],
	])('strategy %s settles every conflict by the engine rule', async (strategy, winners, values) => {
		const { resolved, review, errors } = await resolve(CONFLICTS, { strategy });
		expect(review).toEqual([]);
		expect(errors).toEqual([]);
		expect(resolved.map((r) => r.winner)).toEqual(winners);
		expect(resolved.map((r) => r.resolvedValue)).toEqual(values);
		expect(resolved.map((r) => r.resolvedBy)).toEqual([strategy, strategy, strategy]);
		// the conflict's own fields pass through, so the item can go on to CRM Sync › Resolve Conflicts
		expect(resolved[0]).toMatchObject({ field: 'FirstName/firstname', a: 'Ada', b: 'Adah' });
	});

	it('A Unless Blank says why B won', async () => {
		const { resolved } = await resolve([CONFLICTS[1]], { strategy: 'aUnlessBlank' });
		expect(resolved[0].reason).toBe("A Unless Blank: A is blank, B's value kept");
	});

	it('Review sends every item to the Review output, unchanged but for why', async () => {
		const { resolved, review } = await resolve(CONFLICTS, { strategy: 'review' });
		expect(resolved).toEqual([]);
		expect(review).toEqual(
			CONFLICTS.map((c) => ({ ...c, resolvedBy: 'review', reason: expect.any(String) })),
		);
	});

	it('per-field strategies override the node strategy (by side A, side B or the pair key)', async () => {
		const { resolved, review } = await resolve(CONFLICTS, {
			strategy: 'review',
			fieldStrategies: {
				rules: [
					{ field: 'FirstName', strategy: 'bWins' },
					{ field: 'phone', strategy: 'bUnlessBlank' },
				],
			},
		});
		expect(resolved.map((r) => [r.fieldA, r.winner, r.resolvedBy])).toEqual([
			['FirstName', 'b', 'bWins'],
			['Phone', 'b', 'bUnlessBlank'],
		]);
		expect(review.map((r) => r.fieldA)).toEqual(['City']);
	});

	it('Most Recent without update times sends the items to Review and says to set them', async () => {
		const { resolved, review } = await resolve(CONFLICTS, { strategy: 'mostRecent' });
		expect(resolved).toEqual([]);
		expect(review).toHaveLength(3);
		expect(review[0].reason).toMatch(/^Most Recent: no update time for A and B — set A Updated At/);
	});

	it('Most Recent with update times: the later side wins; a tie goes to Review', async () => {
		const t1 = '2026-01-01T10:00:00Z';
		const t2 = '2026-01-02T10:00:00Z';
		const { resolved, review } = await resolve(
			[
				{ ...CONFLICTS[0], aUpdatedAt: t1, bUpdatedAt: t2 },
				{ ...CONFLICTS[1], aUpdatedAt: t2, bUpdatedAt: t1 },
				{ ...CONFLICTS[2], aUpdatedAt: t1, bUpdatedAt: t1 },
				{ ...CONFLICTS[2], aUpdatedAt: t1 },
			],
			{ strategy: 'mostRecent' },
		);
		expect(resolved.map((r) => [r.fieldA, r.winner, r.resolvedValue])).toEqual([
			['FirstName', 'b', 'Adah'],
			['Phone', 'a', ''],
		]);
		expect(review.map((r) => r.reason)).toEqual([
			'Most Recent: both records have the same update time',
			expect.stringMatching(/^Most Recent: no update time for B /),
		]);
	});

	it('Custom Rules: the first rule that holds settles (keep a side or set a value); none → Review', async () => {
		const { resolved, review } = await resolve(CONFLICTS, {
			strategy: 'custom',
			customRules: {
				rules: [
					{ when: 'aBlank', then: 'b' },
					{ when: 'bLonger', then: 'value', value: 'Ada Lovelace', fields: 'FirstName' },
				],
			},
		});
		expect(resolved.map((r) => [r.fieldA, r.winner, r.value, r.resolvedValue])).toEqual([
			['FirstName', undefined, 'Ada Lovelace', 'Ada Lovelace'],
			['Phone', 'b', undefined, '+1 555'],
		]);
		expect(review.map((r) => [r.fieldA, r.reason])).toEqual([
			['City', 'Custom Rules: no rule holds (or the rule says Send to Review)'],
		]);
	});

	it('invalid items go to the error output naming the field and the fix; the others are resolved', async () => {
		const { resolved, review, errors } = await resolve(
			[CONFLICTS[0], { a: 'x', b: 'y' }, { field: 'Email', a: 'x' }],
			{ strategy: 'aWins' },
		);
		expect(resolved).toHaveLength(1);
		expect(review).toEqual([]);
		expect(errors).toEqual([
			expect.objectContaining({
				error: expect.stringMatching(/^field: missing — Input Shape "CRM Sync Conflicts"/),
			}),
			expect.objectContaining({
				error: expect.stringMatching(/^b: missing on the conflict of field "Email"/),
			}),
		]);
	});

	it('with On Error Stop Workflow, an invalid item stops the workflow naming the item', async () => {
		const { run } = await resolve(
			[CONFLICTS[0], { a: 'x', b: 'y' }],
			{ strategy: 'aWins' },
			'stopWorkflow',
		);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toMatch(/^field: missing/);
		expect((run.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});
});

describe('Conflict Resolver: pair of records', () => {
	const a = {
		email: 'ada@example.com',
		name: 'Ada',
		phone: '',
		city: 'Paris',
		updatedAt: '2026-01-01T00:00:00Z',
	};
	const b = {
		email: 'ADA@example.com ',
		name: 'Ada L.',
		phone: '+1 555',
		city: 'London',
		updatedAt: '2026-02-01T00:00:00Z',
	};

	it('merges two duplicate records field by field (A Unless Blank, one field B Wins)', async () => {
		const { resolved, review } = await resolve([{ a, b }], {
			inputShape: 'pair',
			strategy: 'aUnlessBlank',
			fieldStrategies: { rules: [{ field: 'city', strategy: 'bWins' }] },
		});
		expect(review).toEqual([]);
		expect(resolved).toHaveLength(1);
		expect(resolved[0].merged).toEqual({
			email: 'ada@example.com',
			name: 'Ada',
			phone: '+1 555',
			city: 'London',
			updatedAt: '2026-01-01T00:00:00Z',
		});
		expect(resolved[0].resolved).toMatchObject({
			phone: { winner: 'b', value: '+1 555', resolvedBy: 'aUnlessBlank' },
			city: { winner: 'b', value: 'London', resolvedBy: 'bWins' },
		});
	});

	it('e-mails compare without case, date-times as instants: no review over "ADA@" or ".000Z"', async () => {
		const { resolved, review } = await resolve(
			[
				{
					a: { email: 'ada@example.com', seen: '2026-01-01T10:00:00Z', name: 'Ada' },
					b: { email: ' ADA@Example.com', seen: '2026-01-01T10:00:00.000+00:00', name: 'ada' },
				},
			],
			{ inputShape: 'pair', strategy: 'review', fieldsToCompare: 'list', fields: 'email, seen' },
		);
		expect(review).toEqual([]);
		expect(resolved[0].merged).toEqual({ email: 'ada@example.com', seen: '2026-01-01T10:00:00Z' });
	});

	it('Most Recent takes the update times from the records; only the selected fields are compared', async () => {
		const { resolved } = await resolve([{ a, b }], {
			inputShape: 'pair',
			strategy: 'mostRecent',
			fieldsToCompare: 'list',
			fields: 'name, city',
		});
		expect(resolved[0].merged).toEqual({ name: 'Ada L.', city: 'London' });
		expect(resolved[0].resolved).toMatchObject({
			name: { winner: 'b', reason: expect.stringMatching(/^Most Recent: B changed last/) },
		});
	});

	it('unsettled fields send the pair to Review with base, A and B per field', async () => {
		const base = { name: 'Ada', city: 'Berlin' };
		const { resolved, review } = await resolve([{ a, b, base }], {
			inputShape: 'pair',
			strategy: 'review',
			base: '={{ $json.base }}',
			fieldsToCompare: 'list',
			fields: 'name,city',
			fieldStrategies: { rules: [{ field: 'name', strategy: 'aWins' }] },
		});
		expect(resolved).toEqual([]);
		expect(review).toHaveLength(1);
		expect(review[0].unsettled).toEqual({
			city: {
				base: 'Berlin',
				a: 'Paris',
				b: 'London',
				resolvedBy: 'review',
				reason: expect.any(String),
			},
		});
		expect(review[0].merged).toEqual({ name: 'Ada' });
	});

	it('a record that is not an object goes to the error output with the parameter to fix', async () => {
		const { resolved, errors } = await resolve([{ a, b }, { a, b: 'nope' }, { a }], {
			inputShape: 'pair',
			strategy: 'aWins',
		});
		expect(resolved).toHaveLength(1);
		expect(errors.map((e) => e.error)).toEqual([
			expect.stringMatching(/^Record B: not JSON of a record — set Record B to an object/),
			expect.stringMatching(/^Record B: empty — set Record B to the record's fields as an object/),
		]);
	});
});
