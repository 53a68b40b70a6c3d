/**
 * Dataverse table definitions (`EntityDefinitions`) in the contract's common schema. Object types are named by their
 * entity set (`contacts`: what URLs use); a logical name (`contact`) is accepted too. Field names are logical names;
 * a lookup's value is read from `_{name}_value` but named `{name}` (see `records.ts`).
 */
import { CrmError } from '../../http/errors';
import type { FieldSchema, FieldType, ObjectSchema, ObjectTypeSummary } from '../contract';
import type { DataverseClient } from './client';

type Json = Record<string, unknown>;

/** An entity as listed: what lookups and record reads need besides the fields. */
export interface DataverseEntity extends ObjectTypeSummary {
	logicalName: string;
	primaryId: string;
	primaryName?: string;
	/** `ChangeTrackingEnabled`: delta links (and so deletions in the change feed) work for the table. */
	changeTracking: boolean;
}

/** A described table: the common schema plus the Dataverse names behind it. */
export interface DataverseSchema extends ObjectSchema {
	entity: DataverseEntity;
	/** Logical names of the lookups (their values are `_{name}_value` on the wire). */
	lookups: Set<string>;
	/**
	 * The single-valued navigation property of each lookup per target table (lookup → target logical name → name),
	 * from the table's many-to-one relationships: what `@odata.bind` and `$ref` take (`new_AccountId` for the custom
	 * lookup `new_accountid`, `parentcustomerid_account`). Absent where the metadata did not carry it.
	 */
	navigations?: Record<string, Record<string, string>>;
}

const ENTITY_SELECT =
	'LogicalName,EntitySetName,DisplayName,IsCustomEntity,PrimaryIdAttribute,PrimaryNameAttribute,ChangeTrackingEnabled';
/** The many-to-one relationships as expanded with a table's definition (each lookup's navigation properties). */
const MANY_TO_ONE =
	'ManyToOneRelationships($select=ReferencingAttribute,ReferencedEntity,ReferencingEntityNavigationPropertyName)';

/** Lookup → target → navigation property, from the expanded `ManyToOneRelationships`. */
export function lookupNavigations(def: Json): Record<string, Record<string, string>> {
	const out: Record<string, Record<string, string>> = {};
	const rels = Array.isArray(def.ManyToOneRelationships)
		? (def.ManyToOneRelationships as Json[])
		: [];
	for (const r of rels) {
		const [lookup, target, nav] = [
			r.ReferencingAttribute,
			r.ReferencedEntity,
			r.ReferencingEntityNavigationPropertyName,
		];
		if (typeof lookup !== 'string' || typeof target !== 'string') continue;
		if (typeof nav !== 'string' || !nav) continue;
		(out[lookup] ??= {})[target] = nav;
	}
	return out;
}

/** The text of a Dataverse `Label` (the user's language, else the first localized one). */
export function labelText(label: unknown, fallback: string): string {
	const l = label as
		| {
				UserLocalizedLabel?: { Label?: string } | null;
				LocalizedLabels?: Array<{ Label?: string }>;
		  }
		| undefined;
	return l?.UserLocalizedLabel?.Label || l?.LocalizedLabels?.[0]?.Label || fallback;
}

/** An `EntityDefinitions` item as an entity summary (undefined for tables without an entity set). */
export function dataverseEntity(e: Json): DataverseEntity | undefined {
	const set = e.EntitySetName;
	if (typeof set !== 'string' || !set) return undefined;
	const logicalName = String(e.LogicalName);
	return {
		name: set,
		label: labelText(e.DisplayName, logicalName),
		custom: e.IsCustomEntity === true,
		logicalName,
		primaryId: String(e.PrimaryIdAttribute),
		primaryName: typeof e.PrimaryNameAttribute === 'string' ? e.PrimaryNameAttribute : undefined,
		// Absent (an older API) counts as on: a refused `odata.track-changes` still says so clearly.
		changeTracking: e.ChangeTrackingEnabled !== false,
	};
}

