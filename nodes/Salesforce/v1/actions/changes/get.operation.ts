import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { changesAfter, type PollEvent } from '../../../../../core/connectors/poller';
import { DEFAULT_SAFETY_LAG_SECONDS } from '../../../../../core/connectors/salesforce/changes';
import type {
	SalesforceConnector,
	SalesforceRecord,
} from '../../../../../core/connectors/salesforce/connector';
import { SalesforceCrm } from '../../../../../core/connectors/salesforce/crm';
import { formatWatermark, parseSince } from '../../../../../core/connectors/watermark';
import { fieldNamesProperty, getObjectName, objectLocator, recordJson } from '../common';
import { forEachItem } from '../../../../shared/items';

const show = { resource: ['changes'], operation: ['get'] };

export const description: INodeProperties[] = [
	objectLocator(show),
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		options: [
			{
				name: 'Created',
				value: 'created',
				description: 'Records created after the watermark (by CreatedDate)',
			},
			{
				name: 'Created or Updated',
				value: 'updated',
				description: 'Records created or changed after the watermark (by SystemModstamp)',
			},
			{
				name: 'Deleted',
				value: 'deleted',
				description: 'Records deleted after the watermark (in the recycle bin)',
			},
		],
		default: 'updated',
		displayOptions: { show },
	},
	{
		displayName: 'Since (Watermark)',
		name: 'since',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.watermark }}',
		description:
			'Where to start: the "watermark" of the last change your sync handled (from an earlier run; changes after it are returned), or a time — ISO 8601 such as 2024-01-31T00:00:00Z, or epoch milliseconds (changes at or after it are returned)',
		displayOptions: { show },
	},
	fieldNamesProperty(show),
	{
		displayName: 'Max Changes',
		name: 'maxChanges',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show },
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
				displayName: 'Include Deletions',
				name: 'includeDeletions',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/event': ['updated'] } },
				description:
					'Whether "Created or Updated" also returns records deleted after the watermark (in the recycle bin), in the same order, with event "deleted"',
			},
			{
				displayName: 'Safety Lag (Seconds)',
				name: 'safetyLagSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_SAFETY_LAG_SECONDS,
				description:
					"Only changes at least this many seconds old by Salesforce's clock are returned, so a transaction that commits after its SystemModstamp was taken is not passed by the watermark. 60 covers ordinary saves; raise it for Bulk API loads or batch Apex.",
			},
		],
	},
];

/**
 * Reads the changes after the watermark (core/connectors/poller.ts `changesAfter` over the connector contract), in
 * (timestamp, Id) order, up to Salesforce's current second minus the safety lag. Each item carries the watermark
 * *after* it, so a sync that stops half-way resumes from the last item it handled: nothing is missed or repeated.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i, emit) => {
		const objectType = getObjectName(this, i);
		const event = this.getNodeParameter('event', i) as PollEvent;
		const options = this.getNodeParameter('options', i, {}) as {
			safetyLagSeconds?: number;
			includeDeletions?: boolean;
		};
		const since = parseSince(this.getNodeParameter('since', i), 'Since (Watermark)');
		const crm = new SalesforceCrm(connector, {
			safetyLagSeconds: options.safetyLagSeconds ?? DEFAULT_SAFETY_LAG_SECONDS,
		});
		for await (const { record, watermark } of changesAfter(crm, {
			objectType,
			since,
			kind: event === 'updated' && options.includeDeletions === true ? 'all' : event,
			fields: this.getNodeParameter('fieldNames', i, []) as string[],
			limit: this.getNodeParameter('maxChanges', i, 10000) as number,
		})) {
			emit({
				event: record.deleted ? 'deleted' : event,
				id: record.id,
				watermark: formatWatermark(watermark),
				record: recordJson(record.raw as SalesforceRecord),
			});
		}
	});
}
