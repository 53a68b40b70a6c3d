/**
 * What the account has: object types (standard and custom, from the schemas API), a custom object's schema, and
 * property definitions (read, create, update), with the rule for which properties identify a record.
 */
import type { HubSpotCaller } from './clients';
import { encode } from './records';
import type { HubSpotPage, HubSpotProperty, HubSpotSchema } from './types';

/** An object type the account has: standard or custom. */
export interface HubSpotObjectType {
	/** What the API paths take: `contacts`, `companies`, or a custom object's `p12345_cars` / `2-123456`. */
	name: string;
	label: string;
	objectTypeId?: string;
	custom: boolean;
	primaryDisplayProperty?: string;
}

/** Standard CRM objects every account has. */
export const STANDARD_OBJECT_TYPES: readonly HubSpotObjectType[] = [
	{
		name: 'contacts',
		label: 'Contacts',
		objectTypeId: '0-1',
		custom: false,
		primaryDisplayProperty: 'email',
	},
	{
		name: 'companies',
		label: 'Companies',
		objectTypeId: '0-2',
		custom: false,
		primaryDisplayProperty: 'name',
	},
	{
		name: 'deals',
		label: 'Deals',
		objectTypeId: '0-3',
		custom: false,
		primaryDisplayProperty: 'dealname',
	},
	{
		name: 'tickets',
		label: 'Tickets',
		objectTypeId: '0-5',
		custom: false,
		primaryDisplayProperty: 'subject',
	},
	{
		name: 'products',
		label: 'Products',
		objectTypeId: '0-7',
		custom: false,
		primaryDisplayProperty: 'name',
	},
	{
		name: 'line_items',
		label: 'Line Items',
		objectTypeId: '0-8',
		custom: false,
		primaryDisplayProperty: 'name',
	},
];

/** Definition of a new property: name, label, type and field type at least. */
export type NewPropertyDefinition = Partial<HubSpotProperty> &
	Pick<HubSpotProperty, 'name' | 'label' | 'type' | 'fieldType'>;

/** Whether records can be matched on a property (update by unique property, upsert): the record id, e-mail of contacts, unique properties. */
export function isUniqueProperty(
	objectType: string,
	property: Pick<HubSpotProperty, 'name' | 'hasUniqueValue'>,
): boolean {
	return (
		property.name === 'hs_object_id' ||
		property.hasUniqueValue === true ||
		((objectType === 'contacts' || objectType === '0-1') && property.name === 'email')
	);
}

/** Standard objects plus the account's custom objects (schemas API). */
export async function listObjectTypes(host: HubSpotCaller): Promise<HubSpotObjectType[]> {
	const page = await host.call<HubSpotPage<HubSpotSchema>>({
		method: 'GET',
		url: '/crm/v3/schemas',
	});
	const custom = (page.results ?? [])
		.filter((s) => !s.archived)
		.map((s) => ({
			name: s.fullyQualifiedName ?? s.objectTypeId ?? s.name,
			label: s.labels?.plural ?? s.labels?.singular ?? s.name,
			objectTypeId: s.objectTypeId,
			custom: true,
			primaryDisplayProperty: s.primaryDisplayProperty,
		}));
	return [...STANDARD_OBJECT_TYPES, ...custom];
}

/** A custom object's schema, by name, fully qualified name or `2-…` id. */
export async function getSchema(host: HubSpotCaller, objectType: string): Promise<HubSpotSchema> {
	return await host.call<HubSpotSchema>({
		method: 'GET',
		url: `/crm/v3/schemas/${encode(objectType)}`,
	});
}

/** Property definitions of an object type. */
export async function getProperties(
	host: HubSpotCaller,
	objectType: string,
	options: { archived?: boolean } = {},
): Promise<HubSpotProperty[]> {
	const page = await host.call<HubSpotPage<HubSpotProperty>>({
		method: 'GET',
		url: `/crm/v3/properties/${encode(objectType)}`,
		qs: options.archived ? { archived: true } : undefined,
	});
	return page.results ?? [];
}

/** One property definition. */
export async function getProperty(
	host: HubSpotCaller,
	objectType: string,
	name: string,
): Promise<HubSpotProperty> {
	return await host.call<HubSpotProperty>({
		method: 'GET',
		url: `/crm/v3/properties/${encode(objectType)}/${encode(name)}`,
	});
}

/** Creates a property (in the object's default group unless `groupName` is given). */
export async function createProperty(
	host: HubSpotCaller,
	objectType: string,
	definition: NewPropertyDefinition,
): Promise<HubSpotProperty> {
	return await host.call<HubSpotProperty>({
		method: 'POST',
		url: `/crm/v3/properties/${encode(objectType)}`,
		body: {
			groupName: definition.groupName ?? `${objectType.replace(/s$/, '')}information`,
			...definition,
		},
	});
}

/** Updates a property definition (label, options, group, …). */
export async function updateProperty(
	host: HubSpotCaller,
	objectType: string,
	name: string,
	changes: Partial<HubSpotProperty>,
): Promise<HubSpotProperty> {
	return await host.call<HubSpotProperty>({
		method: 'PATCH',
		url: `/crm/v3/properties/${encode(objectType)}/${encode(name)}`,
		body: changes,
		idempotent: true,
	});
}