/** Every table with an entity set. */
export async function listDataverseEntities(
	client: DataverseClient,
	signal?: AbortSignal,
): Promise<DataverseEntity[]> {
	const out: DataverseEntity[] = [];
	for await (const row of client.rows<Json>('EntityDefinitions', {
		query: { $select: ENTITY_SELECT },
		signal,
	})) {
		const entity = dataverseEntity(row);
		if (entity) out.push(entity);
	}
	return out;
}

const STRING_FORMATS: Record<string, FieldType> = { email: 'email', phone: 'phone', url: 'url' };
const NUMBER_TYPES = new Set(['Integer', 'BigInt', 'Decimal', 'Double', 'Money']);
const LOOKUP_TYPES = new Set(['Lookup', 'Customer', 'Owner']);
const OPTION_TYPES = new Set(['Picklist', 'State', 'Status']);

function typeName(a: Json): string {
	const v = (a.AttributeTypeName as { Value?: string } | undefined)?.Value;
	return typeof v === 'string' ? v : String(a.AttributeType);
}

function formatOf(a: Json): string | undefined {
	const name = (a.FormatName as { Value?: string } | undefined)?.Value ?? a.Format;
	return typeof name === 'string' ? name : undefined;
}

/** The common type of an attribute's metadata. */
export function dataverseFieldType(a: Json): FieldType {
	const type = String(a.AttributeType);
	if (type === 'Uniqueidentifier') return a.IsPrimaryId === true ? 'id' : 'string';
	if (typeName(a) === 'MultiSelectPicklistType') return 'multipicklist';
	if (type === 'String') return STRING_FORMATS[formatOf(a)?.toLowerCase() ?? ''] ?? 'string';
	if (type === 'Memo') return 'string';
	if (NUMBER_TYPES.has(type)) return 'number';
	if (type === 'Boolean') return 'boolean';
	if (type === 'DateTime') return formatOf(a) === 'DateOnly' ? 'date' : 'datetime';
	if (OPTION_TYPES.has(type)) return 'picklist';
	if (LOOKUP_TYPES.has(type)) return 'reference';
	return 'other';
}

/** Types the system fills in on create when none is given (owner → the caller, state/status → their defaults). */
const DEFAULTED_TYPES = new Set(['Owner', 'State', 'Status']);

/** One attribute in the common field schema (`keyFields`: attributes that form a one-column alternate key). */
export function dataverseFieldSchema(a: Json, keyFields: ReadonlySet<string>): FieldSchema {
	const name = String(a.LogicalName);
	const type = dataverseFieldType(a);
	const isId = type === 'id';
	// The record id travels as `id`, never as a field: the contract treats it as system-managed (Dataverse would
	// accept a GUID on create).
	const createable = !isId && a.IsValidForCreate === true;
	const updateable = !isId && a.IsValidForUpdate === true;
	const level = (a.RequiredLevel as { Value?: string } | undefined)?.Value ?? 'None';
	const key = keyFields.has(name);
	const field: FieldSchema = {
		name,
		label: labelText(a.DisplayName, name),
		type,
		crmType: typeName(a).replace(/Type$/, ''),
		// ApplicationRequired is what the business requires (forms enforce it, the API does not); SystemRequired
		// columns the system defaults (owner, state, status) need not be given.
		requiredOnCreate:
			createable && level !== 'None' && !DEFAULTED_TYPES.has(String(a.AttributeType)),
		readOnly: !createable && !updateable,
		createable,
		updateable,
		unique: isId || key,
		externalId: key,
	};
	if (typeof a.MaxLength === 'number') field.length = a.MaxLength;
	if (type === 'reference' && Array.isArray(a.Targets)) field.referenceTo = a.Targets.map(String);
	const options = a.OptionSet as { Options?: Array<{ Value: number; Label: unknown }> } | undefined;
	if (type === 'picklist' || type === 'multipicklist')
		field.options = (options?.Options ?? []).map((o) => ({
			value: String(o.Value),
			label: labelText(o.Label, String(o.Value)),
		}));
	return field;
}

