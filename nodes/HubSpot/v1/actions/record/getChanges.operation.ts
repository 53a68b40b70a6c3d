import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_SAFETY_LAG_SECONDS } from '../../../../../core/connectors/hubspot/changes';
import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { HubSpotCrm } from '../../../../../core/connectors/hubspot/crm';
import type { HubSpotObject } from '../../../../../core/connectors/hubspot/types';
import { changesAfter } from '../../../../../core/connectors/poller';
import { formatWatermark, parseSince, parseTime } from '../../../../../core/connectors/watermark';
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
				displayName: 'Include Deletions',
				name: 'includeDeletions',
				type: 'boolean',
				default: false,
				description:
					'Whether to also return records deleted (archived) since the watermark, marked "deleted": true (HubSpot lists every record archived in the last 90 days to find them, 100 per request). Not with Only New Records.',
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
 * Records changed since a watermark (core/connectors/poller.ts `changesAfter` over the connector contract), oldest
 * first, up to HubSpot's time minus the safety lag. Each item carries `watermark`: the position after it, to give as
 * the next run's "Changed Since" — a sync that stops half-way resumes after the last item it handled, missing and
 * repeating nothing.
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
					const options = this.getNodeParameter('options', i, {}) as IDataObject;
					const since = parseSince(this.getNodeParameter('since', i), 'Changed Since');
					const until = options.until ? parseTime(options.until, 'Changed Until') : undefined;
					const crm = new HubSpotCrm(connector, {
						safetyLagSeconds:
							typeof options.safetyLagSeconds === 'number'
								? options.safetyLagSeconds
								: DEFAULT_SAFETY_LAG_SECONDS,
					});
					const properties = nameList(options.properties);
					const records: IDataObject[] = [];
					for await (const { record, watermark } of changesAfter(crm, {
						objectType,
						since,
						kind:
							options.createdOnly === true
								? 'created'
								: options.includeDeletions === true
									? 'all'
									: 'updated',
						fields: properties.length ? properties : undefined,
						until,
						limit: (options.limit as number) || undefined,
					})) {
						const json = objectJson(record.raw as HubSpotObject);
						if (record.deleted) json.deleted = true;
						records.push({ ...json, watermark: formatWatermark(watermark) });
					}
					return records;
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
