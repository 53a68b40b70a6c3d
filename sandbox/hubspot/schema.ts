/**
 * HubSpot object types and property definitions: the standard objects with their default properties,
 * custom properties created through the properties API, custom objects from the schemas API, and the
 * type checking HubSpot applies to written values (string, number, date, datetime, enumeration, bool).
 */

/** A property's data type. */
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';

/** The property types the properties API accepts. */
export const PROPERTY_TYPES: readonly PropertyType[] = [
	'string',
	'number',
	'date',
	'datetime',
	'enumeration',
	'bool',
];

/** Field types allowed per property type. */
export const FIELD_TYPES: Readonly<Record<PropertyType, readonly string[]>> = {
	string: ['text', 'textarea', 'phonenumber', 'html', 'file', 'calculation_equation'],
	number: ['number', 'calculation_equation'],
	date: ['date'],
	datetime: ['date'],
	enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation'],
	bool: ['booleancheckbox', 'calculation_equation'],
};

/** An enumeration option. */
export interface PropertyOption {
	label: string;
	value: string;
	displayOrder: number;
	hidden: boolean;
	description?: string;
}

/** A property definition (the wire shape of the properties API, plus sandbox internals). */
export interface PropertyDef {
	name: string;
	label: string;
	type: PropertyType;
	fieldType: string;
	groupName: string;
	description: string;
	options: PropertyOption[];
	displayOrder: number;
	hasUniqueValue: boolean;
	hidden: boolean;
	hubspotDefined: boolean;
	formField: boolean;
	calculated: boolean;
	externalOptions: boolean;
	/** The value is maintained by HubSpot (hs_object_id, lastmodifieddate, …). */
	readOnlyValue: boolean;
	referencedObjectType?: string;
	createdAt: number;
	updatedAt: number;
	archived: boolean;
	archivedAt?: number;
	/** Options computed on demand (owners, pipelines, stages). */
	dynamicOptions?: () => PropertyOption[];
}

/** A property group. */
export interface PropertyGroupDef {
	name: string;
	label: string;
	displayOrder: number;
	archived: boolean;
}

/** Everything the sandbox knows about one object type. */
export interface ObjectTypeDef {
	/** Plural API name (`contacts`) or, for custom objects, the fully qualified name (`p123_cars`). */
	name: string;
	/** `0-1` … or `2-<digits>` for custom objects. */
	objectTypeId: string;
	/** Upper-case singular used in messages (`CONTACT`). */
	label: string;
	/** Other names accepted in paths (`contact`, `0-1`, the custom object's short name, …). */
	aliases: string[];
	properties: Map<string, PropertyDef>;
	groups: Map<string, PropertyGroupDef>;
	/** Properties returned when a request names none. */
	defaultProperties: string[];
	/** Properties `query` searches. */
	searchableProperties: string[];
	/** `lastmodifieddate` (contacts) or `hs_lastmodifieddate` (everything else). */
	lastModifiedProperty: string;
	/** First id handed out. */
	idBase: number;
	custom?: CustomObjectInfo;
}

/** Schema details of a custom object. */
export interface CustomObjectInfo {
	id: string;
	shortName: string;
	labels: { singular: string; plural: string };
	description?: string;
	primaryDisplayProperty?: string;
	requiredProperties: string[];
	secondaryDisplayProperties: string[];
	createdAt: number;
	updatedAt: number;
	archived: boolean;
}

/** A property spec (the input of the properties API and the schema API). */
export interface PropertySpec {
	name: string;
	label: string;
	type: PropertyType;
	fieldType: string;
	groupName?: string;
	description?: string;
	options?: Array<Partial<PropertyOption> & { label: string; value: string }>;
	displayOrder?: number;
	hasUniqueValue?: boolean;
	hidden?: boolean;
	formField?: boolean;
	referencedObjectType?: string;
}

/** Builds a property definition from a spec. */
export function makeProperty(
	spec: PropertySpec,
	now: number,
	hubspotDefined: boolean,
	extra: Partial<PropertyDef> = {},
): PropertyDef {
	return {
		name: spec.name,
		label: spec.label,
		type: spec.type,
		fieldType: spec.fieldType,
		groupName: spec.groupName ?? '',
		description: spec.description ?? '',
		options: (spec.options ?? []).map((o, i) => ({
			label: o.label,
			value: o.value,
			displayOrder: o.displayOrder ?? i,
			hidden: o.hidden ?? false,
			...(o.description !== undefined ? { description: o.description } : {}),
		})),
		displayOrder: spec.displayOrder ?? -1,
		hasUniqueValue: spec.hasUniqueValue ?? false,
		hidden: spec.hidden ?? false,
		hubspotDefined,
		formField: spec.formField ?? true,
		calculated: false,
		externalOptions: false,
		readOnlyValue: false,
		...(spec.referencedObjectType !== undefined
			? { referencedObjectType: spec.referencedObjectType }
			: {}),
		createdAt: now,
		updatedAt: now,
		archived: false,
		...extra,
	};
}

