/** The resource mapper's fields, from the properties API. */
import type {
	FieldType,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isUniqueProperty } from '../../../../core/connectors/hubspot/connector';
import type { HubSpotProperty } from '../../../../core/connectors/hubspot/types';
import { getConnector } from '../transport';

function fieldType(property: HubSpotProperty): FieldType {
	switch (property.type) {
		case 'number':
			return 'number';
		case 'bool':
			return 'boolean';
		case 'datetime':
			return 'dateTime';
		case 'enumeration':
			return property.fieldType === 'checkbox' ? 'string' : 'options';
		default:
			return 'string';
	}
}

/** Writable properties of the chosen object; unique ones (e-mail, record id, custom unique) can be matched on. */
export async function getFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const objectType = this.getCurrentNodeParameter('objectType');
	if (typeof objectType !== 'string' || objectType === '')
		throw new NodeOperationError(this.getNode(), 'Choose the object first');
	const operation = this.getCurrentNodeParameter('operation');
	const connector = await getConnector(this);
	const properties = await connector.getProperties(objectType);
	const fields: ResourceMapperField[] = [];
	for (const property of properties) {
		const unique = isUniqueProperty(objectType, property);
		const readOnly =
			property.modificationMetadata?.readOnlyValue === true || property.calculated === true;
		if (readOnly && !(unique && operation !== 'create')) continue;
		if (property.hidden && !unique) continue;
		const type = fieldType(property);
		fields.push({
			id: property.name,
			displayName: `${property.label} (${property.name})`,
			required: false,
			defaultMatch:
				operation === 'update'
					? property.name === 'hs_object_id'
					: property.name === 'email' && objectType === 'contacts',
			canBeUsedToMatch: unique && operation !== 'create',
			display: true,
			type,
			options:
				type === 'options'
					? (property.options ?? [])
							.filter((o) => !o.hidden)
							.map((o) => ({ name: o.label, value: o.value }))
					: undefined,
		});
	}
	return { fields };
}
