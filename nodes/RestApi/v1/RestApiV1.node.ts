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
 * REST API v1: any JSON REST API through the connector core — paged reads streamed page by page, rate budget and
 * Retry-After, many items sent as arrays in one request with per-item results.
 */
// The icon is set once, in the base description of RestApi.node.ts; the version class receives it through
// the constructor, which the rule cannot see.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class RestApiV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{ $parameter["method"] + " " + $parameter["path"] }}',
			defaults: { name: 'REST API' },
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
