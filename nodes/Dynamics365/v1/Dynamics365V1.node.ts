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
import { DYNAMICS_CREDENTIAL_TYPES } from '../../shared/dynamics/connection';
import { credentialsByAuthentication } from '../../shared/descriptions';

/**
 * Dynamics 365 v1: rows of any Dataverse table on the core's Dynamics connector. Writes go out as `$batch` requests of
 * up to 1,000 rows, each row its own change set, so each item gets its own result.
 */
// The icon is set once, in the base description of Dynamics365.node.ts; the version class receives it through
// the constructor, which the rule cannot see.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class Dynamics365V1 implements INodeType {
	description: INodeTypeDescription;

	methods = { loadOptions, resourceMapping };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle:
				'={{ $parameter["operation"] + ": " + ($parameter["table"] || $parameter["resource"]) }}',
			defaults: { name: 'Dynamics 365' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			usableAsTool: true,
			credentials: credentialsByAuthentication(DYNAMICS_CREDENTIAL_TYPES),
			properties,
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
