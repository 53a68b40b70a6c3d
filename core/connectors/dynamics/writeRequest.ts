/**
 * One contract write input as one Dataverse Web API request (a part of a `$batch`):
 * - create: `POST /{set}` with the fields;
 * - update: `PATCH /{set}({id})`, or by alternate key `PATCH /{set}({key}='{value}')`, with `If-Match: *` (update
 *   only: a missing row is a 404, never an accidental create);
 * - upsert by alternate key: `PATCH /{set}({key}='{value}')`, by id: `PATCH /{set}({id})`, with
 *   `Prefer: return=representation` and `$select={id}`: Dataverse answers 201 when it created the row and 200 when it
 *   updated one (the one way it tells them apart), with only the id in the body;
 * - delete: `DELETE /{set}({id})`.
 * Lookups are written as `{nav}@odata.bind: "/{targetset}({id})"`, the navigation property being the one the table's
 * many-to-one relationship to that target names (`ReferencingEntityNavigationPropertyName`, read with the schema: a
 * custom lookup's is its schema name, `new_AccountId`). Where the metadata lacks it: a single-target lookup's logical
 * name, `{lookup}_{target}` for a lookup with several targets (`parentcustomerid_account`, the system convention),
 * one name for every target of an owner lookup (`ownerid`). A lookup with several targets needs the value to name its
 * table (`accounts(<id>)`); null clears a lookup ("Disassociate tables on update": `{nav}@odata.bind: null`), one with
 * several targets through each of its navigation properties, so it is cleared whichever table it points at; an owner
 * is never cleared (refused before sending: every row has one).
 */
import type { WriteInput, WriteOperation } from '../contract';
import { encodeODataParam, odataGuid, odataLiteral, type ODataValue } from '../../query/odata';
import type { BatchRequest } from './batch';
import type { DataverseEntity, DataverseSchema } from './schema';

/** A request, or why the input cannot become one (it fails alone, not sent). */
export type PreparedWrite =
	| { ok: true; request: BatchRequest }
	| { ok: false; message: string; code: string };

const fail = (message: string, code = 'INVALID_INPUT') => ({ ok: false as const, message, code });

/** The GUID of an input id, or undefined. */
function guidOf(id: unknown): string | undefined {
	try {
		return typeof id === 'string' ? odataGuid(id.trim()) : undefined;
	} catch {
		return undefined;
	}
}

/** The navigation property of lookup `name` for `target`: from the relationship metadata, else by convention. */
export function lookupNavigation(schema: DataverseSchema, name: string, target: string): string {
	const known = schema.navigations?.[name]?.[target];
	if (known) return known;
	const field = schema.fields.find((f) => f.name === name);
	const several = (field?.referenceTo?.length ?? 0) > 1 && field?.crmType !== 'Owner';
	return several ? `${name}_${target}` : name;
}

/** The `{nav}@odata.bind` entries for a lookup field's value, or an error text. */
function bindLookup(
	schema: DataverseSchema,
	entities: readonly DataverseEntity[],
	name: string,
	value: unknown,
): Array<[string, string | null]> | string {
	const field = schema.fields.find((f) => f.name === name);
	const targets = field?.referenceTo ?? [];
	const owner = field?.crmType === 'Owner';
	const nav = (target: string) => lookupNavigation(schema, name, target);
	const tableList = targets
		.map((t) => `${entities.find((e) => e.logicalName === t)?.name ?? t}(<id>)`)
		.join(' or ');
	if (value === null) {
		if (!targets.length) return `${name}: its metadata names no target table`;
		if (owner)
			return `${name} cannot be cleared: every row has an owner — give a user or team instead (systemusers(<id>))`;
		const navs = [...new Set(targets.map(nav))];
		return navs.map((n) => [`${n}@odata.bind`, null]);
	}
	const text = typeof value === 'string' ? value.trim() : '';
	const named = /^\/?([A-Za-z0-9_]+)\(([^)]+)\)$/.exec(text);
	let target: DataverseEntity | undefined;
	let id: string | undefined;
	if (named) {
		target = entities.find((e) => e.name === named[1] || e.logicalName === named[1]);
		id = guidOf(named[2]);
		if (!target || !targets.includes(target.logicalName))
			return `${name} points at ${targets.join(' or ')}, not "${named[1]}" — give ${tableList}`;
	} else {
		if (targets.length !== 1 && !owner)
			return `${name} points at ${targets.join(' or ')}: give the value with its table, ${tableList}`;
		target = entities.find((e) => e.logicalName === targets[0]);
		id = guidOf(text);
	}
	if (!target) return `${name}: the table ${targets[0]} is not available`;
	if (!id) return `${name}: "${String(value)}" is not a record id (GUID)`;
	return [[`${nav(target.logicalName)}@odata.bind`, `/${target.name}(${id})`]];
}

