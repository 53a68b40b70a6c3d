import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { Dynamics365V1 } from './v1/Dynamics365V1.node';

/**
 * Dynamics 365 / Dataverse (CRM Connectors): rows of any table, batched writes ($batch, one result per item), paged
 * reads. Versioned from the start.
 */
export class Dynamics365 extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Dynamics 365',
			name: 'dynamics365',
			icon: { light: 'file:dynamics365.svg', dark: 'file:dynamics365.dark.svg' },
			group: ['output'],
			description:
				'Create, update, upsert, get and delete rows of any Dynamics 365 (Dataverse) table in batches',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new Dynamics365V1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
