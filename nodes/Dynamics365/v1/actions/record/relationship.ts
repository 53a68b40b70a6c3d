/** What Associate and Disassociate share: their parameters and the batched run through `DynamicsCrm.relate`. */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import type { RelateInput } from '../../../../../core/connectors/dynamics/relate';
import {
	collect,
	describeError,
	perItemRun,
	rejectItem,
	resultsToItems,
} from '../../../../shared/items';
import { groupByTable } from '../common';

type RelateOperation = 'associate' | 'disassociate';

/** The parameters of Associate or Disassociate. */
export function relationshipProperties(operation: RelateOperation): INodeProperties[] {
	const show = { resource: ['record'], operation: [operation] };
	const associate = operation === 'associate';
	return [
		{
			displayName: 'Row ID',
			name: 'recordId',
			type: 'string',
			required: true,
			default: '',
			description: `ID (GUID) of the row of the table above to ${associate ? 'link from' : 'unlink from'}`,
			displayOptions: { show },
		},
		{
			displayName: 'Relationship Name or ID',
			name: 'relationship',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getRelationships', loadOptionsDependsOn: ['table'] },
			required: true,
			default: '',
			description:
				'The relationship\'s navigation property on the table above, as the Web API names it (case matters): for rows of another table that point at this row, or a many-to-many relationship, the relationship name (e.g. contact_customer_accounts on accounts, accountleads_association); for a lookup column of this table, the lookup\'s navigation property (e.g. primarycontactid, parentcustomerid_account). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			hint: "Listed from the table's relationship metadata; if the list cannot load, type the navigation property as an expression (e.g. contact_customer_accounts)",
			displayOptions: { show },
		},
		...(associate
			? [
					{
						displayName: 'Related Table Name or ID',
						name: 'relatedTable',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getTables' },
						required: true,
						default: '',
						description:
							'The table of the row to link to (its entity set name, e.g. contacts). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
						displayOptions: { show },
					} as INodeProperties,
				]
			: []),
		{
			displayName: 'Related Row ID',
			name: 'relatedId',
			type: 'string',
			required: associate,
			default: '',
			description: associate
				? 'ID (GUID) of the row to link to'
				: 'ID (GUID) of the linked row to unlink. Leave empty when the relationship is a lookup column of the table above: the lookup is cleared.',
			displayOptions: { show },
		},
	];
}

/** Adds or removes one link per item, batched per table; each item gets its own result. */
export async function runRelate(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
	operation: RelateOperation,
): Promise<INodeExecutionData[]> {
	return await perItemRun(ctx, items.length, async (out) => {
		for (const [table, indexes] of groupByTable(ctx, items.length)) {
			const inputs: RelateInput[] = [];
			const shown = new Map<number, IDataObject>();
			const sent: number[] = [];
			for (const i of indexes) {
				const input: RelateInput = {
					id: String(ctx.getNodeParameter('recordId', i) ?? '').trim(),
					relationship: String(ctx.getNodeParameter('relationship', i) ?? '').trim(),
					relatedId: String(ctx.getNodeParameter('relatedId', i, '') ?? '').trim() || undefined,
				};
				const json: IDataObject = { table, id: input.id, relationship: input.relationship };
				if (operation === 'associate') {
					const relatedTable = String(ctx.getNodeParameter('relatedTable', i) ?? '');
					try {
						input.related = await connector.describe(relatedTable);
					} catch (error) {
						rejectItem(ctx, out, i, {
							...describeError(error),
							message: `Item ${i}: the related table "${relatedTable}" — ${(error as Error).message}`,
						});
						continue;
					}
					json.relatedTable = input.related.name;
				}
				if (input.relatedId) json.relatedId = input.relatedId;
				inputs.push(input);
				shown.set(i, json);
				sent.push(i);
			}
			if (!inputs.length) continue;
			const results = await connector.relate(operation, table, inputs);
			const done = operation === 'associate' ? 'associated' : 'disassociated';
			collect(
				out,
				resultsToItems(
					ctx,
					results,
					sent,
					(value, itemIndex) => ({
						[done]: true,
						...shown.get(itemIndex),
						singleValued: value.singleValued,
					}),
					done,
				),
			);
		}
	});
}
