import type { INodeProperties } from 'n8n-workflow';

import { objectTypeField } from '../common';

/** From-object, from-id, to-object (and to-id) parameters of an association operation. */
export function associationFields(operation: string, withToId: boolean): INodeProperties[] {
	const show = { resource: ['association'], operation: [operation] };
	const fields: INodeProperties[] = [
		{ ...objectTypeField('association', [operation], 'objectType', 'From Object') },
		{
			displayName: 'From Record ID',
			name: 'fromId',
			type: 'string',
			required: true,
			default: '',
			displayOptions: { show },
		},
		{
			...objectTypeField('association', [operation], 'toObjectType', 'To Object'),
			default: 'companies',
		},
	];
	if (withToId)
		fields.push({
			displayName: 'To Record ID',
			name: 'toId',
			type: 'string',
			required: true,
			default: '',
			displayOptions: { show },
		});
	return fields;
}