/** The options of an enumeration property (static or computed). */
export function optionsOf(p: PropertyDef): PropertyOption[] {
	return p.dynamicOptions ? p.dynamicOptions() : p.options;
}

/** The wire form of a property definition. */
export function propertyJson(p: PropertyDef): Record<string, unknown> {
	return {
		updatedAt: new Date(p.updatedAt).toISOString(),
		createdAt: new Date(p.createdAt).toISOString(),
		name: p.name,
		label: p.label,
		type: p.type,
		fieldType: p.fieldType,
		description: p.description,
		groupName: p.groupName,
		options: optionsOf(p),
		displayOrder: p.displayOrder,
		calculated: p.calculated,
		externalOptions: p.externalOptions,
		hasUniqueValue: p.hasUniqueValue,
		hidden: p.hidden,
		hubspotDefined: p.hubspotDefined,
		...(p.referencedObjectType !== undefined
			? { referencedObjectType: p.referencedObjectType }
			: {}),
		modificationMetadata: {
			archivable: !p.hubspotDefined,
			readOnlyDefinition: p.hubspotDefined,
			readOnlyValue: p.readOnlyValue,
		},
		formField: p.formField,
		archived: p.archived,
		...(p.archivedAt !== undefined ? { archivedAt: new Date(p.archivedAt).toISOString() } : {}),
	};
}

// ---- standard objects ---------------------------------------------------------------------------

type Spec = [
	name: string,
	label: string,
	type: PropertyType,
	fieldType: string,
	options?: string[] | Array<[string, string]>,
];

const t = (name: string, label: string): Spec => [name, label, 'string', 'text'];
const n = (name: string, label: string): Spec => [name, label, 'number', 'number'];
const dt = (name: string, label: string): Spec => [name, label, 'datetime', 'date'];
const d = (name: string, label: string): Spec => [name, label, 'date', 'date'];
const e = (name: string, label: string, options: string[] | Array<[string, string]>): Spec => [
	name,
	label,
	'enumeration',
	'select',
	options,
];
const b = (name: string, label: string): Spec => [name, label, 'bool', 'booleancheckbox'];

const LIFECYCLE: Array<[string, string]> = [
	['subscriber', 'Subscriber'],
	['lead', 'Lead'],
	['marketingqualifiedlead', 'Marketing Qualified Lead'],
	['salesqualifiedlead', 'Sales Qualified Lead'],
	['opportunity', 'Opportunity'],
	['customer', 'Customer'],
	['evangelist', 'Evangelist'],
	['other', 'Other'],
];

interface StandardSpec {
	name: string;
	objectTypeId: string;
	label: string;
	aliases: string[];
	group: [string, string];
	lastModified: string;
	idBase: number;
	defaults: string[];
	searchable: string[];
	props: Spec[];
	unique?: string[];
}

/** Names of HubSpot-maintained, read-only values. */
export const READ_ONLY_PROPERTIES = new Set([
	'hs_object_id',
	'lastmodifieddate',
	'hs_lastmodifieddate',
	'hs_createdate',
]);

