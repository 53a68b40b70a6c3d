/**
 * The simulated org's schema: standard objects Account, Contact, Lead, Opportunity, Case, Task and User,
 * plus the custom object `Invoice__c`, with the field metadata `describe` reports (types, lengths,
 * createable/updateable, nillable, external ids, picklists, references). Validation, SOQL and the describe
 * endpoints all read this one definition, so they cannot disagree.
 */

/** Salesforce field types used by the simulated schema (`describe` `type`). */
export type SfFieldType =
	| 'id'
	| 'string'
	| 'textarea'
	| 'email'
	| 'phone'
	| 'url'
	| 'picklist'
	| 'boolean'
	| 'int'
	| 'double'
	| 'currency'
	| 'percent'
	| 'date'
	| 'datetime'
	| 'reference';

/** One field of an object. */
export interface SfField {
	name: string;
	label: string;
	type: SfFieldType;
	/** Maximum length for text types. */
	length?: number;
	/** Digits for numbers (precision, scale). */
	precision?: number;
	scale?: number;
	/** Can be set on create (default true unless system). */
	createable: boolean;
	updateable: boolean;
	/** Can be null (false + createable + no default = required on create). */
	nillable: boolean;
	/** Filled in by the server on create when absent. */
	defaultedOnCreate?: boolean;
	defaultValue?: unknown;
	externalId?: boolean;
	unique?: boolean;
	idLookup?: boolean;
	custom?: boolean;
	/** Computed by the server (e.g. `Name` of a contact). */
	calculated?: boolean;
	/** Picklist values; `restricted` rejects others. */
	picklist?: { values: string[]; restricted?: boolean; defaultValue?: string };
	/** Target object(s) of a reference. */
	referenceTo?: string[];
	/** Name of the parent relationship (`Account`, `Owner`, `Account__r`). */
	relationshipName?: string;
	/** Set by the system only (Id, CreatedDate, …). */
	system?: boolean;
}

/** One object (sObject type). */
export interface SfObject {
	name: string;
	label: string;
	labelPlural: string;
	keyPrefix: string;
	custom: boolean;
	createable: boolean;
	updateable: boolean;
	deletable: boolean;
	fields: SfField[];
	/** Field lookup by lower-case name. */
	byName: Map<string, SfField>;
	/** Reference field by lower-case relationship name. */
	byRelationship: Map<string, SfField>;
	/** Child relationships (`Contacts` on Account), for describe. */
	childRelationships: Array<{
		childSObject: string;
		field: string;
		relationshipName: string | null;
	}>;
}

type FieldSpec = Partial<SfField> & { type: SfFieldType; label?: string };

function text(length: number, extra: Partial<SfField> = {}): FieldSpec {
	return { type: 'string', length, ...extra };
}
function picklist(
	values: string[],
	extra: Partial<SfField> & { restricted?: boolean; defaultValue?: string } = {},
): FieldSpec {
	const { restricted, defaultValue, ...rest } = extra;
	return {
		type: 'picklist',
		length: 255,
		picklist: { values, restricted, defaultValue },
		...(defaultValue !== undefined ? { defaultedOnCreate: true, defaultValue } : {}),
		...rest,
	};
}
function ref(to: string[], relationshipName: string, extra: Partial<SfField> = {}): FieldSpec {
	return { type: 'reference', length: 18, referenceTo: to, relationshipName, ...extra };
}
const readOnly: Partial<SfField> = { createable: false, updateable: false, calculated: true };

const OWNER = ref(['User'], 'Owner', {
	label: 'Owner ID',
	nillable: false,
	defaultedOnCreate: true,
});

/** Labels for field names without an explicit label (`AccountId` → `Account ID`, `Due_Date__c` → `Due Date`). */
function labelOf(name: string): string {
	const base = name.replace(/__c$/, '').replace(/_/g, ' ');
	if (/Id$/.test(base) && base.length > 2)
		return base.slice(0, -2).replace(/([a-z])([A-Z])/g, '$1 $2') + ' ID';
	return base.replace(/([a-z])([A-Z])/g, '$1 $2');
}

const SYSTEM_FIELDS: Record<string, FieldSpec> = {
	Id: { type: 'id', length: 18, label: 'Record ID', system: true, idLookup: true, unique: false },
	IsDeleted: { type: 'boolean', label: 'Deleted', system: true },
	CreatedDate: { type: 'datetime', label: 'Created Date', system: true },
	CreatedById: ref(['User'], 'CreatedBy', { label: 'Created By ID', system: true }),
	LastModifiedDate: { type: 'datetime', label: 'Last Modified Date', system: true },
	LastModifiedById: ref(['User'], 'LastModifiedBy', { label: 'Last Modified By ID', system: true }),
	SystemModstamp: { type: 'datetime', label: 'System Modstamp', system: true },
};

