import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { credentialsByAuthentication } from '../../shared/descriptions';
import { HTTP_CREDENTIAL_TYPES } from '../../shared/http/auth';
import { router } from './actions/router';
import { properties } from './actions/versionDescription';

/**
 * GraphQL API v1: any GraphQL API through the connector core — operations with partial data and per-error paths,
 * Relay connections streamed page by page, aliased mutation batches with per-item results, rate budget and
 * Retry-After. The same credentials as the REST API node.
 */
// The icon is set once, in the base description of GraphQlApi.node.ts; the version class receives it through
// the constructor, which the rule cannot see.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class GraphQlApiV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{ $parameter["operation"] }}',
			defaults: { name: 'GraphQL API' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			usableAsTool: true,
			credentials: credentialsByAuthentication(HTTP_CREDENTIAL_TYPES),
			properties,
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
