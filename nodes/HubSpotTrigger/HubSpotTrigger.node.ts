import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { HubSpotTriggerV1 } from './v1/HubSpotTriggerV1.node';

/** HubSpot CRM Trigger (CRM Connectors): new or updated records of any object, each change emitted once. */
export class HubSpotTrigger extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'HubSpot CRM Trigger',
			name: 'hubSpotTrigger',
			icon: { light: 'file:hubspot.svg', dark: 'file:hubspot.dark.svg' },
			group: ['trigger'],
			description:
				'Starts the workflow when records of a HubSpot CRM object are created or updated',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new HubSpotTriggerV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
