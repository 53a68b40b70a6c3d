/** HubSpotCrm's mapping to the connector contract: property types, read-only / unique rules, records, watermarks. */
import {
	hubspotFieldSchema,
	hubspotFieldType,
	hubspotRecord,
	hubspotWatermark,
	parseHubSpotWatermark,
} from '../../../../core/connectors/hubspot/crm';
import type { HubSpotProperty } from '../../../../core/connectors/hubspot/types';

const prop = (
	name: string,
	type: string,
	fieldType: string,
	extra: Partial<HubSpotProperty> = {},
): HubSpotProperty => ({ name, label: name.toUpperCase(), type, fieldType, ...extra });

describe('property types in the common schema', () => {
	it.each([
		{ objectType: 'contacts', p: prop('hs_object_id', 'number', 'number'), expected: 'id' },
		{ objectType: 'contacts', p: prop('firstname', 'string', 'text'), expected: 'string' },
		{ objectType: 'contacts', p: prop('notes', 'string', 'textarea'), expected: 'string' },
		{ objectType: 'contacts', p: prop('phone', 'string', 'phonenumber'), expected: 'phone' },
		{ objectType: 'contacts', p: prop('email', 'string', 'text'), expected: 'email' },
		{ objectType: 'companies', p: prop('email', 'string', 'text'), expected: 'string' },
		{ objectType: 'deals', p: prop('amount', 'number', 'number'), expected: 'number' },
		{
			objectType: 'contacts',
			p: prop('hs_is_unworked', 'bool', 'booleancheckbox'),
			expected: 'boolean',
		},
		{
			objectType: 'contacts',
			p: prop('opted_in', 'enumeration', 'booleancheckbox'),
			expected: 'boolean',
		},
		{ objectType: 'contacts', p: prop('birthday', 'date', 'date'), expected: 'date' },
		{ objectType: 'contacts', p: prop('createdate', 'datetime', 'date'), expected: 'datetime' },
		{
			objectType: 'contacts',
			p: prop('lifecyclestage', 'enumeration', 'select'),
			expected: 'picklist',
		},
		{ objectType: 'contacts', p: prop('gender', 'enumeration', 'radio'), expected: 'picklist' },
		{
			objectType: 'tickets',
			p: prop('hs_ticket_category', 'enumeration', 'checkbox'),
			expected: 'multipicklist',
		},
		{
			objectType: 'contacts',
			p: prop('hubspot_owner_id', 'enumeration', 'select', { referencedObjectType: 'OWNER' }),
			expected: 'reference',
		},
		{
			objectType: 'contacts',
			p: prop('location', 'object_coordinates', 'text'),
			expected: 'other',
		},
	])('$objectType: $p.name ($p.type/$p.fieldType) → $expected', ({ objectType, p, expected }) => {
		expect(hubspotFieldType(objectType, p)).toBe(expected);
	});
});

