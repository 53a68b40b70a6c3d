import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { listSearch, loadOptions, resourceMapping } from './methods';
import { salesforceProperties } from './SalesforceV1.description';
import { CREDENTIAL_TYPES } from './transport';
import { credentialsByAuthentication } from '../../shared/descriptions';

/**
 * Salesforce v1. Writes from many items go out in sObject Collections of up to 200 (or one Bulk API 2.0 job),
 * each item with its own result; with "On Error: Continue (using error output)" failed records go to the error
 * output carrying Salesforce's code and message.
 */
// The icon is set once, in the base description of Salesforce.node.ts (which this rule checks); a version class
// of n8n's VersionedNodeType receives it through the constructor, which the rule cannot see.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class SalesforceV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
			defaults: { name: 'Salesforce' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			usableAsTool: true,
			credentials: credentialsByAuthentication(CREDENTIAL_TYPES),
			properties: salesforceProperties,
		};
	}

	methods = { listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
