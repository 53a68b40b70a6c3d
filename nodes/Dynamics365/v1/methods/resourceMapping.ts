/** The resource mapper's columns, from describe (option sets as options, lookups as reference ids). */
import type {
	FieldType,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import type { FieldSchema } from '../../../../core/connectors/contract';
import { type FieldOperation, fieldRoles } from '../../../../core/connectors/fieldRules';
import { getDynamicsConnector } from '../../../shared/dynamics/connection';
import { mapperField } from '../../../shared/resourceMapper';

/** n8n's input type for a common field type (text for the rest: strings, e-mails, lookups, multi-selects). */
const TYPES: Partial<Record<FieldSchema['type'], FieldType>> = {
	id: 'string',
	number: 'number',
	boolean: 'boolean',
	date: 'dateTime',
	datetime: 'dateTime',
	picklist: 'options',
};

/**
 * The table's columns for the operation, with the roles core/connectors/fieldRules gives them: update and upsert
 * match on the id or a one-column alternate key (update by key never creates a row). Option-set values are Dataverse's integers; a lookup
 * takes the target row's GUID (`accounts(<guid>)` for lookups with several target tables).
 */
export async function getFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const table = this.getCurrentNodeParameter('table');
	if (typeof table !== 'string' || table === '') return { fields: [] };
	const current = this.getCurrentNodeParameter('operation');
	const operation: FieldOperation =
		current === 'create' || current === 'update' ? current : 'upsert';
	const schema = await (await getDynamicsConnector(this)).describe(table);
	// Update finds rows by ID or by a one-column alternate key (never creating one), as upsert does.
	const fields: ResourceMapperField[] = fieldRoles(schema.fields, operation, {
		updateBy: 'key',
	}).map(({ field, role }) => {
		const type = TYPES[field.type] ?? 'string';
		const options =
			type === 'options'
				? (field.options ?? []).map((o) => ({ name: o.label, value: Number(o.value) }))
				: undefined;
		const mapped = mapperField(field, role, type, options);
		if (field.type === 'reference')
			mapped.displayName = `${field.label} (${field.name} → ${(field.referenceTo ?? []).join(' / ')})`;
		return mapped;
	});
	return { fields };
}
