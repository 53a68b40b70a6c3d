import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { NodeOperationError } from 'n8n-workflow';

import {
	type ChangeCursor,
	changeStamp,
	DEFAULT_SAFETY_LAG_SECONDS,
	formatCursor,
	lastModifiedProperty,
	parseCursor,
	readChanges,
} from '../../../../../core/connectors/hubspot/changes';
import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { nameList, objectJson, propertiesOption } from '../common';
import { perItem } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';

const show = { resource: ['record'], operation: ['getChanges'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Changed Since',
		name: 'since',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.watermark }}',
		description:
			'Where to start: the "watermark" of the last record your sync handled (from an earlier run; records after it are returned), or a time (ISO 8601 or epoch milliseconds; records modified at or after it are returned), oldest first',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Changed Until',
				name: 'until',
				type: 'string',
				default: '',
				description:
					'Only changes up to this time (ISO 8601 or epoch milliseconds); changes younger than the safety lag wait for a later run either way',
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Max number of results to return',
			},
			{
				displayName: 'Only New Records',
				name: 'createdOnly',
				type: 'boolean',
				default: false,
				description:
					'Whether to return records created since the watermark instead of every modified record',
			},
			propertiesOption(),
			{
				displayName: 'Safety Lag (Seconds)',
				name: 'safetyLagSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_SAFETY_LAG_SECONDS,
				description:
					"Only changes at least this many seconds old by HubSpot's clock are returned: HubSpot's search index lags writes by several seconds, and a change not yet searchable must not be passed by the watermark",
			},
		],
	},
];

/**
 * Records changed since a watermark, oldest first (ties by record ID), up to HubSpot's time minus the safety lag. Each
 * item carries `watermark`: the position after it (`time|ids at that millisecond`), to give as the next run's
 * "Changed Since" — a sync that stops half-way resumes after the last item it handled, missing and repeating nothing.
 */
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
					const sinceRaw = this.getNodeParameter('since', i);
					const since = parseCursor(sinceRaw);
					if (!since) {
						throw new NodeOperationError(
							this.getNode(),
							`"Changed Since" must be a watermark from an earlier run or a time (ISO 8601 or epoch milliseconds), got "${String(sinceRaw)}"`,
							{
								itemIndex: i,
							},
						);
					}
					const options = this.getNodeParameter('options', i, {}) as IDataObject;
					const property =
						options.createdOnly === true ? 'createdate' : lastModifiedProperty(objectType);
					const lag =
						typeof options.safetyLagSeconds === 'number'
							? options.safetyLagSeconds
							: DEFAULT_SAFETY_LAG_SECONDS;
					const records: IDataObject[] = [];
					// The position after each record, as the reader moves it.
					let position: ChangeCursor = { timestamp: since.timestamp, ids: [...since.ids] };
					for await (const page of readChanges(connector, objectType, {
						since,
						until: (options.until as string) || undefined,
						property,
						properties: nameList(options.properties).length
							? nameList(options.properties)
							: undefined,
						limit: (options.limit as number) || undefined,
						safetyLagSeconds: lag,
					})) {
						for (const record of page) {
							const ts = changeStamp(record, property);
							position =
								ts === position.timestamp
									? { timestamp: ts, ids: [...position.ids, record.id] }
									: { timestamp: ts, ids: [record.id] };
							records.push({ ...objectJson(record), watermark: formatCursor(position) });
						}
					}
					return records;
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
