import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import {
	type FilterFields,
	filterFromFields,
	HUBSPOT_SEARCH_CEILING,
	type SearchRecordsOptions,
} from '../../../../../core/connectors/hubspot/search';
import type {
	HubSpotFilterGroup,
	HubSpotFilterOperator,
} from '../../../../../core/connectors/hubspot/types';
import { nameList, objectJson, propertiesOption } from '../common';
import { perItem } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';

const show = { resource: ['record'], operation: ['search'] };

const OPERATORS: Array<{ name: string; value: HubSpotFilterOperator }> = [
	{ name: 'Contains Token', value: 'CONTAINS_TOKEN' },
	{ name: 'Does Not Contain Token', value: 'NOT_CONTAINS_TOKEN' },
	{ name: 'Equal', value: 'EQ' },
	{ name: 'Greater Than', value: 'GT' },
	{ name: 'Greater Than or Equal', value: 'GTE' },
	{ name: 'Has Property', value: 'HAS_PROPERTY' },
	{ name: 'In List', value: 'IN' },
	{ name: 'Is Between', value: 'BETWEEN' },
	{ name: 'Less Than', value: 'LT' },
	{ name: 'Less Than or Equal', value: 'LTE' },
	{ name: 'Not Equal', value: 'NEQ' },
	{ name: 'Not Has Property', value: 'NOT_HAS_PROPERTY' },
	{ name: 'Not In List', value: 'NOT_IN' },
];

export const description: INodeProperties[] = [
	{
		displayName: 'Define Filters',
		name: 'filterMode',
		type: 'options',
		options: [
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json' },
		],
		default: 'fields',
		displayOptions: { show },
	},
	{
		displayName: 'Filter Groups',
		name: 'filterGroups',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add filter group',
		description: 'Records matching any group are returned; within a group, every filter must match',
		default: {},
		displayOptions: { show: { ...show, filterMode: ['fields'] } },
		options: [
			{
				displayName: 'Group',
				name: 'group',
				values: [
					{
						displayName: 'Filters',
						name: 'filters',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true },
						placeholder: 'Add filter',
						default: {},
						options: [
							{
								displayName: 'Filter',
								name: 'filter',
								values: [
									{
										displayName: 'Property Name or ID',
										name: 'propertyName',
										type: 'options',
										typeOptions: {
											loadOptionsMethod: 'getProperties',
											loadOptionsDependsOn: ['objectType'],
										},
										default: '',
										description:
											'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
									},
									{
										displayName: 'Operator',
										name: 'operator',
										type: 'options',
										options: OPERATORS,
										default: 'EQ',
									},
									{
										displayName: 'Value',
										name: 'value',
										type: 'string',
										default: '',
										description:
											'Value to compare with; for In List / Not In List a comma-separated list',
									},
									{
										displayName: 'High Value',
										name: 'highValue',
										type: 'string',
										default: '',
										description: 'Upper bound for Is Between',
										displayOptions: { show: { operator: ['BETWEEN'] } },
									},
								],
							},
						],
					},
				],
			},
		],
	},
	{
		displayName: 'Filter Groups (JSON)',
		name: 'filterGroupsJson',
		type: 'json',
		default: '[{"filters":[{"propertyName":"email","operator":"HAS_PROPERTY"}]}]',
		description:
			'HubSpot filterGroups: [{"filters":[{"propertyName","operator","value"|"values"|"highValue"}]}]',
		displayOptions: { show: { ...show, filterMode: ['json'] } },
	},
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		description: 'Text to search for in the default searchable properties',
		displayOptions: { show },
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		hint: "All results are read, also past HubSpot's 10,000-result limit, in record ID order",
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: HUBSPOT_SEARCH_CEILING },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			propertiesOption(),
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'string',
				default: '',
				placeholder: 'createdate',
				description: 'Property to sort by (only with a limit; Return All sorts by record ID)',
			},
			{
				displayName: 'Sort Direction',
				name: 'sortDirection',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'ASCENDING' },
					{ name: 'Descending', value: 'DESCENDING' },
				],
				default: 'ASCENDING',
			},
		],
	},
];

/** The filter groups of item `i`, from the fields or the JSON. */
export function readFilterGroups(ctx: IExecuteFunctions, i: number): HubSpotFilterGroup[] {
	if (ctx.getNodeParameter('filterMode', i, 'fields') === 'json') {
		const raw = ctx.getNodeParameter('filterGroupsJson', i, '[]');
		let parsed: unknown = raw;
		if (typeof raw === 'string') {
			try {
				parsed = JSON.parse(raw || '[]');
			} catch (error) {
				throw new NodeOperationError(
					ctx.getNode(),
					`Filter Groups (JSON) is not valid JSON: ${(error as Error).message}`,
					{ itemIndex: i },
				);
			}
		}
		if (
			!Array.isArray(parsed) ||
			parsed.some((g) => !g || typeof g !== 'object' || !Array.isArray((g as IDataObject).filters))
		) {
			throw new NodeOperationError(
				ctx.getNode(),
				'Filter Groups (JSON) must be an array of {"filters": [...]} objects',
				{ itemIndex: i },
			);
		}
		return parsed as HubSpotFilterGroup[];
	}
	const groups =
		(ctx.getNodeParameter('filterGroups.group', i, []) as Array<{
			filters?: { filter?: FilterFields[] };
		}>) ?? [];
	return groups.map((group) => ({ filters: (group.filters?.filter ?? []).map(filterFromFields) }));
}

/** Searches; Return All reads every match, also past HubSpot's 10,000-result ceiling. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		out.push(
			...(await perItem(
				this,
				i,
				async () => {
					const objectType = this.getNodeParameter('objectType', i) as string;
					const filterGroups = readFilterGroups(this, i);
					const query = (this.getNodeParameter('query', i, '') as string) || undefined;
					const returnAll = this.getNodeParameter('returnAll', i) as boolean;
					const options = this.getNodeParameter('options', i, {}) as IDataObject;
					const search: SearchRecordsOptions = {
						filterGroups,
						query,
						properties: nameList(options.properties),
						returnAll,
					};
					if (!returnAll) {
						search.limit = this.getNodeParameter('limit', i) as number;
						const sortBy = (options.sortBy as string) || undefined;
						if (sortBy) {
							const direction = options.sortDirection as 'ASCENDING' | 'DESCENDING' | undefined;
							search.sort = { propertyName: sortBy, direction };
						}
					}
					const records: IDataObject[] = [];
					for await (const page of connector.searchRecords(objectType, search))
						for (const record of page) records.push(objectJson(record));
					return records;
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
