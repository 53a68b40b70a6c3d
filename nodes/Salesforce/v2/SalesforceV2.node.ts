import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';

import { router as sharedRouter } from '../../shared/router';
import {
	type OperationRename,
	renameOperationKey,
	renameOperationValue,
} from '../../shared/versions';
import { OPERATIONS } from '../v1/actions/router';
import { listSearch, loadOptions, resourceMapping } from '../v1/methods';
import { SalesforceV1 } from '../v1/SalesforceV1.node';
import { getConnector } from '../v1/transport';

/** Record "Get Many" stores n8n's conventional value `getAll` (v1 stored `getMany`). */
export const GET_ALL: OperationRename = {
	resource: 'record',
	from: 'getMany',
	to: 'getAll',
	displayName: 'Get Many',
};

const router = sharedRouter(renameOperationKey(OPERATIONS, GET_ALL), getConnector);

/**
 * Salesforce v2: v1's parameters and operations, with the record operation Get Many stored as `getAll` as in n8n's
 * own nodes. Workflows saved with v1 keep `getMany` and run on v1.
 */
// The icon is set once, in the base description of Salesforce.node.ts (see SalesforceV1).
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class SalesforceV2 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		const v1 = new SalesforceV1(baseDescription).description;
		this.description = {
			...v1,
			version: 2,
			properties: renameOperationValue(v1.properties, GET_ALL),
		};
	}

	methods = { listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
