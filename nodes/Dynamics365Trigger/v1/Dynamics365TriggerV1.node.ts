import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { WATERMARK_EXPIRED, type Watermark } from '../../../core/connectors/contract';
import { DATAVERSE_FEED_LAG_SECONDS } from '../../../core/connectors/dynamics/feed';
import { pollChanges, type PollEvent, sampleChanges } from '../../../core/connectors/poller';
import { isCrmError } from '../../../core/http/errors';
import type { CrmRecord } from '../../../core/records/types';
import { authentication } from '../../shared/dynamics/descriptions';
import * as loadOptions from '../../shared/dynamics/loadOptions';
import { DYNAMICS_CREDENTIAL_TYPES, getDynamicsConnector } from '../../shared/dynamics/connection';
import { credentialsByAuthentication } from '../../shared/descriptions';
import { resyncNotice } from './resync';

/** A row as an item's JSON: `id` first, then its columns (as the Dynamics 365 node returns rows). */
const recordJson = (record: CrmRecord): IDataObject => ({
	id: record.id ?? null,
	...(record.fields as IDataObject),
});

/** The Columns parameter (an array, or a comma-separated string from an expression). */
const nameList = (value: unknown): string[] =>
	(Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [])
		.map((s) => s.trim())
		.filter(Boolean);

/** What the trigger keeps in the workflow's static data (saved by n8n after each non-manual poll). */
interface TriggerState extends IDataObject {
	/** table|event the watermark belongs to: changing either starts over. */
	key?: string;
	/** The connector's watermark of the event's feed: `{ modifiedon|createdon, id }`, or `{ deltaToken, deleted }`. */
	watermark?: IDataObject;
}

/**
 * Dynamics 365 Trigger v1: the core's change poller (core/connectors/poller.ts) over `DynamicsCrm`'s change feeds —
 * created by `createdon`, created or updated by `modifiedon` (keyset on time and primary key), deleted from change
 * tracking (a delta token). Windows end at Dataverse's clock minus the safety lag (core/connectors/dynamics/feed.ts).
 * The watermark moves only in active polls and only past records handed to n8n, so each change is emitted once
 * across restarts. An expired delta token restarts the deletion feed with a notice item (./resync.ts).
 */
// The icon is set once, in the base description of Dynamics365Trigger.node.ts (which this rule checks).
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class Dynamics365TriggerV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{ $parameter["event"] + ": " + $parameter["table"] }}',
			defaults: { name: 'Dynamics 365 Trigger' },
			polling: true,
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			credentials: credentialsByAuthentication(DYNAMICS_CREDENTIAL_TYPES),
			properties: [
				authentication,
				{
					displayName: 'Table Name or ID',
					name: 'table',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getTables' },
					required: true,
					default: 'contacts',
					description:
						'The Dataverse table to watch, by its entity set name. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'Event',
					name: 'event',
					type: 'options',
					options: [
						{ name: 'Row Created', value: 'created', description: 'A new row (by createdon)' },
						{
							name: 'Row Created or Updated',
							value: 'updated',
							description: 'Any change of a row (by modifiedon)',
						},
						{
							name: 'Row Deleted',
							value: 'deleted',
							description: 'A deleted row, from change tracking (the table must have it on)',
						},
					],
					default: 'created',
				},
				{
					displayName:
						'Deleted rows come with their primary key and deleted: true. Dataverse keeps deletions for 7 days (ExpireChangeTrackingInDays): after a longer pause the trigger restarts the deletion feed from now and emits one item { resync: true, deletionsUnreadableFrom, deletionsUnreadableTo, message } saying which deletions could not be read.',
					name: 'deletedNotice',
					type: 'notice',
					default: '',
					displayOptions: { show: { event: ['deleted'] } },
				},
				{
					displayName: 'Column Names or IDs',
					name: 'fields',
					type: 'multiOptions',
					typeOptions: { loadOptionsMethod: 'getColumns', loadOptionsDependsOn: ['table'] },
					default: [],
					description:
						'Columns to return (default: every column). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					displayOptions: { hide: { event: ['deleted'] } },
				},
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
							default: 5000,
							description: 'More changes wait for the next poll (nothing is skipped)',
						},
						{
							displayName: 'Safety Lag (Seconds)',
							name: 'safetyLagSeconds',
							type: 'number',
							typeOptions: { minValue: 0 },
							default: DATAVERSE_FEED_LAG_SECONDS,
							description:
								"Created and updated rows are emitted once they are this many seconds old by Dataverse's clock (never the n8n host's): modifiedon is stamped before the transaction (with its synchronous plug-ins) commits, so a row can appear a little after its time; the lag waits for it",
						},
						{
							displayName: 'Start From',
							name: 'startFrom',
							type: 'dateTime',
							default: '',
							description:
								'On the first poll, emit rows created or updated after this time. Empty: only changes made after the workflow is activated. Deletions always start from now.',
						},
					],
				},
			],
		};
	}

	methods = { loadOptions };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const manual = this.getMode() === 'manual';
		const table = String(this.getNodeParameter('table') ?? '').trim();
		const event = this.getNodeParameter('event') as PollEvent;
		const fields = event === 'deleted' ? [] : nameList(this.getNodeParameter('fields', []));
		const options = this.getNodeParameter('options', {}) as {
			maxPerPoll?: number;
			startFrom?: string;
			safetyLagSeconds?: number;
		};
		const state = this.getWorkflowStaticData('node') as TriggerState;
		const key = `${table}|${event}`;
		const toItem = (record: CrmRecord): INodeExecutionData => ({
			json: record.deleted ? { ...recordJson(record), deleted: true } : recordJson(record),
		});
		try {
			const crm = await getDynamicsConnector(this, undefined, {
				feedLagSeconds: options.safetyLagSeconds ?? DATAVERSE_FEED_LAG_SECONDS,
			});
			if (manual) {
				// "Fetch Test Event": the latest rows, nothing saved. Deletions have none to show (change tracking only
				// tells what happened after a position).
				const sample = await sampleChanges(crm, { objectType: table, event, fields, count: 5 });
				return sample.length ? [sample.map(toItem)] : null;
			}
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
			const poll = async (from: Watermark | undefined) =>
				await pollChanges(crm, {
					objectType: table,
					event,
					watermark: from,
					start: start ?? 'now',
					fields: fields.length ? fields : undefined,
					maxRecords: options.maxPerPoll ?? 5000,
				});
			let items: INodeExecutionData[] = [];
			let next: Watermark;
			try {
				const result = await poll(watermark);
				items = result.records.map(toItem);
				next = result.watermark;
			} catch (error) {
				// Only the deletion feed holds a delta token that can expire; the created/updated feeds are positions in
				// time that Dataverse always honours, so an expiry there is a real fault and stays one.
				if (!isCrmError(error) || error.crmCode !== WATERMARK_EXPIRED || event !== 'deleted')
					// The outer catch turns it into the node's error.
					// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
					throw error;
				next = await crm.startWatermark(table, 'now', { kind: 'deleted' });
				items = [{ json: resyncNotice(table, watermark, next, error.message) }];
			}
			state.key = key;
			state.watermark = { ...next } as IDataObject;
			return items.length ? [items] : null;
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
