/**
 * The field rules of the write operations, over the common schema of both CRMs: Salesforce fields through
 * `toFieldSchema` (its describe), HubSpot properties through `hubspotFieldSchema` (its properties API).
 */
import { type FieldOperation, fieldRole, fieldRoles } from '../../../core/connectors/fieldRules';
import type { FieldSchema } from '../../../core/connectors/contract';
import { hubspotFieldSchema } from '../../../core/connectors/hubspot/crm';
import type { HubSpotProperty } from '../../../core/connectors/hubspot/types';
import type { FieldDescribe } from '../../../core/connectors/salesforce/connector';
import { toFieldSchema } from '../../../core/connectors/salesforce/schema';

const sf = (name: string, type: string, extra: Partial<FieldDescribe> = {}): FieldSchema =>
	toFieldSchema({
		name,
		label: name,
		type,
		createable: true,
		updateable: true,
		nillable: true,
		...extra,
	} as FieldDescribe);

const SF = {
	Id: sf('Id', 'id', { createable: false, updateable: false, nillable: false }),
	LastName: sf('LastName', 'string', { nillable: false }),
	Email: sf('Email', 'email'),
	OptOut: sf('HasOptedOutOfEmail', 'boolean', { nillable: false }),
	Status: sf('Status__c', 'picklist', { nillable: false, defaultedOnCreate: true }),
	External: sf('External_Id__c', 'string', { externalId: true, idLookup: true, unique: true }),
	Username: sf('Username', 'string', { idLookup: true, unique: true, nillable: false }),
	AutoNumber: sf('Number__c', 'string', {
		externalId: true,
		createable: false,
		updateable: false,
		autoNumber: true,
	} as Partial<FieldDescribe>),
	Name: sf('Name', 'string', { createable: false, updateable: false, idLookup: true }),
	CreateOnly: sf('Owner_At_Create__c', 'string', { updateable: false }),
	UpdateOnly: sf('Closed_Reason__c', 'string', { createable: false }),
};

const hs = (name: string, extra: Partial<HubSpotProperty> = {}, objectType = 'contacts') =>
	hubspotFieldSchema(
		objectType,
		{ name, label: name, type: 'string', fieldType: 'text', ...extra },
		new Set(['vin']),
	);

const HS = {
	id: hs('hs_object_id', { type: 'number', modificationMetadata: { readOnlyValue: true } }),
	email: hs('email'),
	firstname: hs('firstname'),
	modified: hs('lastmodifieddate', {
		type: 'datetime',
		modificationMetadata: { readOnlyValue: true },
	}),
	score: hs('hubspotscore', { type: 'number', calculated: true }),
	uniqueReadOnly: hs('legacy_id', {
		hasUniqueValue: true,
		modificationMetadata: { readOnlyValue: true },
	}),
	hidden: hs('hs_internal', { hidden: true }),
	hiddenUnique: hs('hidden_key', { hidden: true, hasUniqueValue: true }),
	vin: hs('vin', { hasUniqueValue: true }, 'p1_car'),
};

const HUBSPOT = { updateBy: 'key' as const, defaultUpsertKey: 'email' };

/** The names offered, those required and those matchable, for one operation. */
function summary(
	fields: FieldSchema[],
	operation: FieldOperation,
	options?: Parameters<typeof fieldRole>[2],
) {
	const roles = fieldRoles(fields, operation, options);
	const names = (pick: (r: (typeof roles)[number]) => boolean) =>
		roles.filter(pick).map((r) => r.field.name);
	return {
		shown: names(() => true),
		required: names((r) => r.role.required),
		matchable: names((r) => r.role.matchable),
		defaultMatch: names((r) => r.role.defaultMatch),
	};
}