describe('field rules', () => {
	it('marks HubSpot-maintained and calculated values read-only (neither createable nor updateable)', () => {
		const lastModified = hubspotFieldSchema(
			'contacts',
			prop('lastmodifieddate', 'datetime', 'date', {
				modificationMetadata: { readOnlyValue: true },
			}),
		);
		expect(lastModified).toMatchObject({
			readOnly: true,
			createable: false,
			updateable: false,
			requiredOnCreate: false,
		});
		expect(
			hubspotFieldSchema(
				'deals',
				prop('hs_deal_score', 'number', 'calculation_equation', { calculated: true }),
			),
		).toMatchObject({ readOnly: true, createable: false });
		expect(hubspotFieldSchema('contacts', prop('hs_object_id', 'number', 'number'))).toMatchObject({
			type: 'id',
			readOnly: true,
			unique: true,
			externalId: false,
		});
		expect(
			hubspotFieldSchema(
				'contacts',
				prop('firstname', 'string', 'text', { modificationMetadata: { readOnlyValue: false } }),
			),
		).toMatchObject({ readOnly: false, createable: true, updateable: true });
	});

	it("unique and usable as an upsert key: contacts' email (HubSpot reports hasUniqueValue false for it) and unique properties", () => {
		expect(
			hubspotFieldSchema('contacts', prop('email', 'string', 'text', { hasUniqueValue: false })),
		).toMatchObject({ type: 'email', unique: true, externalId: true });
		expect(
			hubspotFieldSchema('companies', prop('domain', 'string', 'text', { hasUniqueValue: false })),
		).toMatchObject({ unique: false, externalId: false });
		expect(
			hubspotFieldSchema('p123_cars', prop('vin', 'string', 'text', { hasUniqueValue: true })),
		).toMatchObject({ unique: true, externalId: true });
	});

	it("gives picklists their options and references their target; required only from the object's required properties", () => {
		const stage = hubspotFieldSchema(
			'contacts',
			prop('lifecyclestage', 'enumeration', 'select', {
				options: [
					{ label: 'Lead', value: 'lead', hidden: false },
					{ label: 'Customer', value: 'customer' },
				],
			}),
		);
		expect(stage.options).toEqual([
			{ value: 'lead', label: 'Lead' },
			{ value: 'customer', label: 'Customer' },
		]);
		expect(
			hubspotFieldSchema(
				'contacts',
				prop('hubspot_owner_id', 'enumeration', 'select', { referencedObjectType: 'OWNER' }),
			).referenceTo,
		).toEqual(['OWNER']);
		expect(
			hubspotFieldSchema('p123_cars', prop('vin', 'string', 'text'), new Set(['vin']))
				.requiredOnCreate,
		).toBe(true);
		expect(
			hubspotFieldSchema('p123_cars', prop('model', 'string', 'text'), new Set(['vin']))
				.requiredOnCreate,
		).toBe(false);
	});
});

describe('records and watermarks', () => {
	it('turns a HubSpot object into a CrmRecord: updatedAt from lastmodifieddate (contacts) or hs_lastmodifieddate, a deletion from archivedAt', () => {
		const contact = hubspotRecord('contacts', {
			id: '7',
			properties: { email: 'a@x.io', lastmodifieddate: '2024-03-05T10:00:00.123Z' },
		});
		expect(contact).toMatchObject({
			id: '7',
			type: 'contacts',
			source: 'hubspot',
			updatedAt: '2024-03-05T10:00:00.123Z',
			fields: { email: 'a@x.io' },
		});
		expect(contact.deleted).toBeUndefined();
		expect(
			hubspotRecord('deals', { id: '8', properties: { hs_lastmodifieddate: '1709632800000' } })
				.updatedAt,
		).toBe('2024-03-05T10:00:00.000Z');
		const gone = hubspotRecord(
			'contacts',
			{ id: '9', properties: {}, archived: true, archivedAt: '2024-03-06T00:00:00.000Z' },
			true,
		);
		expect(gone).toMatchObject({ id: '9', deleted: true, updatedAt: '2024-03-06T00:00:00.000Z' });
	});

	it('round-trips a watermark through JSON; null starts from the beginning; anything else is refused with the fix', () => {
		const position = {
			modified: { timestamp: 1709632800123, ids: ['1', '2'] },
			archived: { timestamp: 1709632799000, ids: ['3'] },
		};
		const stored = JSON.parse(JSON.stringify(hubspotWatermark(position)));
		expect(parseHubSpotWatermark(stored)).toEqual(position);
		expect(parseHubSpotWatermark(null)).toEqual({
			modified: { timestamp: 0, ids: [] },
			archived: { timestamp: 0, ids: [] },
		});
		expect(() => parseHubSpotWatermark({ ts: '2024-03-05T10:00:00Z', id: '5' })).toThrow(
			/not a HubSpot change watermark .* or null to read from the beginning/,
		);
		expect(() =>
			parseHubSpotWatermark({
				modifiedAt: 1,
				modifiedIds: [1 as unknown as string],
				archivedAt: 0,
				archivedIds: [],
			}),
		).toThrow(/not a HubSpot change watermark/);
	});
});