const STANDARD: StandardSpec[] = [
	{
		name: 'contacts',
		objectTypeId: '0-1',
		label: 'CONTACT',
		aliases: ['contact'],
		group: ['contactinformation', 'Contact information'],
		lastModified: 'lastmodifieddate',
		idBase: 1_000_001,
		defaults: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
		searchable: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company'],
		unique: ['email'],
		props: [
			t('email', 'Email'),
			t('firstname', 'First Name'),
			t('lastname', 'Last Name'),
			['phone', 'Phone Number', 'string', 'phonenumber'],
			['mobilephone', 'Mobile Phone Number', 'string', 'phonenumber'],
			t('company', 'Company Name'),
			t('jobtitle', 'Job Title'),
			t('website', 'Website URL'),
			t('city', 'City'),
			t('country', 'Country/Region'),
			e('lifecyclestage', 'Lifecycle Stage', LIFECYCLE),
			dt('createdate', 'Create Date'),
			dt('lastmodifieddate', 'Last Modified Date'),
			n('hs_object_id', 'Record ID'),
			e('hubspot_owner_id', 'Contact owner', []),
		],
	},
	{
		name: 'companies',
		objectTypeId: '0-2',
		label: 'COMPANY',
		aliases: ['company'],
		group: ['companyinformation', 'Company information'],
		lastModified: 'hs_lastmodifieddate',
		idBase: 20_000_001,
		defaults: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
		searchable: ['name', 'domain', 'website', 'phone'],
		props: [
			t('name', 'Company name'),
			t('domain', 'Company Domain Name'),
			t('website', 'Website URL'),
			['phone', 'Phone Number', 'string', 'phonenumber'],
			t('city', 'City'),
			t('country', 'Country/Region'),
			t('industry', 'Industry'),
			n('numberofemployees', 'Number of Employees'),
			n('annualrevenue', 'Annual Revenue'),
			e('lifecyclestage', 'Lifecycle Stage', LIFECYCLE),
			dt('createdate', 'Create Date'),
			dt('hs_lastmodifieddate', 'Last Modified Date'),
			n('hs_object_id', 'Record ID'),
			e('hubspot_owner_id', 'Company owner', []),
		],
	},
	{
		name: 'deals',
		objectTypeId: '0-3',
		label: 'DEAL',
		aliases: ['deal'],
		group: ['dealinformation', 'Deal information'],
		lastModified: 'hs_lastmodifieddate',
		idBase: 30_000_001,
		defaults: [
			'amount',
			'closedate',
			'createdate',
			'dealname',
			'dealstage',
			'hs_lastmodifieddate',
			'hs_object_id',
			'pipeline',
		],
		searchable: ['dealname', 'pipeline', 'dealstage', 'description', 'dealtype'],
		props: [
			t('dealname', 'Deal Name'),
			n('amount', 'Amount'),
			dt('closedate', 'Close Date'),
			e('pipeline', 'Pipeline', []),
			e('dealstage', 'Deal Stage', []),
			e('dealtype', 'Deal Type', [
				['newbusiness', 'New Business'],
				['existingbusiness', 'Existing Business'],
			]),
			['description', 'Deal Description', 'string', 'textarea'],
			dt('createdate', 'Create Date'),
			dt('hs_lastmodifieddate', 'Last Modified Date'),
			n('hs_object_id', 'Record ID'),
			e('hubspot_owner_id', 'Deal owner', []),
		],
	},
	{
		name: 'tickets',
		objectTypeId: '0-5',
		label: 'TICKET',
		aliases: ['ticket'],
		group: ['ticketinformation', 'Ticket information'],
		lastModified: 'hs_lastmodifieddate',
		idBase: 40_000_001,
		defaults: [
			'content',
			'createdate',
			'hs_lastmodifieddate',
			'hs_object_id',
			'hs_pipeline',
			'hs_pipeline_stage',
			'hs_ticket_category',
			'hs_ticket_priority',
			'subject',
		],
		searchable: ['subject', 'content', 'hs_ticket_id'],
		props: [
			t('subject', 'Ticket name'),
			['content', 'Ticket description', 'string', 'textarea'],
			e('hs_pipeline', 'Pipeline', []),
			e('hs_pipeline_stage', 'Ticket status', []),
			e('hs_ticket_priority', 'Priority', [
				['LOW', 'Low'],
				['MEDIUM', 'Medium'],
				['HIGH', 'High'],
				['URGENT', 'Urgent'],
			]),
			[
				'hs_ticket_category',
				'Category',
				'enumeration',
				'checkbox',
				[
					['PRODUCT_ISSUE', 'Product issue'],
					['BILLING_ISSUE', 'Billing issue'],
					['FEATURE_REQUEST', 'Feature request'],
					['GENERAL_INQUIRY', 'General inquiry'],
				],
			],
			dt('createdate', 'Create date'),
			dt('hs_lastmodifieddate', 'Last modified date'),
			n('hs_object_id', 'Record ID'),
			e('hubspot_owner_id', 'Ticket owner', []),
		],
	},
	{
		name: 'products',
		objectTypeId: '0-7',
		label: 'PRODUCT',
		aliases: ['product'],
		group: ['productinformation', 'Product information'],
		lastModified: 'hs_lastmodifieddate',
		idBase: 50_000_001,
		defaults: ['createdate', 'description', 'hs_lastmodifieddate', 'hs_object_id', 'name', 'price'],
		searchable: ['name', 'description', 'hs_sku'],
		props: [
			t('name', 'Name'),
			['description', 'Description', 'string', 'textarea'],
			n('price', 'Unit price'),
			t('hs_sku', 'SKU'),
			b('hs_discontinued', 'Discontinued'),
			dt('createdate', 'Create Date'),
			dt('hs_lastmodifieddate', 'Last Modified Date'),
			n('hs_object_id', 'Record ID'),
		],
	},
	{
		name: 'line_items',
		objectTypeId: '0-8',
		label: 'LINE_ITEM',
		aliases: ['line_item'],
		group: ['lineiteminformation', 'Line item information'],
		lastModified: 'hs_lastmodifieddate',
		idBase: 60_000_001,
		defaults: [
			'amount',
			'createdate',
			'hs_lastmodifieddate',
			'hs_object_id',
			'hs_product_id',
			'name',
			'price',
			'quantity',
		],
		searchable: ['name', 'description', 'hs_sku'],
		props: [
			t('name', 'Name'),
			['description', 'Description', 'string', 'textarea'],
			n('price', 'Unit price'),
			n('quantity', 'Quantity'),
			n('amount', 'Net price'),
			n('hs_product_id', 'Product ID'),
			t('hs_sku', 'SKU'),
			d('hs_recurring_billing_start_date', 'Billing start date'),
			dt('createdate', 'Create Date'),
			dt('hs_lastmodifieddate', 'Last Modified Date'),
			n('hs_object_id', 'Record ID'),
		],
	},
];

