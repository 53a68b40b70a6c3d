/** The resource mapper's fields, from the properties API. */
import type {
	FieldType,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fieldRole } from '../../../../core/connectors/fieldRules';
import { hubspotFieldSchema } from '../../../../core/connectors/hubspot/crm';
import type { HubSpotProperty } from '../../../../core/connectors/hubspot/types';
import { getConnector } from '../transport';
import { mapperField } from '../../../shared/resourceMapper';

/** n8n's input type for a HubSpot property (text for the rest, checkboxes as `a;b` text). */
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

/**
 * Writable properties of the chosen object, with the roles core/connectors/fieldRules gives them: update and upsert
 * find records by any unique property (record id, contacts' e-mail, custom unique ones); contacts' upsert by e-mail.
 */
export async function getFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const objectType = this.getCurrentNodeParameter('objectType');
	if (typeof objectType !== 'string' || objectType === '')
		throw new NodeOperationError(this.getNode(), 'Choose the object first');
	const current = this.getCurrentNodeParameter('operation');
	const operation = current === 'create' || current === 'update' ? current : 'upsert';
	const options = {
		updateBy: 'key' as const,
		defaultUpsertKey: objectType === 'contacts' ? 'email' : undefined,
	};
	const properties = await (await getConnector(this)).getProperties(objectType);
	const fields: ResourceMapperField[] = [];
	for (const property of properties) {
		const field = hubspotFieldSchema(objectType, property);
		const role = fieldRole(field, operation, options);
		if (!role.shown) continue;
		const type = fieldType(property);
		const choices =
			type === 'options'
				? (property.options ?? [])
						.filter((o) => !o.hidden)
						.map((o) => ({ name: o.label, value: o.value }))
				: undefined;
		fields.push(mapperField(field, role, type, choices));
	}
	return { fields };
}
