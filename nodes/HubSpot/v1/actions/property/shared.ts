import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Property type + field type pairs HubSpot accepts. */
export const PROPERTY_TYPES = [
	{ name: 'Single-Line Text', value: 'string:text' },
	{ name: 'Multi-Line Text', value: 'string:textarea' },
	{ name: 'Phone Number', value: 'string:phonenumber' },
	{ name: 'Number', value: 'number:number' },
	{ name: 'Date Picker', value: 'date:date' },
	{ name: 'Date and Time', value: 'datetime:date' },
	{ name: 'Dropdown Select', value: 'enumeration:select' },
	{ name: 'Radio Select', value: 'enumeration:radio' },
	{ name: 'Multiple Checkboxes', value: 'enumeration:checkbox' },
	{ name: 'Single Checkbox (Boolean)', value: 'bool:booleancheckbox' },
];

/** The fields a property definition can set. */
export function definitionFields(): INodeProperties[] {
	return [
		{ displayName: 'Label', name: 'label', type: 'string', default: '' },
		{ displayName: 'Description', name: 'description', type: 'string', default: '' },
		{
			displayName: 'Group Name',
			name: 'groupName',
			type: 'string',
			default: '',
			placeholder: 'contactinformation',
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'string',
			default: '',
			placeholder: 'gold, silver, bronze',
			description:
				'Options of a select, radio or checkbox property: comma-separated values (each also its label)',
		},
		{
			displayName: 'Unique Values',
			name: 'hasUniqueValue',
			type: 'boolean',
			default: false,
			description: 'Whether values must be unique (lets upsert match on it)',
		},
		{
			displayName: 'Show in Forms',
			name: 'formField',
			type: 'boolean',
			default: true,
			description: 'Whether the property can be used in forms',
		},
	];
}

/** Turns the collection of definition fields into HubSpot's property body. */
export function definitionBody(
	ctx: IExecuteFunctions,
	fields: IDataObject,
	itemIndex: number,
): IDataObject {
	const body: IDataObject = {};
	for (const key of ['label', 'description', 'groupName', 'hasUniqueValue', 'formField']) {
		if (fields[key] !== undefined && fields[key] !== '') body[key] = fields[key];
	}
	if (typeof fields.options === 'string' && fields.options.trim() !== '') {
		body.options = fields.options
			.split(',')
			.map((o) => o.trim())
			.filter(Boolean)
			.map((value, displayOrder) => ({ label: value, value, displayOrder, hidden: false }));
	} else if (
		fields.options !== undefined &&
		fields.options !== '' &&
		typeof fields.options !== 'string'
	) {
		throw new NodeOperationError(ctx.getNode(), 'Options must be a comma-separated list', {
			itemIndex,
		});
	}
	return body;
}