/** Builds the standard object types. `now` stamps the definitions. */
export function standardObjectTypes(now: number): ObjectTypeDef[] {
	return STANDARD.map((s) => {
		const properties = new Map<string, PropertyDef>();
		s.props.forEach(([name, label, type, fieldType, options], i) => {
			const opts = (options ?? []).map((o) =>
				Array.isArray(o) ? { value: o[0], label: o[1] } : { value: o, label: o },
			);
			properties.set(
				name,
				makeProperty(
					{
						name,
						label,
						type,
						fieldType,
						groupName: s.group[0],
						options: opts,
						displayOrder: i,
						hasUniqueValue: s.unique?.includes(name) ?? false,
					},
					now,
					true,
					{
						readOnlyValue: READ_ONLY_PROPERTIES.has(name),
						...(name === 'hubspot_owner_id' ? { referencedObjectType: 'OWNER' } : {}),
					},
				),
			);
		});
		return {
			name: s.name,
			objectTypeId: s.objectTypeId,
			label: s.label,
			aliases: [...s.aliases, s.objectTypeId],
			properties,
			groups: new Map([
				[s.group[0], { name: s.group[0], label: s.group[1], displayOrder: 0, archived: false }],
			]),
			defaultProperties: s.defaults,
			searchableProperties: s.searchable,
			lastModifiedProperty: s.lastModified,
			idBase: s.idBase,
		};
	});
}

