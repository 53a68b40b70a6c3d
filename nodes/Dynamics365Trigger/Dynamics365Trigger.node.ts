import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { Dynamics365TriggerV1 } from './v1/Dynamics365TriggerV1.node';

/** Dynamics 365 Trigger (CRM Connectors): rows of any Dataverse table created, updated or deleted, each change once. */
export class Dynamics365Trigger extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Dynamics 365 Trigger',
			name: 'dynamics365Trigger',
			icon: { light: 'file:dynamics365.svg', dark: 'file:dynamics365.dark.svg' },
			group: ['trigger'],
			description:
				'Starts the workflow when rows of a Dynamics 365 (Dataverse) table are created, updated or deleted',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new Dynamics365TriggerV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
