import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';
import {
	SOQL_OPERATORS,
	type SoqlCondition,
	type SoqlOperator,
	soqlOrderBy,
	soqlWhere,
} from '../../../../../core/connectors/salesforce/filter';
import { toFieldSchema } from '../../../../../core/connectors/salesforce/schema';
import { getObjectName, limitProperties, objectLocator, recordJson } from '../common';
import { forEachItem } from '../../../../shared/items';

const show = { resource: ['record'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	...limitProperties(show),
	{
		displayName: 'Field Names or IDs',
		name: 'fieldNames',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
		default: [],
		description:
			'Fields to return: every field of the object when empty (choosing only the fields you need makes large reads faster). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show },
	},
	{
		displayName: 'Conditions',
		name: 'conditions',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Condition',
		default: {},
		description: 'All conditions must match. Values are bound safely as SOQL literals.',
		displayOptions: { show },
		options: [
			{
				displayName: 'Condition',
				name: 'condition',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'field',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: (Object.keys(SOQL_OPERATORS) as SoqlOperator[]).map((key) => ({
							name: SOQL_OPERATORS[key],
							value: key,
						})),
						description:
							"IS EMPTY / IS NOT EMPTY compare with null (the Value is ignored); every other value is bound as the field's type, so a text field compares with text",
						default: 'equal',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'For IN / NOT IN: comma-separated values or a JSON array',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Sort By Field Name or ID',
				name: 'sortBy',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['object.value'] },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Sort Direction',
				name: 'sortDirection',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'ASC' },
					{ name: 'Descending', value: 'DESC' },
				],
				default: 'ASC',
			},
			{
				displayName: 'Include Deleted',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				description: 'Whether to include deleted and archived records (queryAll)',
			},
		],
	},
];

/** Reads records of an object, streamed page by page, up to the limit or all. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i, emit) => {
		const object = getObjectName(this, i);
		const fields = this.getNodeParameter('fieldNames', i, []) as string[];
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		const options = this.getNodeParameter('options', i, {}) as {
			sortBy?: string;
			sortDirection?: string;
			includeDeleted?: boolean;
		};
		const conditions = this.getNodeParameter('conditions.condition', i, []) as SoqlCondition[];
		const fieldsOfObject = conditions.length
			? (await connector.describe(object)).fields.map(toFieldSchema)
			: [];
		const where = soqlWhere(conditions, fieldsOfObject);
		const orderBy = soqlOrderBy(options.sortBy, options.sortDirection);
		const query = (list: string[]) => connector.selectQuery(object, list, where, orderBy);
		const read = { limit, includeDeleted: options.includeDeleted, readAhead: true };
		// Page by page, the next page requested while this one becomes items. No field chosen: every field (with no
		// condition, whose describe is already made, the describe overlaps the first page when this credential
		// described the object in an earlier run).
		const pages =
			fields.length || conditions.length
				? connector.queryRecordPages(
						query(fields.length ? fields : await connector.selectableFields(object)),
						read,
					)
				: connector.queryEveryFieldPages(object, query, read);
		for await (const page of pages) for (const record of page) emit(recordJson(record));
	});
}
