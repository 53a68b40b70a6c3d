import type { INodeTypeBaseDescription, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { GraphQlApiV1 } from './v1/GraphQlApiV1.node';

/**
 * GraphQL API (CRM Connectors): any GraphQL API with Relay pagination, a rate budget, Retry-After and many items as
 * aliased mutations in one request with per-item results. Versioned from the start. (n8n's built-in node is
 * `n8n-nodes-base.graphql`; this one is `n8n-nodes-crm-connectors.graphQlApi`.)
 */
export class GraphQlApi extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'GraphQL API (CRM Connectors)',
			name: 'graphQlApi',
			icon: 'file:graphQlApi.svg',
			group: ['output'],
			description:
				'Query any GraphQL API: Relay pagination, rate limits, and many items as aliased mutations with per-item results',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new GraphQlApiV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
