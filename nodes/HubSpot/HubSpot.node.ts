import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { HubSpotV1 } from './v1/HubSpotV1.node';

/**
 * HubSpot CRM (CRM Connectors): any CRM object, batched writes, search past 10,000 results, changes since a
 * watermark, associations, properties and forms. Versioned from the start.
 */
export class HubSpot extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'HubSpot CRM',
			name: 'hubSpot',
			icon: { light: 'file:hubspot.svg', dark: 'file:hubspot.dark.svg' },
			group: ['output'],
			description:
				'Create, update, upsert, search and sync records of any HubSpot CRM object in batches',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new HubSpotV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
