import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { Watermark } from '../../../core/connectors/contract';
import { pollChanges, sampleChanges } from '../../../core/connectors/poller';
import {
	type ChangeEvent,
	DEFAULT_SAFETY_LAG_SECONDS,
} from '../../../core/connectors/salesforce/changes';
import { SalesforceCrm } from '../../../core/connectors/salesforce/crm';
import type { SalesforceRecord } from '../../../core/connectors/salesforce/connector';
import { soqlIdentifier } from '../../../core/query/soql';
import { isCrmError } from '../../../core/http/errors';
import { authenticationProperty, fieldNamesProperty } from '../../shared/salesforce/descriptions';
import * as listSearch from '../../shared/salesforce/listSearch';
import * as loadOptions from '../../shared/salesforce/loadOptions';
import { recordJson } from '../../shared/salesforce/records';
import { CREDENTIAL_TYPES, getConnector } from '../../shared/salesforce/transport';
import { credentialsByAuthentication } from '../../shared/descriptions';

/** What the trigger keeps in the workflow's static data (saved by n8n after each non-manual poll). */
interface TriggerState extends IDataObject {
	/** object|event the watermark belongs to: changing either starts over. */
	key?: string;
	/** The connector's watermark of the event's feed: `{ ts, id }` (the same shape earlier versions stored). */
	watermark?: IDataObject;
}

/**
 * Salesforce Trigger v1: the core's change poller (core/connectors/poller.ts) over the connector contract's change
 * feeds — on SystemModstamp (CreatedDate for new records) with an Id tie-break, so each change is emitted exactly once
 * across restarts and concurrent edits. Windows are bounded by Salesforce's clock minus the safety lag (see
 * core/connectors/salesforce/changes.ts). The watermark moves only in active (non-manual) polls and only past records
 * handed to n8n.
 */
// The icon is set once, in the base description of SalesforceTrigger.node.ts (which this rule checks).
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class SalesforceTriggerV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{ $parameter["event"] }}',
			defaults: { name: 'Salesforce Trigger' },
			polling: true,
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			credentials: credentialsByAuthentication(CREDENTIAL_TYPES),
			properties: [
				authenticationProperty,
				{
					displayName: 'Object',
					name: 'object',
					type: 'resourceLocator',
					default: { mode: 'list', value: '' },
					required: true,
					description: 'The object to watch (standard or custom)',
					modes: [
						{
							displayName: 'From List',
							name: 'list',
							type: 'list',
							typeOptions: { searchListMethod: 'searchObjects', searchable: true },
						},
						{
							displayName: 'By API Name',
							name: 'name',
							type: 'string',
							placeholder: 'e.g. Contact or Invoice__c',
						},
					],
				},
				{
					displayName: 'Event',
					name: 'event',
					type: 'options',
					options: [
						{
							name: 'Record Created',
							value: 'created',
							description: 'A new record (by CreatedDate)',
						},
						{
							name: 'Record Created or Updated',
							value: 'updated',
							description: 'Any change of a record (by SystemModstamp)',
						},
						{
							name: 'Record Deleted',
							value: 'deleted',
							description: 'A record moved to the recycle bin',
						},
					],
					default: 'created',
				},
				fieldNamesProperty(),
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					placeholder: 'Add Option',
					default: {},
					options: [
						{
							displayName: 'Max Records per Poll',
							name: 'maxPerPoll',
							type: 'number',
							typeOptions: { minValue: 1 },
							default: 10000,
							description: 'More changes wait for the next poll (nothing is skipped)',
						},
						{
							displayName: 'Safety Lag (Seconds)',
							name: 'safetyLagSeconds',
							type: 'number',
							typeOptions: { minValue: 0 },
							default: DEFAULT_SAFETY_LAG_SECONDS,
							description:
								"Changes are emitted once they are this many seconds old by Salesforce's clock (never the n8n host's). A Salesforce transaction can commit seconds after its SystemModstamp was taken; the lag waits for it, so no change is passed by. 60 covers ordinary saves with triggers and flows; raise it (e.g. 600) if Bulk API loads or batch Apex must trigger the workflow.",
						},
						{
							displayName: 'Start From',
							name: 'startFrom',
							type: 'dateTime',
							default: '',
							description:
								'On the first poll, emit changes after this time. Empty: only changes made after the workflow is activated.',
						},
					],
				},
			],
		};
	}

	methods = { listSearch, loadOptions };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const manual = this.getMode() === 'manual';
		const object = soqlIdentifier(
			String(this.getNodeParameter('object', undefined, { extractValue: true }) ?? '').trim(),
		);
		const event = this.getNodeParameter('event') as ChangeEvent;
		const fields = (this.getNodeParameter('fieldNames', []) as string[]).filter(
			(f) => typeof f === 'string' && f.trim() !== '',
		);
		const options = this.getNodeParameter('options', {}) as {
			maxPerPoll?: number;
			startFrom?: string;
			safetyLagSeconds?: number;
		};
		const state = this.getWorkflowStaticData('node') as TriggerState;
		const key = `${object}|${event}`;
		try {
			const connector = await getConnector(this);
			const watermark =
				state.key === key ? (state.watermark as unknown as Watermark | undefined) : undefined;
			let start: number | undefined;
			if (!watermark && options.startFrom) {
				start = new Date(options.startFrom).getTime();
				if (Number.isNaN(start))
					throw new NodeOperationError(
						this.getNode(),
						`"Start From" is not a date: ${options.startFrom}`,
					);
			}
			const crm = new SalesforceCrm(connector, {
				safetyLagSeconds: options.safetyLagSeconds ?? DEFAULT_SAFETY_LAG_SECONDS,
			});
			if (!watermark && start === undefined && manual) {
				// "Fetch test event": show the newest matching record, remember nothing.
				const [sample] = await sampleChanges(crm, { objectType: object, event, fields, count: 1 });
				return sample ? [[{ json: recordJson(sample.raw as SalesforceRecord) }]] : null;
			}
			// First activation without Start From: starts at Salesforce's current time minus the lag (its clock).
			const result = await pollChanges(crm, {
				objectType: object,
				event,
				watermark,
				start: start ?? 'now',
				fields,
				maxRecords: options.maxPerPoll ?? 10_000,
			});
			if (!manual) {
				state.key = key;
				state.watermark = { ...result.watermark } as IDataObject;
			}
			if (result.records.length === 0) return null;
			return [
				result.records.map((record) => ({
					json: recordJson(record.raw as SalesforceRecord),
				})),
			];
		} catch (error) {
			if (error instanceof NodeOperationError || error instanceof NodeApiError)
				throw new NodeOperationError(this.getNode(), error);
			if (isCrmError(error))
				throw new NodeApiError(this.getNode(), error.toJSON() as never, {
					message: error.message,
					description: error.hint,
				});
			throw new NodeOperationError(this.getNode(), error as Error);
		}
	}
}
