import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { ConflictResolverV1 } from './v1/ConflictResolverV1.node';

/**
 * Conflict Resolver: settles conflicts (CRM Sync Conflicts items, or any two records) with the CRM Sync strategies
 * and custom rules. Versioned from the start so a breaking change becomes version 2 and old workflows keep v1.
 */
export class ConflictResolver extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Conflict Resolver',
			name: 'conflictResolver',
			icon: 'file:conflictResolver.svg',
			group: ['transform'],
			description:
				'Settle conflicting field values of two records with the CRM Sync strategies and rules',
			defaultVersion: 1,
		};

		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new ConflictResolverV1(baseDescription),
		};

		super(nodeVersions, baseDescription);
	}
}
