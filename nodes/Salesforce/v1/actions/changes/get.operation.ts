import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../../core/connectors/salesforce/connector';
import { NodeOperationError } from 'n8n-workflow';

import {
	type ChangeEvent,
	type ChangeWatermark,
	DEFAULT_SAFETY_LAG_SECONDS,
	readChanges,
} from '../../../../../core/connectors/salesforce/changes';
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
			'Where to start: the "watermark" of the last change your sync handled (from an earlier run), or a date-time such as 2024-01-31T00:00:00Z. Changes strictly after it are returned.',
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

/** Parses a watermark: `{ts,id}` JSON/object, `ts|id`, or a plain date-time. */
export function parseWatermark(value: unknown): ChangeWatermark | undefined {
	if (value && typeof value === 'object' && typeof (value as ChangeWatermark).ts === 'string') {
		const v = value as ChangeWatermark;
		return { ts: v.ts, id: String(v.id ?? '') };
	}
	const text = String(value ?? '').trim();
	if (!text) return undefined;
	if (text.startsWith('{')) {
		try {
			return parseWatermark(JSON.parse(text));
		} catch {
			return undefined;
		}
	}
	const [ts, id = ''] = text.split('|');
	if (Number.isNaN(Date.parse(ts.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')))) return undefined;
	return { ts, id };
}

/** The watermark as a compact string (`ts|id`) for items and expressions. */
export function formatWatermark(mark: ChangeWatermark): string {
	return `${mark.ts}|${mark.id}`;
}

/**
 * Reads the changes after the watermark, in (timestamp, Id) order, up to Salesforce's current second minus the
 * safety lag. Each item carries the watermark *after* it, so a sync that stops half-way resumes from the last item
 * it handled: nothing is missed or repeated.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: SalesforceConnector,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i, emit) => {
		const object = getObjectName(this, i);
		const event = this.getNodeParameter('event', i) as ChangeEvent;
		const sinceRaw = this.getNodeParameter('since', i);
		const since = parseWatermark(sinceRaw);
		if (!since) {
			throw new NodeOperationError(
				this.getNode(),
				`"Since" must be a watermark from an earlier run or a date-time, got "${String(sinceRaw)}"`,
				{ itemIndex: i },
			);
		}
		const result = await readChanges(connector, {
			object,
			event,
			since,
			fields: this.getNodeParameter('fieldNames', i, []) as string[],
			limit: this.getNodeParameter('maxChanges', i, 10000) as number,
			safetyLagSeconds:
				(this.getNodeParameter('options', i, {}) as { safetyLagSeconds?: number })
					.safetyLagSeconds ?? DEFAULT_SAFETY_LAG_SECONDS,
		});
		const field = event === 'created' ? 'CreatedDate' : 'SystemModstamp';
		for (const record of result.records) {
			const json: IDataObject = {
				event,
				id: record.Id as string,
				watermark: formatWatermark({ ts: String(record[field]), id: String(record.Id) }),
				record: recordJson(record),
			};
			emit(json);
		}
	});
}
