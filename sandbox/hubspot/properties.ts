/**
 * Properties and property groups of the HubSpot simulator: `/crm/v3/properties/{type}` list, get, create,
 * update, archive, `/batch/{read,create,archive}` and `/groups` CRUD. Type/fieldType combinations and groups
 * are checked; HubSpot-defined properties cannot be archived or retyped.
 */
import {
	empty,
	json,
	type Clock,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import type { HubSpotData } from './data';
import {
	FIELD_TYPES,
	PROPERTY_TYPES,
	makeProperty,
	propertyJson,
	type ObjectTypeDef,
	type PropertyDef,
	type PropertySpec,
	type PropertyType,
} from './schema';
import { batchReply, hubspotError, jsonBody, type BatchError } from './wire';

/** Checks a property spec; returns the error message or undefined. */
export function checkPropertySpec(
	def: ObjectTypeDef,
	spec: Partial<PropertySpec>,
	creating: boolean,
): string | undefined {
	if (creating) {
		if (typeof spec.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(spec.name))
			return `name must be lower-case letters, digits and underscores, starting with a letter (got ${JSON.stringify(spec.name)})`;
		if (typeof spec.label !== 'string' || spec.label === '')
			return `label is required for property ${spec.name}`;
		if (spec.groupName === undefined) return `groupName is required for property ${spec.name}`;
	}
	if (spec.type !== undefined && !PROPERTY_TYPES.includes(spec.type))
		return `type ${JSON.stringify(spec.type)} is not valid; use one of ${PROPERTY_TYPES.join(', ')}`;
	if (creating && spec.type === undefined) return `type is required for property ${spec.name}`;
	if (creating && spec.fieldType === undefined)
		return `fieldType is required for property ${spec.name}`;
	const type = spec.type;
	if (
		type !== undefined &&
		spec.fieldType !== undefined &&
		!FIELD_TYPES[type].includes(spec.fieldType)
	) {
		return `fieldType ${spec.fieldType} is not valid for type ${type}; use one of ${FIELD_TYPES[type].join(', ')}`;
	}
	if (spec.groupName !== undefined && !def.groups.has(spec.groupName))
		return `Property group ${spec.groupName} does not exist on ${def.name}`;
	if (spec.options !== undefined) {
		if (
			!Array.isArray(spec.options) ||
			spec.options.some((o) => typeof o?.label !== 'string' || typeof o?.value !== 'string')
		)
			return 'options must be an array of {label, value} strings';
		const values = spec.options.map((o) => o.value);
		if (new Set(values).size !== values.length) return 'option values must be unique';
	}
	return undefined;
}

/** A user-defined property from a checked spec (booleans get Yes/No options when given none). */
export function buildProperty(spec: PropertySpec, now: number): PropertyDef {
	const options =
		spec.type === 'bool' && (spec.options === undefined || spec.options.length === 0)
			? [
					{ label: 'Yes', value: 'true' },
					{ label: 'No', value: 'false' },
				]
			: spec.options;
	return makeProperty({ ...spec, options }, now, false);
}

/** The property and property group routes. */
export class PropertiesApi {
	constructor(
		private readonly data: HubSpotData,
		private readonly clock: Clock,
	) {}

	install(s: SandboxServer): void {
		s.get('/crm/v3/properties/:type', (req) => this.listProperties(req), {
			kind: 'properties.list',
		});
		s.post('/crm/v3/properties/:type', (req) => this.createProperty(req), {
			kind: 'properties.create',
		});
		for (const op of ['read', 'create', 'archive']) {
			s.post(`/crm/v3/properties/:type/batch/${op}`, (req) => this.propertiesBatch(req, op), {
				kind: `properties.batch.${op}`,
			});
		}
		s.get(
			'/crm/v3/properties/:type/groups',
			(req) => {
				const def = this.data.mustType(req.params.type);
				return json({
					results: [...def.groups.values()].filter((g) => !g.archived).map((g) => ({ ...g })),
				});
			},
			{ kind: 'properties.groups' },
		);
		s.post('/crm/v3/properties/:type/groups', (req) => this.createGroup(req), {
			kind: 'properties.groups',
		});
		s.get('/crm/v3/properties/:type/groups/:name', (req) => json({ ...this.mustGroup(req) }), {
			kind: 'properties.groups',
		});
		s.patch(
			'/crm/v3/properties/:type/groups/:name',
			async (req) => {
				const g = this.mustGroup(req);
				const body = (await req.json<{ label?: unknown; displayOrder?: unknown }>()) ?? {};
				if (typeof body.label === 'string') g.label = body.label;
				if (typeof body.displayOrder === 'number') g.displayOrder = body.displayOrder;
				return json({ ...g });
			},
			{ kind: 'properties.groups' },
		);
		s.delete(
			'/crm/v3/properties/:type/groups/:name',
			(req) => {
				this.mustGroup(req).archived = true;
				return empty(204);
			},
			{ kind: 'properties.groups' },
		);
		s.get(
			'/crm/v3/properties/:type/:name',
			(req) => {
				const def = this.data.mustType(req.params.type);
				return json(
					propertyJson(
						this.mustProperty(def, req.params.name, req.query.get('archived') === 'true'),
					),
				);
			},
			{ kind: 'properties.get' },
		);
		s.patch('/crm/v3/properties/:type/:name', (req) => this.updateProperty(req), {
			kind: 'properties.update',
		});
		s.delete(
			'/crm/v3/properties/:type/:name',
			(req) => {
				const def = this.data.mustType(req.params.type);
				const p = this.mustProperty(def, req.params.name);
				if (p.hubspotDefined)
					throw hubspotError(
						400,
						'VALIDATION_ERROR',
						`${p.name} is a HubSpot-defined property of ${def.name} and cannot be archived`,
					);
				p.archived = true;
				p.archivedAt = this.clock.now();
				return empty(204);
			},
			{ kind: 'properties.archive' },
		);
	}

	private mustProperty(def: ObjectTypeDef, name: string, archived = false): PropertyDef {
		const p = def.properties.get(name);
		if (!p || p.archived !== archived)
			throw hubspotError(404, 'OBJECT_NOT_FOUND', `Property ${name} does not exist on ${def.name}`);
		return p;
	}

	private mustGroup(req: SandboxRequest) {
		const def = this.data.mustType(req.params.type);
		const g = def.groups.get(req.params.name);
		if (!g || g.archived)
			throw hubspotError(
				404,
				'OBJECT_NOT_FOUND',
				`Property group ${req.params.name} does not exist on ${def.name}`,
			);
		return g;
	}

	private listProperties(req: SandboxRequest): Reply {
		const def = this.data.mustType(req.params.type);
		const archived = req.query.get('archived') === 'true';
		return json({
			results: [...def.properties.values()]
				.filter((p) => p.archived === archived)
				.map(propertyJson),
		});
	}

	private async createProperty(req: SandboxRequest): Promise<Reply> {
		const def = this.data.mustType(req.params.type);
		const spec = await jsonBody<PropertySpec>(req);
		const problem = checkPropertySpec(def, spec, true);
		if (problem) throw hubspotError(400, 'VALIDATION_ERROR', problem);
		const existing = def.properties.get(spec.name);
		if (existing && !existing.archived)
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`Property named '${spec.name}' already exists.`,
			);
		const p = buildProperty(spec, this.clock.now());
		def.properties.set(p.name, p);
		return json(propertyJson(p), 201);
	}

	private async updateProperty(req: SandboxRequest): Promise<Reply> {
		const def = this.data.mustType(req.params.type);
		const p = this.mustProperty(def, req.params.name);
		const body = await jsonBody<Partial<PropertySpec>>(req);
		if (
			p.hubspotDefined &&
			(body.type !== undefined || body.fieldType !== undefined || body.options !== undefined)
		) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`${p.name} is a HubSpot-defined property; its type, fieldType and options are read-only`,
			);
		}
		const merged = {
			...body,
			type: body.type ?? p.type,
			fieldType: body.fieldType ?? (body.type !== undefined ? undefined : p.fieldType),
		};
		const problem = checkPropertySpec(def, merged, false);
		if (problem) throw hubspotError(400, 'VALIDATION_ERROR', problem);
		if (typeof body.label === 'string') p.label = body.label;
		if (typeof body.description === 'string') p.description = body.description;
		if (typeof body.groupName === 'string') p.groupName = body.groupName;
		if (typeof body.displayOrder === 'number') p.displayOrder = body.displayOrder;
		if (typeof body.hidden === 'boolean') p.hidden = body.hidden;
		if (typeof body.formField === 'boolean') p.formField = body.formField;
		if (body.type !== undefined) p.type = body.type as PropertyType;
		if (merged.fieldType !== undefined) p.fieldType = merged.fieldType;
		if (body.options !== undefined)
			p.options = makeProperty({ ...p, options: body.options }, 0, false).options;
		p.updatedAt = this.clock.now();
		return json(propertyJson(p));
	}

	private async propertiesBatch(req: SandboxRequest, op: string): Promise<Reply> {
		const def = this.data.mustType(req.params.type);
		const body = await jsonBody<{ inputs?: unknown; archived?: unknown }>(req);
		if (!Array.isArray(body.inputs))
			throw hubspotError(400, 'VALIDATION_ERROR', 'inputs must be an array');
		const inputs = body.inputs as Array<Record<string, unknown>>;
		const done = (results: unknown[], errors: BatchError[], status: number) =>
			batchReply(req, this.clock, results, errors, status);
		switch (op) {
			case 'read': {
				const archived = body.archived === true;
				const results: unknown[] = [];
				const errors: BatchError[] = [];
				for (const i of inputs) {
					const p = def.properties.get(String(i?.name));
					if (p && p.archived === archived) results.push(propertyJson(p));
					else
						errors.push({
							status: 'error',
							category: 'OBJECT_NOT_FOUND',
							message: `Property ${String(i?.name)} does not exist on ${def.name}`,
							context: { name: [String(i?.name)] },
						});
				}
				return done(results, errors, 200);
			}
			case 'create': {
				const results: unknown[] = [];
				const errors: BatchError[] = [];
				for (const spec of inputs as unknown as PropertySpec[]) {
					const problem =
						checkPropertySpec(def, spec, true) ??
						(def.properties.get(spec.name) && !def.properties.get(spec.name)?.archived
							? `Property named '${spec.name}' already exists.`
							: undefined);
					if (problem) {
						errors.push({
							status: 'error',
							category: 'VALIDATION_ERROR',
							message: problem,
							context: { name: [String(spec?.name)] },
						});
						continue;
					}
					const p = buildProperty(spec, this.clock.now());
					def.properties.set(p.name, p);
					results.push(propertyJson(p));
				}
				return done(results, errors, 201);
			}
			case 'archive':
				for (const i of inputs) {
					const p = def.properties.get(String(i?.name));
					if (p && !p.hubspotDefined && !p.archived) {
						p.archived = true;
						p.archivedAt = this.clock.now();
					}
				}
				return empty(204);
			default:
				throw hubspotError(
					404,
					'OBJECT_NOT_FOUND',
					`Unknown batch operation ${op}; use read, create or archive`,
				);
		}
	}

	private async createGroup(req: SandboxRequest): Promise<Reply> {
		const def = this.data.mustType(req.params.type);
		const body = await jsonBody<{ name?: unknown; label?: unknown; displayOrder?: unknown }>(req);
		if (typeof body.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(body.name))
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`name must be lower-case letters, digits and underscores (got ${JSON.stringify(body.name)})`,
			);
		if (typeof body.label !== 'string' || body.label === '')
			throw hubspotError(400, 'VALIDATION_ERROR', 'label is required');
		const existing = def.groups.get(body.name);
		if (existing && !existing.archived)
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`Property group named '${body.name}' already exists.`,
			);
		const g = {
			name: body.name,
			label: body.label,
			displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
			archived: false,
		};
		def.groups.set(g.name, g);
		return json({ ...g }, 201);
	}
}
