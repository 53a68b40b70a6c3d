/**
 * Planning one record write (create, update or upsert) for the HubSpot simulator: property values checked
 * against the type's properties, the target found by id or a unique property, `associations` of a create
 * checked, unique values checked against the store and earlier inputs of the same batch. A plan is applied
 * later (`run`), so a batch can fail as a whole before anything is written.
 */
import { HttpError } from '../kit';
import type { Fields, HubSpotData, Rec } from './data';
import { checkValue, type ObjectTypeDef, type ValueError } from './schema';
import type { BatchError } from './wire';

/** A planned write: `run` applies it; or why it cannot be made. */
export type Outcome =
	| { ok: true; run: () => { record: Rec; isNew: boolean } }
	| {
			ok: false;
			kind: 'validation' | 'conflict' | 'notfound' | 'injected';
			httpStatus: number;
			error: BatchError;
	  };

function validate(def: ObjectTypeDef, input: unknown): { fields: Fields; errors: ValueError[] } {
	const fields: Fields = {};
	const errors: ValueError[] = [];
	if (input === undefined || input === null) return { fields, errors };
	if (typeof input !== 'object' || Array.isArray(input)) {
		errors.push({
			code: 'INVALID_TYPE',
			message: 'properties must be an object of property name to value',
			name: 'properties',
		});
		return { fields, errors };
	}
	for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
		const p = def.properties.get(name);
		if (!p || p.archived) {
			errors.push({
				code: 'PROPERTY_DOESNT_EXIST',
				message: `Property "${name}" does not exist`,
				name,
			});
			continue;
		}
		if (p.readOnlyValue) {
			if (name === 'hs_object_id') continue;
			errors.push({
				code: 'READ_ONLY_VALUE',
				message: `${name} is a read only property; its value cannot be set.`,
				name,
			});
			continue;
		}
		const checked = checkValue(p, raw);
		if (checked.ok) fields[name] = checked.value;
		else errors.push(checked.error);
	}
	return { fields, errors };
}

/** Checks and links `associations` of a create input. */
function planAssociations(
	data: HubSpotData,
	def: ObjectTypeDef,
	raw: unknown,
):
	| { ok: true; links: Array<{ to: string; toId: string; typeId: number }> }
	| { ok: false; message: string } {
	if (raw === undefined || raw === null) return { ok: true, links: [] };
	if (!Array.isArray(raw))
		return {
			ok: false,
			message:
				'associations must be an array of {to:{id}, types:[{associationCategory, associationTypeId}]}',
		};
	const links: Array<{ to: string; toId: string; typeId: number }> = [];
	for (const [i, a] of raw.entries()) {
		const toId = String((a as { to?: { id?: unknown } })?.to?.id ?? '');
		const types = (a as { types?: unknown })?.types;
		if (toId === '' || !Array.isArray(types) || types.length === 0)
			return { ok: false, message: `associations[${i}] needs to.id and a non-empty types array` };
		for (const t of types) {
			const typeId = Number((t as { associationTypeId?: unknown })?.associationTypeId);
			const type = data.associations.type(typeId);
			if (!type || type.fromObjectTypeId !== def.objectTypeId) {
				return {
					ok: false,
					message: `associations[${i}]: association type ${String((t as { associationTypeId?: unknown })?.associationTypeId)} is not valid from ${def.name}`,
				};
			}
			if (!data.collectionById(type.toObjectTypeId)?.has(toId)) {
				return {
					ok: false,
					message: `associations[${i}]: ${data.typeById(type.toObjectTypeId)?.name ?? type.toObjectTypeId} ${toId} does not exist`,
				};
			}
			links.push({ to: type.toObjectTypeId, toId, typeId });
		}
	}
	return { ok: true, links };
}

/**
 * Plans one write (create, update or upsert) without applying it; `claims` holds the unique values
 * taken by earlier inputs of the same batch.
 */
