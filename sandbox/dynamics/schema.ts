/**
 * The shape of the simulator's table and column definitions (the tables themselves are in `tables.ts`). Attribute
 * types follow Dataverse's `AttributeType` / `AttributeTypeName` pairs; lookups carry their `Targets` and the
 * single-valued navigation property per target (what `…@odata.bind` names, e.g. `parentcustomerid_account`).
 */

/** Dataverse attribute types (AttributeType) this simulator knows. */
export type AttrType =
	| 'Uniqueidentifier'
	| 'String'
	| 'Memo'
	| 'Money'
	| 'Integer'
	| 'BigInt'
	| 'Picklist'
	| 'State'
	| 'Status'
	| 'Lookup'
	| 'Customer'
	| 'Owner'
	| 'DateTime';

/** One column. */
export interface AttrDef {
	logicalName: string;
	type: AttrType;
	displayName: string;
	/** The schema name when it is not derived from the logical name (a custom lookup's: its navigation property). */
	schemaName?: string;
	required?: 'None' | 'ApplicationRequired' | 'SystemRequired';
	maxLength?: number;
	/** Set by the system (primary key on create excepted); not writable through the API. */
	readOnly?: boolean;
	/** Writable on create only (e.g. the primary key). */
	createOnly?: boolean;
	/** Picklist / state / status options: value → label. */
	options?: Array<[number, string]>;
	/** Lookups: target logical name → navigation property used with `@odata.bind`. */
	targets?: Record<string, string>;
	/** DateTime: `DateOnly` (a date without time) or `UserLocal` (default). */
	dateFormat?: 'DateOnly' | 'UserLocal';
	/** String: `Format` / `FormatName` (default `Text`), e.g. `Email` on `emailaddress1` as in Dataverse. */
	format?: 'Email' | 'Phone' | 'Url' | 'Text';
}

/** One table. */
export interface TableDef {
	logicalName: string;
	entitySetName: string;
	primaryId: string;
	primaryName: string;
	displayName: string;
	displayCollectionName: string;
	objectTypeCode: number;
	isCustom: boolean;
	/** `ChangeTrackingEnabled` (default true): false refuses `Prefer: odata.track-changes`. */
	changeTracking?: boolean;
	/** Only the system writes (systemusers). */
	readOnly?: boolean;
	attributes: AttrDef[];
	/** Alternate keys: name → key attributes. */
	keys: Array<{ logicalName: string; keyAttributes: string[] }>;
}

/** Whether an attribute is a lookup (its value is read back as `_{name}_value`). */
export function isLookup(a: AttrDef): boolean {
	return a.type === 'Lookup' || a.type === 'Customer' || a.type === 'Owner';
}

/** The name a column has in records on the wire (`_parentcustomerid_value` for lookups). */
export function wireName(a: AttrDef): string {
	return isLookup(a) ? `_${a.logicalName}_value` : a.logicalName;
}

/** Dataverse's `AttributeTypeName` value for an attribute type. */
export function attributeTypeName(t: AttrType): string {
	const names: Record<AttrType, string> = {
		Uniqueidentifier: 'UniqueidentifierType',
		String: 'StringType',
		Memo: 'MemoType',
		Money: 'MoneyType',
		Integer: 'IntegerType',
		BigInt: 'BigIntType',
		Picklist: 'PicklistType',
		State: 'StateType',
		Status: 'StatusType',
		Lookup: 'LookupType',
		Customer: 'CustomerType',
		Owner: 'OwnerType',
		DateTime: 'DateTimeType',
	};
	return names[t];
}

/** The derived metadata type (`@odata.type`) of an attribute. */
export function metadataType(t: AttrType): string {
	const m: Partial<Record<AttrType, string>> = {
		String: 'StringAttributeMetadata',
		Memo: 'MemoAttributeMetadata',
		Money: 'MoneyAttributeMetadata',
		Integer: 'IntegerAttributeMetadata',
		BigInt: 'BigIntAttributeMetadata',
		Picklist: 'PicklistAttributeMetadata',
		State: 'StateAttributeMetadata',
		Status: 'StatusAttributeMetadata',
		Lookup: 'LookupAttributeMetadata',
		Customer: 'LookupAttributeMetadata',
		Owner: 'LookupAttributeMetadata',
		DateTime: 'DateTimeAttributeMetadata',
		Uniqueidentifier: 'UniqueIdentifierAttributeMetadata',
	};
	return `#Microsoft.Dynamics.CRM.${m[t] ?? 'AttributeMetadata'}`;
}

/**
 * A one-to-many relationship: the lookup `lookup` on `referencing` points at `referenced`. `referenced` rows reach
 * their children through the collection-valued navigation property `schemaName` (`contact_customer_accounts`), the
 * children reach the parent through the lookup's single-valued navigation property (`parentcustomerid_account`).
 */
export interface OneToManyDef {
	schemaName: string;
	referenced: string;
	referencing: string;
	lookup: string;
}

/** A many-to-many relationship kept in an intersect table (`accountleads`) with one id column per side. */
export interface ManyToManyDef {
	schemaName: string;
	entity1: string;
	entity2: string;
	intersect: string;
	entity1Attribute: string;
	entity2Attribute: string;
}

/** Dataverse's relationship schema names for the simulator's lookups (owner relationships left out). */
export const ONE_TO_MANY: OneToManyDef[] = [
	{
		schemaName: 'contact_customer_accounts',
		referenced: 'account',
		referencing: 'contact',
		lookup: 'parentcustomerid',
	},
	{
		schemaName: 'contact_customer_contacts',
		referenced: 'contact',
		referencing: 'contact',
		lookup: 'parentcustomerid',
	},
	{
		schemaName: 'account_primary_contact',
		referenced: 'contact',
		referencing: 'account',
		lookup: 'primarycontactid',
	},
	{
		schemaName: 'opportunity_customer_accounts',
		referenced: 'account',
		referencing: 'opportunity',
		lookup: 'customerid',
	},
	{
		schemaName: 'opportunity_customer_contacts',
		referenced: 'contact',
		referencing: 'opportunity',
		lookup: 'customerid',
	},
	{
		schemaName: 'new_account_new_project',
		referenced: 'account',
		referencing: 'new_project',
		lookup: 'new_accountid',
	},
];

/** The N:N relationships (Dataverse's system `accountleads_association`: accounts ↔ leads). */
export const MANY_TO_MANY: ManyToManyDef[] = [
	{
		schemaName: 'accountleads_association',
		entity1: 'account',
		entity2: 'lead',
		intersect: 'accountleads',
		entity1Attribute: 'accountid',
		entity2Attribute: 'leadid',
	},
];
