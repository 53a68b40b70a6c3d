import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { RestApiV1 } from './v1/RestApiV1.node';

/**
 * REST API (CRM Connectors): any JSON REST API with paged reads, a rate budget, Retry-After and batched writes with
 * per-item results. Versioned from the start.
 */
export class RestApi extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'REST API (CRM Connectors)',
			name: 'restApi',
			icon: 'file:restApi.svg',
			group: ['output'],
			description:
				'Read and write any REST API: paged reads, rate limits, and many items per request with per-item results',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new RestApiV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