export function planWrite(
	data: HubSpotData,
	def: ObjectTypeDef,
	mode: 'create' | 'update' | 'upsert',
	input: unknown,
	claims: Map<string, string>,
	index: number,
): Outcome {
	const obj = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
	const trace = typeof obj.objectWriteTraceId === 'string' ? obj.objectWriteTraceId : undefined;
	const context = (extra: Record<string, string[]> = {}): Record<string, string[]> => ({
		...extra,
		...(trace !== undefined ? { objectWriteTraceId: [trace] } : {}),
	});
	const fail = (
		kind: 'validation' | 'conflict' | 'notfound',
		httpStatus: number,
		category: string,
		message: string,
		ctx: Record<string, string[]> = {},
		errors?: unknown[],
	): Outcome => ({
		ok: false,
		kind,
		httpStatus,
		error: {
			status: 'error',
			category,
			message,
			context: context(ctx),
			...(errors ? { errors } : {}),
		},
	});
	const { fields, errors } = validate(def, obj.properties);
	if (errors.length > 0)
		return fail(
			'validation',
			400,
			'VALIDATION_ERROR',
			validationMessage(errors),
			{},
			errorDetails(errors),
		);

	let target: Rec | undefined;
	let idValue: string | undefined;
	if (mode !== 'create') {
		if (obj.id === undefined || obj.id === null || String(obj.id) === '')
			return fail('validation', 400, 'VALIDATION_ERROR', `inputs[${index}].id is required`);
		idValue = String(obj.id);
		const idProperty = typeof obj.idProperty === 'string' ? obj.idProperty : undefined;
		if (mode === 'upsert' && idProperty && idProperty !== 'hs_object_id') {
			const p = def.properties.get(idProperty);
			if (!p || !p.hasUniqueValue) {
				return fail(
					'validation',
					400,
					'VALIDATION_ERROR',
					`idProperty ${idProperty} is not a unique property of ${def.name}; upsert needs hs_object_id or a property with hasUniqueValue (${data
						.uniqueProps(def)
						.map((x) => x.name)
						.join(', ')})`,
				);
			}
			const checked = checkValue(p, idValue);
			if (!checked.ok || checked.value === null)
				return fail(
					'validation',
					400,
					'VALIDATION_ERROR',
					validationMessage([
						checked.ok
							? { code: 'INVALID_TYPE', message: 'id is empty', name: idProperty }
							: checked.error,
					]),
				);
			target = data.findByUnique(def, idProperty, checked.value);
			if (!target) {
				if (fields[idProperty] !== undefined && fields[idProperty] !== checked.value) {
					return fail(
						'validation',
						400,
						'VALIDATION_ERROR',
						`inputs[${index}]: properties.${idProperty} (${fields[idProperty]}) differs from id (${idValue})`,
					);
				}
				fields[idProperty] = checked.value;
			}
		} else {
			try {
				target = data.lookup(def, idValue, idProperty);
			} catch (err) {
				if (err instanceof HttpError)
					return fail('validation', 400, 'VALIDATION_ERROR', err.message);
				throw err;
			}
			if (!target) {
				return fail(
					'notfound',
					404,
					'OBJECT_NOT_FOUND',
					`Could not get some ${def.label} objects, they may be deleted or not exist. Check that ids are valid.`,
					{ ids: [idValue] },
				);
			}
		}
	}
	const assoc =
		mode === 'create'
			? planAssociations(data, def, obj.associations)
			: { ok: true as const, links: [] };
	if (!assoc.ok) return fail('validation', 400, 'VALIDATION_ERROR', assoc.message);
	const c = data.conflict(def, fields, target?.id, claims);
	if (c)
		return fail('conflict', 409, 'CONFLICT', data.conflictMessage(def, c), {
			...(target ? { ids: [target.id] } : {}),
		});
	const selfId = target?.id ?? `#${index}`;
	data.claim(def, fields, selfId, claims);
	return {
		ok: true,
		run: () => {
			if (target) return { record: data.patch(def, target.id, fields), isNew: false };
			const record = data.insert(def, fields);
			for (const l of assoc.links)
				data.associations.link(def.objectTypeId, record.id, l.to, l.toId, l.typeId);
			return { record, isNew: true };
		},
	};
}

function validationMessage(errors: ValueError[]): string {
	return `Property values were not valid: ${JSON.stringify(errors.map((e) => ({ isValid: false, message: e.message, error: e.code, name: e.name, localizedErrorMessage: e.message })))}`;
}

function errorDetails(errors: ValueError[]): unknown[] {
	return errors.map((e) => ({
		message: e.message,
		code: e.code,
		context: { propertyName: [e.name] },
	}));
}