/** The metadata cast of each option-set attribute type. */
const OPTION_CASTS: Record<string, string> = {
	Picklist: 'PicklistAttributeMetadata',
	State: 'StateAttributeMetadata',
	Status: 'StatusAttributeMetadata',
	MultiSelectPicklistType: 'MultiSelectPicklistAttributeMetadata',
};

/**
 * Option sets of the option-set attributes: one request per metadata type
 * (`Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$expand=OptionSet`); an attribute whose option set
 * did not come with it is read on its own (`Attributes(LogicalName='x')/…?$expand=OptionSet`).
 */
async function readOptionSets(client: DataverseClient, base: string, attrs: Json[]) {
	const out = new Map<string, unknown>();
	const byCast = new Map<string, Json[]>();
	for (const a of attrs) {
		const cast = OPTION_CASTS[typeName(a)] ?? OPTION_CASTS[String(a.AttributeType)];
		if (cast) byCast.set(cast, [...(byCast.get(cast) ?? []), a]);
	}
	await Promise.all(
		[...byCast].map(async ([cast, list]) => {
			const res = await client.get<{ value?: Json[] }>(
				`${base}/Attributes/Microsoft.Dynamics.CRM.${cast}`,
				{ query: { $select: 'LogicalName', $expand: 'OptionSet' } },
			);
			for (const a of res.value ?? []) if (a.OptionSet) out.set(String(a.LogicalName), a.OptionSet);
			await Promise.all(
				list
					.filter((a) => !out.has(String(a.LogicalName)))
					.map(async (a) => {
						const one = await client.get<Json>(
							`${base}/Attributes(LogicalName='${String(a.LogicalName)}')/Microsoft.Dynamics.CRM.${cast}`,
							{ query: { $select: 'LogicalName', $expand: 'OptionSet' } },
						);
						out.set(String(a.LogicalName), one.OptionSet);
					}),
			);
		}),
	);
	return out;
}

/**
 * Reads one table's definition, its attributes, alternate keys, the navigation properties of its lookups (all in one
 * request) and (unless `optionSets` is false) option sets: one request more per option-set type. Writes and reads need no option sets (the values are Dataverse's integers either
 * way), so a caller that only writes and reads can leave them out; picklists then come without `options`.
 */
export async function readDataverseSchema(
	client: DataverseClient,
	entity: DataverseEntity,
	optionSets = true,
): Promise<DataverseSchema> {
	const base = `EntityDefinitions(LogicalName='${entity.logicalName}')`;
	const def = await client.get<Json>(base, {
		query: { $select: ENTITY_SELECT, $expand: `Attributes,Keys,${MANY_TO_ONE}` },
	});
	const attrs = ((def.Attributes as Json[] | undefined) ?? []).filter(
		// `AttributeOf` columns are derived ones (a lookup's name, yomi names): not fields of their own.
		(a) => a.IsValidForRead !== false && !a.AttributeOf,
	);
	if (!attrs.length)
		throw new CrmError(`Dynamics 365: the table ${entity.name} has no readable columns`, {
			kind: 'notFound',
		});
	const keyFields = new Set<string>();
	for (const k of (def.Keys as Json[] | undefined) ?? []) {
		const cols = k.KeyAttributes as string[] | undefined;
		// Only a one-column key identifies a record by one field's value (what the contract's keys are).
		if (cols?.length === 1) keyFields.add(cols[0]);
	}
	const sets = optionSets
		? await readOptionSets(
				client,
				base,
				attrs.filter((a) => ['picklist', 'multipicklist'].includes(dataverseFieldType(a))),
			)
		: new Map<string, unknown>();
	const fields = attrs.map((a) =>
		dataverseFieldSchema(
			sets.has(String(a.LogicalName)) ? { ...a, OptionSet: sets.get(String(a.LogicalName)) } : a,
			keyFields,
		),
	);
	return {
		name: entity.name,
		label: entity.label,
		custom: entity.custom,
		idField: entity.primaryId,
		updatedAtField: 'modifiedon',
		fields,
		entity,
		lookups: new Set(fields.filter((f) => f.type === 'reference').map((f) => f.name)),
		navigations: lookupNavigations(def),
	};
}
