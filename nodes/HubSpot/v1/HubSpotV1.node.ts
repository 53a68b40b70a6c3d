import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { properties } from './actions/versionDescription';
import * as loadOptions from './methods/loadOptions';
import * as resourceMapping from './methods/resourceMapping';
import { OAUTH2_TYPE_NAME, PRIVATE_APP_TYPE_NAME } from './transport';
import { credentialsByAuthentication } from '../../shared/descriptions';

/**
 * HubSpot v1: records of any CRM object (standard or custom), associations, properties and forms, on the core's
 * HubSpot connector. Writes go out as HubSpot batch calls of up to 100 items, each item getting its own result.
 */
// The icon is set once, in the base description of HubSpot.node.ts; the version class receives it through
// the constructor, which the rule cannot see.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class HubSpotV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { loadOptions, resourceMapping };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle:
				'={{ $parameter["operation"] + ": " + ($parameter["objectType"] || $parameter["resource"]) }}',
			defaults: { name: 'HubSpot CRM' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			usableAsTool: true,
			credentials: credentialsByAuthentication({
				privateApp: PRIVATE_APP_TYPE_NAME,
				oAuth2: OAUTH2_TYPE_NAME,
			}),
			properties,
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