/**
 * The JSON body of a create / update / upsert: fields as they are, lookups as `@odata.bind`. A field describe calls
 * read-only (system or calculated: `fullname`, `createdon`; the primary id, which travels as `id`) is refused here:
 * Dataverse would silently ignore it, and the write would look like it took a value it did not.
 */
function wireBody(
	schema: DataverseSchema,
	entities: readonly DataverseEntity[],
	fields: Record<string, unknown>,
	operation: WriteOperation,
	skip?: string,
): { ok: true; body: Record<string, unknown> } | Extract<PreparedWrite, { ok: false }> {
	const body: Record<string, unknown> = {};
	const byName = new Map(schema.fields.map((f) => [f.name, f]));
	for (const [name, value] of Object.entries(fields ?? {})) {
		if (value === undefined || name === skip) continue;
		const f = byName.get(name);
		if (
			f &&
			(f.readOnly ||
				(operation === 'create' && !f.createable) ||
				(operation === 'update' && !f.updateable))
		)
			return fail(
				`not sent: ${name} is ${f.readOnly ? 'read-only' : `not writable on ${operation}`} in ${schema.name}${name === schema.idField ? ' (give the record id as the id)' : ''}`,
				'READ_ONLY_FIELD',
			);
		if (!schema.lookups.has(name)) {
			// Anything else goes as it is: Dataverse validates it and its message says what is wrong.
			body[name] = value;
			continue;
		}
		const bound = bindLookup(schema, entities, name, value);
		if (typeof bound === 'string') return fail(`not sent: ${bound}`, 'INVALID_LOOKUP');
		for (const [key, bind] of bound) body[key] = bind;
	}
	return { ok: true, body };
}

/** Builds the request of each input (`contentId` = its index + 1), or its error. */
export function prepareWrites(
	schema: DataverseSchema,
	entities: readonly DataverseEntity[],
	operation: WriteOperation,
	inputs: readonly WriteInput[],
	key: string | undefined,
): PreparedWrite[] {
	const set = schema.name;
	return inputs.map((input, index): PreparedWrite => {
		const contentId = String(index + 1);
		const id = guidOf(input.id ?? (key === undefined ? input.fields?.[schema.idField] : undefined));
		if (operation === 'delete') {
			if (!id)
				return fail(
					`not sent: "${String(input.id ?? '')}" is not a record id (GUID)`,
					'INVALID_ID',
				);
			return { ok: true, request: { contentId, method: 'DELETE', path: `${set}(${id})` } };
		}
		// An upsert by id may carry the id among the fields too: it is the address, not a value.
		// An update by alternate key: the key's value is the address (sent again it could only change its case).
		const byKey = key !== undefined && key !== schema.idField;
		const skip =
			operation === 'upsert' && !byKey
				? schema.idField
				: operation === 'update' && byKey
					? key
					: undefined;
		const wired = wireBody(schema, entities, input.fields ?? {}, operation, skip);
		if (!wired.ok) return wired;
		const body = wired.body;
		if (operation === 'create')
			return { ok: true, request: { contentId, method: 'POST', path: set, body } };
		const keyAddress = (): string | Extract<PreparedWrite, { ok: false }> => {
			const value = input.fields?.[key as string];
			if (value === undefined || value === null || value === '')
				return fail(`not sent: no value for the key ${key}`, 'MISSING_KEY');
			if (typeof value === 'object' && !(value instanceof Date))
				return fail(`not sent: the key ${key} must be text or a number`, 'INVALID_KEY');
			return `${set}(${key}=${encodeODataParam(odataLiteral(value as ODataValue))})`;
		};
		if (operation === 'update' && byKey) {
			const address = keyAddress();
			if (typeof address !== 'string') return address;
			return {
				ok: true,
				request: { contentId, method: 'PATCH', path: address, headers: { 'If-Match': '*' }, body },
			};
		}
		if (operation === 'update') {
			if (!id)
				return fail(
					`not sent: "${String(input.id ?? '')}" is not a record id (GUID)`,
					'INVALID_ID',
				);
			return {
				ok: true,
				request: {
					contentId,
					method: 'PATCH',
					path: `${set}(${id})`,
					headers: { 'If-Match': '*' },
					body,
				},
			};
		}
		// Upsert: by alternate key when one is named, else by id.
		let address: string;
		if (byKey) {
			const keyed = keyAddress();
			if (typeof keyed !== 'string') return keyed;
			address = keyed;
		} else {
			if (!id)
				return fail(
					`not sent: "${String(input.id ?? '')}" is not a record id (GUID)`,
					'INVALID_ID',
				);
			address = `${set}(${id})`;
		}
		return {
			ok: true,
			request: {
				contentId,
				method: 'PATCH',
				path: `${address}?$select=${schema.idField}`,
				headers: { Prefer: 'return=representation' },
				body,
			},
		};
	});
}
