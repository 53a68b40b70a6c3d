import type { FieldType, ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { type FieldOperation, fieldRoles } from '../../../../core/connectors/fieldRules';
import { toFieldSchema } from '../../../../core/connectors/salesforce/schema';
import { getConnector } from '../transport';
import { currentObject } from '../../../shared/salesforce/currentObject';
import { mapperField } from '../../../shared/resourceMapper';

/** n8n's input type for a Salesforce field type (text for the rest). */
const TYPES: Record<string, FieldType> = {
	boolean: 'boolean',
	int: 'number',
	double: 'number',
	currency: 'number',
	percent: 'number',
	date: 'dateTime',
	datetime: 'dateTime',
	time: 'time',
	picklist: 'options',
};

/** The object's fields for `operation`, with the roles core/connectors/fieldRules gives them (update finds by Id). */
async function fields(
	ctx: ILoadOptionsFunctions,
	operation: FieldOperation,
): Promise<ResourceMapperFields> {
	const object = currentObject(ctx);
	if (!object) return { fields: [] };
	const described = await (await getConnector(ctx)).describe(object);
	return {
		fields: fieldRoles(described.fields.map(toFieldSchema), operation).map(({ field, role }) => {
			const type = TYPES[field.crmType] ?? 'string';
			const options =
				type === 'options' && field.options?.length
					? field.options.map((o) => ({ name: o.label, value: o.value }))
					: undefined;
			return mapperField(field, role, type, options);
		}),
	};
}

/** Fields that can be set on create (required ones marked, picklists as options). */
export async function getCreateFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await fields(this, 'create');
}

/** Fields that can be updated, matched by Id. */
export async function getUpdateFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await fields(this, 'update');
}

/** Fields for an upsert, matched by an external ID field. */
export async function getUpsertFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await fields(this, 'upsert');
}