interface ObjectSpec {
	name: string;
	label: string;
	labelPlural: string;
	keyPrefix: string;
	createable?: boolean;
	fields: Record<string, FieldSpec>;
}

const OBJECT_SPECS: ObjectSpec[] = [
	{
		name: 'User',
		label: 'User',
		labelPlural: 'Users',
		keyPrefix: '005',
		createable: false,
		fields: {
			Username: text(80, { nillable: false, unique: true, idLookup: true }),
			FirstName: text(40),
			LastName: text(80, { nillable: false }),
			Name: text(121, { ...readOnly, label: 'Full Name', idLookup: true }),
			Email: { type: 'email', length: 128, nillable: false },
			Alias: text(8, { nillable: false }),
			IsActive: { type: 'boolean', label: 'Active', defaultedOnCreate: true, defaultValue: true },
			TimeZoneSidKey: picklist(['GMT', 'America/Los_Angeles', 'Europe/London', 'Europe/Paris'], {
				label: 'Time Zone',
				defaultValue: 'GMT',
			}),
		},
	},
	{
		name: 'Account',
		label: 'Account',
		labelPlural: 'Accounts',
		keyPrefix: '001',
		fields: {
			Name: text(255, { label: 'Account Name', nillable: false, idLookup: false }),
			Type: picklist(
				[
					'Prospect',
					'Customer - Direct',
					'Customer - Channel',
					'Channel Partner / Reseller',
					'Installation Partner',
					'Technology Partner',
					'Other',
				],
				{ label: 'Account Type' },
			),
			Industry: picklist([
				'Agriculture',
				'Banking',
				'Biotechnology',
				'Consulting',
				'Education',
				'Energy',
				'Finance',
				'Healthcare',
				'Manufacturing',
				'Media',
				'Retail',
				'Technology',
				'Other',
			]),
			AccountNumber: text(40, { label: 'Account Number' }),
			Phone: { type: 'phone', length: 40, label: 'Account Phone' },
			Website: { type: 'url', length: 255 },
			BillingStreet: { type: 'textarea', length: 255, label: 'Billing Street' },
			BillingCity: text(40, { label: 'Billing City' }),
			BillingState: text(80, { label: 'Billing State/Province' }),
			BillingPostalCode: text(20, { label: 'Billing Zip/Postal Code' }),
			BillingCountry: text(80, { label: 'Billing Country' }),
			AnnualRevenue: { type: 'currency', precision: 18, scale: 0, label: 'Annual Revenue' },
			NumberOfEmployees: { type: 'int', precision: 8, label: 'Employees' },
			Description: { type: 'textarea', length: 32000, label: 'Account Description' },
			ParentId: ref(['Account'], 'Parent', { label: 'Parent Account ID' }),
			// an external id that is not unique: upserts by it can match several records (300)
			Legacy_Id__c: text(40, { label: 'Legacy Id', externalId: true, custom: true }),
			OwnerId: OWNER,
		},
	},
	{
		name: 'Contact',
		label: 'Contact',
		labelPlural: 'Contacts',
		keyPrefix: '003',
		fields: {
			FirstName: text(40, { label: 'First Name' }),
			LastName: text(80, { label: 'Last Name', nillable: false }),
			Name: text(121, { ...readOnly, label: 'Full Name' }),
			Email: { type: 'email', length: 80 },
			Phone: { type: 'phone', length: 40, label: 'Business Phone' },
			MobilePhone: { type: 'phone', length: 40, label: 'Mobile Phone' },
			Title: text(128),
			Department: text(80),
			AccountId: ref(['Account'], 'Account'),
			ReportsToId: ref(['Contact'], 'ReportsTo', { label: 'Reports To ID' }),
			Birthdate: { type: 'date' },
			LeadSource: picklist(
				['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'],
				{ label: 'Lead Source' },
			),
			HasOptedOutOfEmail: {
				type: 'boolean',
				label: 'Email Opt Out',
				defaultedOnCreate: true,
				defaultValue: false,
			},
			MailingStreet: { type: 'textarea', length: 255, label: 'Mailing Street' },
			MailingCity: text(40, { label: 'Mailing City' }),
			MailingCountry: text(80, { label: 'Mailing Country' }),
			Description: { type: 'textarea', length: 32000, label: 'Contact Description' },
			External_Id__c: text(255, {
				label: 'External Id',
				externalId: true,
				unique: true,
				idLookup: true,
				custom: true,
			}),
			OwnerId: OWNER,
		},
	},
	{
		name: 'Lead',
		label: 'Lead',
		labelPlural: 'Leads',
		keyPrefix: '00Q',
		fields: {
			FirstName: text(40, { label: 'First Name' }),
			LastName: text(80, { label: 'Last Name', nillable: false }),
			Name: text(121, { ...readOnly, label: 'Full Name' }),
			Company: text(255, { nillable: false }),
			Title: text(128),
			Email: { type: 'email', length: 80 },
			Phone: { type: 'phone', length: 40 },
			Status: picklist(
				[
					'Open - Not Contacted',
					'Working - Contacted',
					'Closed - Converted',
					'Closed - Not Converted',
				],
				{
					label: 'Lead Status',
					nillable: false,
					restricted: true,
					defaultValue: 'Open - Not Contacted',
				},
			),
			LeadSource: picklist(
				['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'],
				{ label: 'Lead Source' },
			),
			Industry: picklist([
				'Banking',
				'Consulting',
				'Education',
				'Energy',
				'Finance',
				'Healthcare',
				'Media',
				'Retail',
				'Technology',
				'Other',
			]),
			Rating: picklist(['Hot', 'Warm', 'Cold']),
			AnnualRevenue: { type: 'currency', precision: 18, scale: 0, label: 'Annual Revenue' },
			IsConverted: {
				type: 'boolean',
				label: 'Converted',
				createable: false,
				updateable: false,
				defaultedOnCreate: true,
				defaultValue: false,
			},
			OwnerId: OWNER,
		},
	},
	{
		name: 'Opportunity',
		label: 'Opportunity',
		labelPlural: 'Opportunities',
		keyPrefix: '006',
		fields: {
			Name: text(120, { nillable: false, label: 'Name' }),
			AccountId: ref(['Account'], 'Account'),
			StageName: picklist(
				[
					'Prospecting',
					'Qualification',
					'Needs Analysis',
					'Proposal/Price Quote',
					'Negotiation/Review',
					'Closed Won',
					'Closed Lost',
				],
				{
					label: 'Stage',
					nillable: false,
					restricted: true,
				},
			),
			CloseDate: { type: 'date', label: 'Close Date', nillable: false },
			Amount: { type: 'currency', precision: 18, scale: 2 },
			Probability: { type: 'percent', precision: 3, scale: 0, label: 'Probability (%)' },
			Type: picklist(
				['Existing Customer - Upgrade', 'Existing Customer - Replacement', 'New Customer'],
				{ label: 'Opportunity Type' },
			),
			LeadSource: picklist(
				['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'],
				{ label: 'Lead Source' },
			),
			IsClosed: { type: 'boolean', label: 'Closed', ...readOnly },
			IsWon: { type: 'boolean', label: 'Won', ...readOnly },
			Description: { type: 'textarea', length: 32000 },
			OwnerId: OWNER,
		},
	},
	{
		name: 'Case',
		label: 'Case',
		labelPlural: 'Cases',
		keyPrefix: '500',
		fields: {
			CaseNumber: text(30, { ...readOnly, label: 'Case Number', idLookup: true }),
			Subject: text(255),
			Description: { type: 'textarea', length: 32000 },
			Status: picklist(['New', 'Working', 'Escalated', 'Closed'], {
				nillable: false,
				defaultValue: 'New',
			}),
			Priority: picklist(['High', 'Medium', 'Low'], { defaultValue: 'Medium' }),
			Origin: picklist(['Phone', 'Email', 'Web'], { label: 'Case Origin' }),
			AccountId: ref(['Account'], 'Account'),
			ContactId: ref(['Contact'], 'Contact'),
			OwnerId: OWNER,
		},
	},
	{
		name: 'Task',
		label: 'Task',
		labelPlural: 'Tasks',
		keyPrefix: '00T',
		fields: {
			Subject: text(255),
			Status: picklist(
				['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
				{
					nillable: false,
					restricted: true,
					defaultValue: 'Not Started',
				},
			),
			Priority: picklist(['High', 'Normal', 'Low'], {
				nillable: false,
				restricted: true,
				defaultValue: 'Normal',
			}),
			ActivityDate: { type: 'date', label: 'Due Date Only' },
			WhoId: ref(['Contact', 'Lead'], 'Who', { label: 'Name ID' }),
			WhatId: ref(['Account', 'Opportunity', 'Case', 'Invoice__c'], 'What', {
				label: 'Related To ID',
			}),
			Description: { type: 'textarea', length: 32000 },
			OwnerId: OWNER,
		},
	},
	{
		name: 'Invoice__c',
		label: 'Invoice',
		labelPlural: 'Invoices',
		keyPrefix: 'a01',
		fields: {
			Name: text(80, { label: 'Invoice Name', nillable: false }),
			Invoice_Number__c: text(40, {
				label: 'Invoice Number',
				externalId: true,
				unique: true,
				idLookup: true,
			}),
			Account__c: ref(['Account'], 'Account__r', { label: 'Account' }),
			Amount__c: { type: 'currency', precision: 16, scale: 2, label: 'Amount' },
			Status__c: picklist(['Draft', 'Sent', 'Paid', 'Void'], {
				label: 'Status',
				restricted: true,
				defaultValue: 'Draft',
			}),
			Due_Date__c: { type: 'date', label: 'Due Date' },
			Paid__c: { type: 'boolean', label: 'Paid', defaultedOnCreate: true, defaultValue: false },
			OwnerId: OWNER,
		},
	},
];

function buildField(name: string, spec: FieldSpec, objectCustom: boolean): SfField {
	const system = spec.system ?? false;
	const calculated = spec.calculated ?? false;
	const createable = spec.createable ?? !(system || calculated);
	const isBoolean = spec.type === 'boolean';
	return {
		name,
		label: spec.label ?? labelOf(name),
		type: spec.type,
		length: spec.length ?? (spec.type === 'reference' || spec.type === 'id' ? 18 : undefined),
		precision: spec.precision,
		scale: spec.scale,
		createable,
		updateable: spec.updateable ?? createable,
		// booleans are never nillable; system fields other than lookups are not either
		nillable: isBoolean ? false : (spec.nillable ?? !(system && spec.type !== 'reference')),
		defaultedOnCreate: spec.defaultedOnCreate ?? (system || isBoolean),
		defaultValue: spec.defaultValue ?? (isBoolean ? false : undefined),
		externalId: spec.externalId ?? false,
		unique: spec.unique ?? false,
		idLookup: spec.idLookup ?? (spec.type === 'id' || spec.externalId === true),
		custom: spec.custom ?? (objectCustom ? name.endsWith('__c') : name.endsWith('__c')),
		calculated,
		picklist: spec.picklist,
		referenceTo: spec.referenceTo,
		relationshipName: spec.relationshipName,
		system,
	};
}

/** Builds the object map of the simulated org. */
export function buildSchema(specs: ObjectSpec[] = OBJECT_SPECS): Map<string, SfObject> {
	const objects = new Map<string, SfObject>();
	for (const spec of specs) {
		const custom = spec.name.endsWith('__c');
		const fields: SfField[] = [];
		const all: Record<string, FieldSpec> = { Id: SYSTEM_FIELDS.Id, ...spec.fields };
		for (const [name, f] of Object.entries(SYSTEM_FIELDS)) if (name !== 'Id') all[name] = f;
		for (const [name, f] of Object.entries(all)) fields.push(buildField(name, f, custom));
		const object: SfObject = {
			name: spec.name,
			label: spec.label,
			labelPlural: spec.labelPlural,
			keyPrefix: spec.keyPrefix,
			custom,
			createable: spec.createable ?? true,
			updateable: spec.createable ?? true,
			deletable: spec.createable ?? true,
			fields,
			byName: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
			byRelationship: new Map(
				fields
					.filter((f) => f.type === 'reference' && f.relationshipName)
					.map((f) => [(f.relationshipName as string).toLowerCase(), f]),
			),
			childRelationships: [],
		};
		objects.set(spec.name.toLowerCase(), object);
	}
	for (const child of objects.values()) {
		for (const f of child.fields) {
			if (f.type !== 'reference' || f.system || !f.referenceTo) continue;
			for (const target of f.referenceTo) {
				const parent = objects.get(target.toLowerCase());
				if (!parent) continue;
				const relName =
					f.name === 'OwnerId' || f.name === 'ParentId' || f.name === 'ReportsToId'
						? null
						: child.custom
							? `${child.labelPlural}__r`
							: child.name === 'Task'
								? 'Tasks'
								: child.labelPlural;
				parent.childRelationships.push({
					childSObject: child.name,
					field: f.name,
					relationshipName: relName,
				});
			}
		}
	}
	return objects;
}

/** Fields that must be given on create: not nillable, createable and not defaulted. */
export function requiredOnCreate(object: SfObject): SfField[] {
	return object.fields.filter((f) => f.createable && !f.nillable && !f.defaultedOnCreate);
}

/** The SOAP type `describe` reports for a field type. */
export function soapType(type: SfFieldType): string {
	switch (type) {
		case 'id':
		case 'reference':
			return 'tns:ID';
		case 'boolean':
			return 'xsd:boolean';
		case 'int':
			return 'xsd:int';
		case 'double':
		case 'currency':
		case 'percent':
			return 'xsd:double';
		case 'date':
			return 'xsd:date';
		case 'datetime':
			return 'xsd:dateTime';
		default:
			return 'xsd:string';
	}
}

/** The `describe` entry of one field. */
export function describeField(f: SfField): Record<string, unknown> {
	const isText = [
		'string',
		'textarea',
		'email',
		'phone',
		'url',
		'picklist',
		'id',
		'reference',
	].includes(f.type);
	return {
		aggregatable: f.type !== 'textarea',
		autoNumber: f.name === 'CaseNumber',
		byteLength: isText ? (f.length ?? 0) * 3 : 0,
		calculated: f.calculated ?? false,
		caseSensitive: false,
		createable: f.createable,
		custom: f.custom ?? false,
		defaultValue: f.defaultValue ?? null,
		defaultedOnCreate: f.defaultedOnCreate ?? false,
		digits: f.type === 'int' ? (f.precision ?? 9) : 0,
		externalId: f.externalId ?? false,
		filterable: f.type !== 'textarea',
		groupable: !['textarea', 'double', 'currency', 'percent', 'datetime'].includes(f.type),
		htmlFormatted: false,
		idLookup: f.idLookup ?? false,
		label: f.label,
		length: isText ? (f.length ?? 0) : 0,
		name: f.name,
		nameField: f.name === 'Name' || f.name === 'CaseNumber',
		nillable: f.nillable,
		permissionable: !f.system && f.nillable,
		picklistValues: (f.picklist?.values ?? []).map((v) => ({
			active: true,
			defaultValue: f.picklist?.defaultValue === v,
			label: v,
			validFor: null,
			value: v,
		})),
		precision:
			f.type === 'double' || f.type === 'currency' || f.type === 'percent'
				? (f.precision ?? 18)
				: 0,
		referenceTo: f.referenceTo ?? [],
		relationshipName: f.relationshipName ?? null,
		restrictedPicklist: f.picklist?.restricted ?? false,
		scale: f.scale ?? 0,
		soapType: soapType(f.type),
		sortable: f.type !== 'textarea',
		type: f.type,
		unique: f.unique ?? false,
		updateable: f.updateable,
	};
}

/** The `describeGlobal` entry of one object. */
export function describeGlobalEntry(o: SfObject, version: string): Record<string, unknown> {
	const base = `/services/data/v${version}/sobjects/${o.name}`;
	return {
		activateable: false,
		createable: o.createable,
		custom: o.custom,
		customSetting: false,
		deepCloneable: false,
		deletable: o.deletable,
		deprecatedAndHidden: false,
		feedEnabled: !o.custom,
		hasSubtypes: false,
		isInterface: false,
		isSubtype: false,
		keyPrefix: o.keyPrefix,
		label: o.label,
		labelPlural: o.labelPlural,
		layoutable: true,
		mergeable: ['Account', 'Contact', 'Lead'].includes(o.name),
		mruEnabled: true,
		name: o.name,
		queryable: true,
		replicateable: true,
		retrieveable: true,
		searchable: true,
		triggerable: true,
		undeletable: o.deletable,
		updateable: o.updateable,
		urls: {
			rowTemplate: `${base}/{ID}`,
			defaultValues: `${base}/defaultValues?recordTypeId&fields`,
			describe: `${base}/describe`,
			sobject: base,
		},
	};
}

/** The full `describe` of one object. */
export function describeObject(o: SfObject, version: string): Record<string, unknown> {
	return {
		...describeGlobalEntry(o, version),
		childRelationships: o.childRelationships.map((c) => ({
			cascadeDelete: false,
			childSObject: c.childSObject,
			deprecatedAndHidden: false,
			field: c.field,
			junctionIdListNames: [],
			junctionReferenceTo: [],
			relationshipName: c.relationshipName,
			restrictedDelete: false,
		})),
		fields: o.fields.map(describeField),
		recordTypeInfos: [],
		supportedScopes: [{ label: 'All records', name: 'everything' }],
		compactLayoutable: true,
		searchLayoutable: true,
		sobjectDescribeOption: 'FULL',
	};
}
