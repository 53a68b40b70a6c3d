/** One field of a write operation's resource mapper, from the common field schema and its role (core/connectors/fieldRules). */
import type { FieldType, ResourceMapperField } from 'n8n-workflow';

import type { FieldSchema } from '../../core/connectors/contract';
import type { FieldRole } from '../../core/connectors/fieldRules';

/** The mapper's field: `type` and `options` are the node's choice (how its CRM's values are best entered in n8n). */
export function mapperField(
	field: FieldSchema,
	role: FieldRole,
	type: FieldType,
	options?: ResourceMapperField['options'],
): ResourceMapperField {
	const mapped: ResourceMapperField = {
		id: field.name,
		displayName: `${field.label} (${field.name})`,
		required: role.required,
		defaultMatch: role.defaultMatch,
		canBeUsedToMatch: role.matchable,
		display: true,
		type,
	};
	if (options) mapped.options = options;
	return mapped;
}
