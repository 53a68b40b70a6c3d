/**
 * The CRM Sync's field pickers: each field as "Label (API name)" with its type and flags in the description.
 * The match key picker shows the fields that can pair records first (unique / external ID, then e-mail, phone,
 * website and other identifier-like fields), flagged "good match key"; the others follow.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import type { FieldSchema } from '../../../core/connectors/contract';

export type FieldPurpose = 'mapping' | 'matchKey';

const TYPE_NAMES: Record<string, string> = {
	id: 'ID',
	string: 'text',
	number: 'number',
	boolean: 'true/false',
	date: 'date',
	datetime: 'date & time',
	picklist: 'picklist',
	multipicklist: 'multi-select picklist',
	reference: 'reference',
	email: 'e-mail',
	phone: 'phone',
	url: 'URL',
	other: 'other',
};

/** Field names that identify a record without the CRM enforcing it (e-mail, phone, website, numbers, codes). */
const KEY_LIKE = /e-?mail|phone|mobile|domain|website|external|_id$|number|code|vat|tax/i;

/**
 * 0: unique in the CRM; 1: identifier-like (e-mail, phone, website, codes); 2: anything else that can hold a
 * comparable value (record IDs and references too: the other CRM rarely holds them); 3: not usable.
 */
export function matchKeyRank(field: FieldSchema): number {
	if (field.type === 'boolean' || field.type === 'multipicklist') return 3;
	// A record ID or a reference (owner, account) is the CRM's own: the other side rarely holds it.
	if (field.type === 'id' || field.type === 'reference') return 2;
	if (field.unique || field.externalId) return 0;
	if (['email', 'phone', 'url'].includes(field.type) || KEY_LIKE.test(field.name)) return 1;
	return 2;
}

function flags(field: FieldSchema, purpose: FieldPurpose): string[] {
	const out: string[] = [];
	if (purpose === 'matchKey' && matchKeyRank(field) <= 1) out.push('good match key');
	if (field.unique || field.externalId)
		out.push(field.externalId ? 'unique, external ID' : 'unique');
	if (field.readOnly) out.push('read-only: can only be copied from this side');
	else if (field.createable && !field.updateable) out.push('set on create only');
	if (field.requiredOnCreate) out.push('required on create');
	if (field.hidden) out.push('hidden in the CRM');
	return out;
}

/** A field as a picker option: "Label (ApiName)", described by its type and flags. */
export function fieldOption(field: FieldSchema, purpose: FieldPurpose): INodePropertyOptions {
	const label =
		field.label && field.label !== field.name ? `${field.label} (${field.name})` : field.name;
	const type = TYPE_NAMES[field.type] ?? field.type;
	const details = [
		`${type}${field.crmType && field.crmType !== field.type ? ` (${field.crmType})` : ''}`,
	];
	return {
		name: label,
		value: field.name,
		description: [...details, ...flags(field, purpose)].join(' · '),
	};
}

/**
 * The options of a field picker. Mappings: every field, by label. Match keys: the fields that can pair records
 * (no true/false or multi-select fields), unique and identifier-like ones first, each group by label.
 */
export function fieldOptions(fields: FieldSchema[], purpose: FieldPurpose): INodePropertyOptions[] {
	const byLabel = (x: FieldSchema, y: FieldSchema) =>
		(x.label || x.name).localeCompare(y.label || y.name);
	const listed =
		purpose === 'matchKey'
			? fields
					.filter((f) => matchKeyRank(f) < 3)
					.sort((x, y) => matchKeyRank(x) - matchKeyRank(y) || byLabel(x, y))
			: [...fields].sort(byLabel);
	return listed.map((f) => fieldOption(f, purpose));
}
