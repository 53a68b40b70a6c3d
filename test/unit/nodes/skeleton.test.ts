/** The per-item skeleton both action nodes share (nodes/shared/items.ts, nodes/shared/router.ts), with a minimal n8n context. */
import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { BatchItemResult } from '../../../core/batching/types';
import { CrmError } from '../../../core/http/errors';
import {
	errorItem,
	forEachItem,
	perItemRun,
	resultsToItems,
	writeSuccess,
} from '../../../nodes/shared/items';
import { router, type Operations } from '../../../nodes/shared/router';

const NODE: INode = {
	id: 'n',
	name: 'CRM',
	type: 'test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function context(
	continueOnFail: boolean,
	items: INodeExecutionData[] = [],
	params: Record<string, unknown> = {},
): IExecuteFunctions {
	return {
		continueOnFail: () => continueOnFail,
		getNode: () => NODE,
		getInputData: () => items,
		getNodeParameter: (name: string) => params[name],
	} as unknown as IExecuteFunctions;
}

const results: Array<BatchItemResult<{ id: string }>> = [
	{
		index: 1,
		ok: false,
		error: {
			message: 'Email: required',
			code: 'REQUIRED_FIELD_MISSING',
			details: { fields: ['Email'] },
		},
	},
	{ index: 0, ok: true, value: { id: 'a' } },
	{ index: 2, ok: true, value: { id: 'c' } },
];

describe('one error-item shape', () => {
	it('is { error, details: { code, …details } } paired with its item; a missing code is ERROR', () => {
		expect(errorItem({ message: 'bad', code: 'X', details: { field: 'Email' } }, 3)).toEqual({
			json: { error: 'bad', details: { field: 'Email', code: 'X' } },
			pairedItem: { item: 3 },
		});
		expect(errorItem({ message: 'bad' }, 0).json).toEqual({
			error: 'bad',
			details: { code: 'ERROR' },
		});
		// the error's own code wins over a `code` among the details
		expect(
			errorItem({ message: 'bad', code: 'X', details: { code: 'Y' } }, 0).json.details,
		).toEqual({ code: 'X' });
	});
});

describe('resultsToItems', () => {
	it('puts every input on one output, in input order, mapped back to its item index', () => {
		const out = resultsToItems(context(true), results, [10, 11, 12], writeSuccess, 'created');
		expect(out).toEqual([
			{ json: { success: true, id: 'a' }, pairedItem: { item: 10 } },
			{
				json: {
					error: 'Email: required',
					details: { fields: ['Email'], code: 'REQUIRED_FIELD_MISSING' },
				},
				pairedItem: { item: 11 },
			},
			{ json: { success: true, id: 'c' }, pairedItem: { item: 12 } },
		]);
	});
	it('without "Continue" throws one error naming the first failed item and the tally', () => {
		expect(() =>
			resultsToItems(context(false), results, [10, 11, 12], writeSuccess, 'created'),
		).toThrow(
			expect.objectContaining({
				message: 'Item 11: Email: required',
				description: expect.stringMatching(/^2 of 3 records were created; 1 failed \(items 11\)/),
			}),
		);
	});
});

describe('forEachItem', () => {
	const items = [{ json: {} }, { json: {} }, { json: {} }];
	const crm = new CrmError('Salesforce refused: INVALID_FIELD', {
		kind: 'validation',
		status: 400,
		crmCode: 'INVALID_FIELD',
		hint: 'Check the field name',
	});
	const run = (ctx: IExecuteFunctions) =>
		forEachItem(ctx, items, async (i, emit) => {
			emit({ i });
			if (i === 1) throw crm;
		});
	it('keeps what an item emitted before it failed, then its error item (CRM code, status, fix)', async () => {
		expect(await run(context(true))).toEqual([
			{ json: { i: 0 }, pairedItem: { item: 0 } },
			{ json: { i: 1 }, pairedItem: { item: 1 } },
			{
				json: {
					error: crm.message,
					details: { code: 'INVALID_FIELD', status: 400, hint: 'Check the field name' },
				},
				pairedItem: { item: 1 },
			},
			{ json: { i: 2 }, pairedItem: { item: 2 } },
		]);
	});
	it('without "Continue" throws a NodeApiError for the item', async () => {
		const error = await run(context(false)).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error).toMatchObject({
			message: crm.message,
			httpCode: '400',
			context: { itemIndex: 1 },
		});
	});
});

describe('perItemRun', () => {
	it('turns a whole-run failure into one error item per item without a result', async () => {
		const out = await perItemRun(context(true), 3, async (map) => {
			map.set(0, [{ json: { id: 'a' }, pairedItem: { item: 0 } }]);
			throw new NodeOperationError(NODE, 'Batch Size 0 is not allowed', {
				description: 'set 1 to 200',
			});
		});
		expect(out.map((item) => item.json)).toEqual([
			{ id: 'a' },
			{ error: 'Batch Size 0 is not allowed — set 1 to 200', details: { code: 'NODE_SETTINGS' } },
			{ error: 'Batch Size 0 is not allowed — set 1 to 200', details: { code: 'NODE_SETTINGS' } },
		]);
	});
});

describe('router', () => {
	const calls: string[] = [];
	const operations: Operations<string> = {
		record: {
			create: {
				description: [],
				async execute(items, connector) {
					calls.push(connector);
					return items.map((_, i) => ({ json: { connector }, pairedItem: { item: i } }));
				},
			},
		},
	};
	const execute = router(operations, async () => 'connector-1');
	it('opens the connector once and hands it to the operation', async () => {
		const ctx = context(false, [{ json: {} }, { json: {} }], {
			resource: 'record',
			operation: 'create',
		});
		const out = await execute.call(ctx);
		expect(out[0]).toHaveLength(2);
		expect(calls).toEqual(['connector-1']);
	});
	it('refuses an unknown operation (also an inherited name) — as error items under "Continue"', async () => {
		const ctx = context(true, [{ json: {} }, { json: {} }], {
			resource: 'record',
			operation: 'toString',
		});
		const out = await execute.call(ctx);
		expect(out[0].map((item) => item.json.error)).toEqual([
			'The operation "toString" of "record" is not supported',
			'The operation "toString" of "record" is not supported',
		]);
		await expect(
			execute.call(context(false, [{ json: {} }], { resource: 'nope', operation: 'create' })),
		).rejects.toThrow('The operation "create" of "nope" is not supported');
	});
});