/** Properties every custom object has. */
export function customObjectBaseProperties(now: number, groupName: string): PropertyDef[] {
	return [
		makeProperty(
			{ name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', groupName },
			now,
			true,
			{ readOnlyValue: true },
		),
		makeProperty(
			{
				name: 'hs_createdate',
				label: 'Object create date/time',
				type: 'datetime',
				fieldType: 'date',
				groupName,
			},
			now,
			true,
			{ readOnlyValue: true },
		),
		makeProperty(
			{
				name: 'hs_lastmodifieddate',
				label: 'Object last modified date/time',
				type: 'datetime',
				fieldType: 'date',
				groupName,
			},
			now,
			true,
			{ readOnlyValue: true },
		),
		makeProperty(
			{
				name: 'hubspot_owner_id',
				label: 'Owner',
				type: 'enumeration',
				fieldType: 'select',
				groupName,
			},
			now,
			true,
			{ referencedObjectType: 'OWNER' },
		),
	];
}

// ---- value checking -----------------------------------------------------------------------------

/** A rejected value, in HubSpot's terms. */
export interface ValueError {
	/** `INVALID_OPTION`, `INVALID_INTEGER`, `INVALID_DATE`, `INVALID_DATETIME`, `INVALID_BOOLEAN`, `INVALID_EMAIL`, `PROPERTY_DOESNT_EXIST`, `READ_ONLY_VALUE`. */
	code: string;
	message: string;
	name: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

function timeOfDay(ms: number): string {
	return new Date(ms).toISOString().slice(11, 23);
}

/** Parses a datetime value as HubSpot accepts it (epoch ms as number or string, or ISO 8601). */
export function parseDateTime(raw: unknown): number | undefined {
	if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
	if (typeof raw !== 'string') return undefined;
	const s = raw.trim();
	if (/^-?\d+$/.test(s)) return Number(s);
	if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
	const ms = Date.parse(YMD.test(s) ? `${s}T00:00:00Z` : s);
	return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Checks and normalises a written value. Returns the stored string (`null` clears the value) or the
 * HubSpot error. Values are stored as HubSpot returns them: numbers as plain strings, dates as
 * `YYYY-MM-DD`, datetimes as ISO 8601 with milliseconds, booleans as `true`/`false`.
 */
export function checkValue(
	p: PropertyDef,
	raw: unknown,
): { ok: true; value: string | null } | { ok: false; error: ValueError } {
	const fail = (code: string, message: string) => ({
		ok: false as const,
		error: { code, message, name: p.name },
	});
	if (raw === null || raw === undefined || raw === '') return { ok: true, value: null };
	if (typeof raw === 'object')
		return fail(
			'INVALID_TYPE',
			`${JSON.stringify(raw)} is not a valid value for ${p.name}: expected a ${p.type}`,
		);
	const s = String(raw);
	switch (p.type) {
		case 'string':
			if (p.name === 'email' && !EMAIL.test(s.trim()))
				return fail('INVALID_EMAIL', `Email address ${s} is invalid`);
			return { ok: true, value: p.name === 'email' ? s.trim().toLowerCase() : s };
		case 'number': {
			if (!NUMBER.test(s.trim())) return fail('INVALID_INTEGER', `${s} was not a valid number.`);
			return { ok: true, value: String(Number(s.trim())) };
		}
		case 'date': {
			const m = YMD.exec(s.trim());
			if (m) {
				const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
				if (new Date(ms).toISOString().slice(0, 10) !== s.trim())
					return fail('INVALID_DATE', `${s} is not a valid date.`);
				return { ok: true, value: s.trim() };
			}
			if (!/^-?\d+$/.test(s.trim()))
				return fail(
					'INVALID_DATE',
					`${s} is not a valid date: use midnight UTC in epoch milliseconds or YYYY-MM-DD.`,
				);
			const ms = Number(s.trim());
			if (ms % 86_400_000 !== 0)
				return fail('INVALID_DATE', `${s} is at ${timeOfDay(ms)} UTC, not midnight!`);
			return { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
		}
		case 'datetime': {
			const ms = parseDateTime(s);
			if (ms === undefined)
				return fail(
					'INVALID_DATETIME',
					`${s} is not a valid datetime: use epoch milliseconds or ISO 8601.`,
				);
			return { ok: true, value: new Date(ms).toISOString() };
		}
		case 'bool': {
			const v = s.trim().toLowerCase();
			if (v !== 'true' && v !== 'false')
				return fail('INVALID_BOOLEAN', `${s} is not a valid boolean: use true or false.`);
			return { ok: true, value: v };
		}
		case 'enumeration': {
			const options = optionsOf(p);
			const allowed = new Set(options.map((o) => o.value));
			const values = p.fieldType === 'checkbox' ? s.split(';').filter((x) => x !== '') : [s];
			const bad = values.find((v) => !allowed.has(v));
			if (bad !== undefined) {
				const list = options.map((o) => `label: "${o.label}"\nvalue: "${o.value}"`).join(', ');
				return fail('INVALID_OPTION', `${bad} was not one of the allowed options: [${list}]`);
			}
			return { ok: true, value: values.join(';') };
		}
		default:
			return { ok: true, value: s };
	}
}

/** The comparable form of a stored value for search and sorting: a number for numeric/date types, else lower-case text. */
export function comparable(p: PropertyDef | undefined, value: string): number | string {
	if (!p) return value.toLowerCase();
	switch (p.type) {
		case 'number': {
			const x = Number(value);
			return Number.isNaN(x) ? value.toLowerCase() : x;
		}
		case 'date':
		case 'datetime': {
			const ms = parseDateTime(value);
			return ms === undefined ? value.toLowerCase() : ms;
		}
		default:
			return value.toLowerCase();
	}
}