describe('field rules of the write operations', () => {
	const sfFields = Object.values(SF);

	it('Salesforce create: createable fields, required when not nillable and not defaulted (checkboxes never), nothing to match', () => {
		expect(summary(sfFields, 'create')).toEqual({
			shown: [
				'LastName',
				'Email',
				'HasOptedOutOfEmail',
				'Status__c',
				'External_Id__c',
				'Username',
				'Owner_At_Create__c',
			],
			required: ['LastName', 'Username'],
			matchable: [],
			defaultMatch: [],
		});
	});

	it('Salesforce update: updateable fields and Id, found by Id only (preselected), nothing required', () => {
		expect(summary(sfFields, 'update')).toEqual({
			shown: [
				'Id',
				'LastName',
				'Email',
				'HasOptedOutOfEmail',
				'Status__c',
				'External_Id__c',
				'Username',
				'Closed_Reason__c',
			],
			required: [],
			matchable: ['Id'],
			defaultMatch: ['Id'],
		});
		const id = fieldRole(SF.Id, 'update');
		expect(id).toEqual({
			shown: true,
			writable: false,
			required: false,
			matchable: true,
			defaultMatch: true,
		});
	});

	it('Salesforce upsert: every writable field, matched by Id or an upsert key that can be set on create', () => {
		expect(summary(sfFields, 'upsert')).toEqual({
			shown: [
				'Id',
				'LastName',
				'Email',
				'HasOptedOutOfEmail',
				'Status__c',
				'External_Id__c',
				'Username',
				'Owner_At_Create__c',
				'Closed_Reason__c',
			],
			required: [],
			matchable: ['Id', 'External_Id__c', 'Username'],
			defaultMatch: [],
		});
		// An auto-number external ID cannot be set on create, so it cannot create the record it names.
		expect(fieldRole(SF.AutoNumber, 'upsert').shown).toBe(false);
		expect(fieldRole(SF.Name, 'upsert')).toMatchObject({ shown: false, matchable: false });
	});

	it('writable follows the operation: create-only and update-only fields', () => {
		expect(fieldRole(SF.CreateOnly, 'create').writable).toBe(true);
		expect(fieldRole(SF.CreateOnly, 'update')).toMatchObject({ writable: false, shown: false });
		expect(fieldRole(SF.UpdateOnly, 'create')).toMatchObject({ writable: false, shown: false });
		expect(fieldRole(SF.UpdateOnly, 'update').writable).toBe(true);
		expect(fieldRole(SF.UpdateOnly, 'upsert').writable).toBe(true);
	});

	const hsFields = Object.values(HS);

	it('HubSpot create: writable properties (hidden ones only when unique), none to match', () => {
		expect(summary(hsFields, 'create', HUBSPOT)).toEqual({
			shown: ['email', 'firstname', 'hidden_key', 'vin'],
			required: ['vin'],
			matchable: [],
			defaultMatch: [],
		});
	});

	it('HubSpot update and upsert: found by any unique property, read-only ones included as keys', () => {
		const shown = ['hs_object_id', 'email', 'firstname', 'legacy_id', 'hidden_key', 'vin'];
		const matchable = ['hs_object_id', 'email', 'legacy_id', 'hidden_key', 'vin'];
		expect(summary(hsFields, 'update', HUBSPOT)).toEqual({
			shown,
			required: [],
			matchable,
			defaultMatch: ['hs_object_id'],
		});
		expect(summary(hsFields, 'upsert', HUBSPOT)).toEqual({
			shown,
			required: [],
			matchable,
			defaultMatch: ['email'],
		});
		expect(fieldRole(HS.uniqueReadOnly, 'upsert', HUBSPOT)).toMatchObject({
			writable: false,
			matchable: true,
		});
	});

	it('update finds by id only unless the operation updates by key', () => {
		expect(fieldRole(HS.email, 'update').matchable).toBe(false);
		expect(fieldRole(HS.email, 'update', { updateBy: 'key' }).matchable).toBe(true);
		expect(fieldRole(SF.External, 'update', { updateBy: 'key' }).matchable).toBe(true);
		expect(fieldRole(HS.email, 'upsert').defaultMatch).toBe(false);
	});
});
