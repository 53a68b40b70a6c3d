import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { Watermark } from '../../../core/connectors/contract';
import {
	DEFAULT_SAFETY_LAG_SECONDS,
	lastModifiedProperty,
} from '../../../core/connectors/hubspot/changes';
import { HubSpotCrm } from '../../../core/connectors/hubspot/crm';
import type { HubSpotObject } from '../../../core/connectors/hubspot/types';
import { pollChanges, type PollResult, sampleChanges } from '../../../core/connectors/poller';
import { parseSince, resolveSince } from '../../../core/connectors/watermark';
import { isCrmError } from '../../../core/http/errors';
import { authentication } from '../../shared/hubspot/descriptions';
import * as loadOptions from '../../shared/hubspot/loadOptions';
import { nameList, objectJson } from '../../shared/hubspot/records';
import {
	getConnector,
	OAUTH2_TYPE_NAME,
	PRIVATE_APP_TYPE_NAME,
} from '../../shared/hubspot/transport';
import { credentialsByAuthentication } from '../../shared/descriptions';

/** What the trigger keeps in the workflow's static data between polls (and n8n restarts). */
interface TriggerState {
	objectType?: string;
	/** The property the feed follows (`createdate` for new records): a change of it starts over. */
	property?: string;
	/** The connector's watermark of the event's feed (before the change poller: a `{ timestamp, ids }` cursor). */
	cursor?: IDataObject;
}

/**
 * HubSpot Trigger v1: polls HubSpot for new or updated records of any object through the core's change poller
 * (core/connectors/poller.ts) over the connector contract's change feeds. The position (the newest change time seen and
 * the ids seen at that millisecond) is kept in the workflow's static data, which n8n saves after each successful poll,
 * so every change is emitted once, also across restarts. Every window ends at HubSpot's time minus the safety lag
 * (never the n8n host's time; see core/connectors/hubspot/changes.ts). A manual run ("Fetch Test Event") shows
 * recent changes and moves nothing.
 */
// The icon is set once, in the base description of HubSpotTrigger.node.ts (which this rule checks).
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class HubSpotTriggerV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{ $parameter["event"] + ": " + $parameter["objectType"] }}',
			defaults: { name: 'HubSpot CRM Trigger' },
			polling: true,
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			credentials: credentialsByAuthentication({
				privateApp: PRIVATE_APP_TYPE_NAME,
				oAuth2: OAUTH2_TYPE_NAME,
			}),
			properties: [
				authentication,
				{
					displayName: 'Object Name or ID',
					name: 'objectType',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getObjectTypes' },
					required: true,
					default: 'contacts',
					description:
						'The CRM object to watch. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'Event',
					name: 'event',
					type: 'options',
					options: [
						{ name: 'Record Created or Updated', value: 'createdOrUpdated' },
						{ name: 'Record Created', value: 'created' },
					],
					default: 'createdOrUpdated',
				},
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					placeholder: 'Add option',
					default: {},
					options: [
						{
							displayName: 'Safety Lag (Seconds)',
							name: 'indexingDelay',
							type: 'number',
							typeOptions: { minValue: 0 },
							default: DEFAULT_SAFETY_LAG_SECONDS,
							description:
								"Changes are emitted once they are this many seconds old by HubSpot's clock (never the n8n host's). HubSpot's search index lags writes by several seconds; the lag waits for it, so no change is passed by. Lower it only if your account's index is known to be faster.",
						},
						{
							displayName: 'Max Records per Poll',
							name: 'maxRecords',
							type: 'number',
							typeOptions: { minValue: 1 },
							default: 5000,
							description:
								'Larger bursts of changes continue in the next poll, where this one stopped',
						},
						{
							displayName: 'Property Names or IDs',
							name: 'properties',
							type: 'multiOptions',
							typeOptions: {
								loadOptionsMethod: 'getProperties',
								loadOptionsDependsOn: ['objectType'],
							},
							default: [],
							description:
								'Properties to return. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
						},
						{
							displayName: 'Start From',
							name: 'startFrom',
							type: 'string',
							default: '',
							placeholder: '2025-01-01T00:00:00Z',
							description:
								'On the first poll, emit changes since this time (ISO 8601) instead of only changes from now on',
						},
					],
				},
			],
		};
	}

	methods = { loadOptions };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const objectType = this.getNodeParameter('objectType') as string;
		const event = this.getNodeParameter('event') as string;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const property = event === 'created' ? 'createdate' : lastModifiedProperty(objectType);
		const properties = nameList(options.properties);
		const lag =
			options.indexingDelay === undefined || options.indexingDelay === ''
				? DEFAULT_SAFETY_LAG_SECONDS
				: Math.max(0, Number(options.indexingDelay));
		const maxRecords = Math.max(1, Number(options.maxRecords ?? 5000));
		const connector = await getConnector(this);

		const fail = (error: unknown): never => {
			const message = isCrmError(error)
				? error.message
				: error instanceof Error
					? error.message
					: String(error);
			throw new NodeOperationError(this.getNode(), message, {
				description: isCrmError(error) ? error.hint : undefined,
			});
		};

		const crm = new HubSpotCrm(connector, { safetyLagSeconds: lag });
		const pollEvent = event === 'created' ? 'created' : 'updated';
		if (this.getMode() === 'manual') {
			// "Fetch Test Event": the latest changes, nothing saved.
			try {
				const sample = await sampleChanges(crm, {
					objectType,
					event: pollEvent,
					fields: properties,
					count: 5,
				});
				return sample.length
					? [sample.map((record) => ({ json: objectJson(record.raw as HubSpotObject) }))]
					: null;
			} catch (error) {
				return fail(error);
			}
		}

		const state = this.getWorkflowStaticData('node') as TriggerState;
		const same = state.objectType === objectType && state.property === property;
		let watermark: Watermark | undefined;
		try {
			// Versions before the change poller stored the search cursor `{ timestamp, ids }` of the event's property:
			// the same position on the same feed, read by the shared parser and carried over.
			if (same && state.cursor) {
				const stored = parseSince(state.cursor, 'stored position');
				watermark = await resolveSince(crm, objectType, stored, { kind: pollEvent });
			}
		} catch (error) {
			return fail(error);
		}
		let start: number | undefined;
		if (!watermark) {
			start =
				typeof options.startFrom === 'string' && options.startFrom.trim() !== ''
					? Date.parse(options.startFrom)
					: undefined;
			if (start !== undefined && !Number.isFinite(start)) {
				throw new NodeOperationError(
					this.getNode(),
					`Start From "${String(options.startFrom)}" is not a date — use ISO 8601, e.g. 2025-01-01T00:00:00Z`,
				);
			}
		}
		let result: PollResult;
		try {
			// No position yet: from HubSpot's current time minus the lag (its clock, never the host's), or Start From.
			result = await pollChanges(crm, {
				objectType,
				event: pollEvent,
				watermark,
				start: start ?? 'now',
				fields: properties.length ? properties : undefined,
				maxRecords,
			});
		} catch (error) {
			return fail(error);
		}
		// Saved by n8n only when the poll succeeds, so a failed poll is repeated from the same position.
		state.objectType = objectType;
		state.property = property;
		state.cursor = { ...result.watermark } as IDataObject;
		if (result.records.length === 0) return null;
		return [result.records.map((record) => ({ json: objectJson(record.raw as HubSpotObject) }))];
	}
}
