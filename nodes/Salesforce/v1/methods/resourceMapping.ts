import type {
	FieldType,
	ILoadOptionsFunctions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import type { FieldDescribe } from '../../../../core/connectors/salesforce/connector';
import { getConnector } from '../transport';
import { currentObject } from '../../../shared/salesforce/currentObject';

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

function toField(f: FieldDescribe, mode: 'create' | 'update' | 'upsert'): ResourceMapperField {
	const canMatch =
		mode === 'update'
			? f.name === 'Id'
			: mode === 'upsert'
				? f.externalId === true || f.name === 'Id'
				: false;
	const required =
		mode === 'create' &&
		f.createable &&
		!f.nillable &&
		!f.defaultedOnCreate &&
		f.type !== 'boolean';
	const field: ResourceMapperField = {
		id: f.name,
		displayName: `${f.label} (${f.name})`,
		required,
		defaultMatch: mode === 'update' && f.name === 'Id',
		canBeUsedToMatch: canMatch,
		display: true,
		type: TYPES[f.type] ?? 'string',
	};
	if (f.type === 'picklist' && f.picklistValues?.length) {
		field.options = f.picklistValues
			.filter((p) => p.active)
			.map((p) => ({ name: p.label, value: p.value }));
	}
	return field;
}

async function fields(
	ctx: ILoadOptionsFunctions,
	mode: 'create' | 'update' | 'upsert',
): Promise<ResourceMapperFields> {
	const object = currentObject(ctx);
	if (!object) return { fields: [] };
	const described = await (await getConnector(ctx)).describe(object);
	const usable = described.fields.filter((f) => {
		if (mode === 'create') return f.createable;
		if (mode === 'update') return f.updateable || f.name === 'Id';
		return f.createable || f.updateable || f.name === 'Id' || f.externalId === true;
	});
	return { fields: usable.map((f) => toField(f, mode)) };
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
