/**
 * Custom object schemas of the HubSpot simulator: `/crm/v3/schemas` and `/crm-object-schemas/v3/schemas` list,
 * get, create, patch and delete (refused while records exist); `associatedObjects` creates default
 * association types.
 */
import {
	empty,
	json,
	type Clock,
	type Reply,
	type SandboxServer,
	type SandboxRequest,
} from '../kit';
import type { AssociationType } from './associations';
import type { HubSpotData } from './data';
import { buildProperty, checkPropertySpec } from './properties';
import {
	customObjectBaseProperties,
	propertyJson,
	type ObjectTypeDef,
	type PropertySpec,
} from './schema';
import { ISO, hubspotError, jsonBody } from './wire';

/** What `POST /crm/v3/schemas` takes. */
export interface CustomObjectSpec {
	name: string;
	labels: { singular: string; plural: string };
	properties: PropertySpec[];
	primaryDisplayProperty?: string;
	requiredProperties?: string[];
	searchableProperties?: string[];
	secondaryDisplayProperties?: string[];
	associatedObjects?: string[];
	description?: string;
}

/** Custom object definitions and the schema routes. */
export class CustomObjects {
	private customSeq = 0;

	constructor(
		private readonly data: HubSpotData,
		private readonly clock: Clock,
		private readonly portalId: string,
		/** Gives a new type's owner, pipeline and stage properties their live options. */
		private readonly attachDynamicOptions: (def: ObjectTypeDef) => void,
	) {}

	install(s: SandboxServer): void {
		// both paths HubSpot serves
		for (const base of ['/crm/v3/schemas', '/crm-object-schemas/v3/schemas']) {
			s.get(
				base,
				(req) =>
					json({
						results: [...this.data.allTypes()]
							.filter(
								(d) => d.custom && d.custom.archived === (req.query.get('archived') === 'true'),
							)
							.map((d) => this.schemaJson(d)),
					}),
				{ kind: 'schemas.list' },
			);
			s.post(base, (req) => this.createSchema(req), { kind: 'schemas.create' });
			s.get(
				`${base}/:objectType`,
				(req) => json(this.schemaJson(this.mustSchema(req.params.objectType))),
				{ kind: 'schemas.get' },
			);
			s.patch(`${base}/:objectType`, (req) => this.updateSchema(req), { kind: 'schemas.update' });
			s.delete(
				`${base}/:objectType`,
				(req) => {
					const def = this.mustSchema(req.params.objectType);
					if (this.data.coll(def).count() > 0) {
						throw hubspotError(
							400,
							'VALIDATION_ERROR',
							`Object type ${def.name} still has ${this.data.coll(def).count()} records; archive them before deleting the schema`,
						);
					}
					(def.custom as NonNullable<ObjectTypeDef['custom']>).archived = true;
					return empty(204);
				},
				{ kind: 'schemas.archive' },
			);
		}
	}

	private mustSchema(name: string): ObjectTypeDef {
		const def = this.data.objectType(name);
		if (!def || !def.custom)
			throw hubspotError(404, 'OBJECT_NOT_FOUND', `No custom object schema ${name}`);
		return def;
	}

	private schemaJson(def: ObjectTypeDef): Record<string, unknown> {
		const c = def.custom as NonNullable<ObjectTypeDef['custom']>;
		const associations = [...this.data.allTypes()].flatMap((other) => {
			const t = this.data.associations.defaultType(def.objectTypeId, other.objectTypeId);
			return t && other !== def ? [assocDefinitionJson(t, c.createdAt)] : [];
		});
		return {
			id: c.id,
			objectTypeId: def.objectTypeId,
			fullyQualifiedName: def.name,
			name: c.shortName,
			labels: c.labels,
			...(c.description !== undefined ? { description: c.description } : {}),
			primaryDisplayProperty: c.primaryDisplayProperty,
			requiredProperties: c.requiredProperties,
			searchableProperties: def.searchableProperties,
			secondaryDisplayProperties: c.secondaryDisplayProperties,
			properties: [...def.properties.values()].filter((p) => !p.archived).map(propertyJson),
			associations,
			metaType: 'PORTAL_SPECIFIC',
			archived: c.archived,
			createdAt: ISO(c.createdAt),
			updatedAt: ISO(c.updatedAt),
		};
	}

	/** Defines a custom object (what `POST /crm/v3/schemas` does). */
	define(body: CustomObjectSpec): ObjectTypeDef {
		if (typeof body.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(body.name))
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`name must start with a letter and hold only letters, digits and underscores (got ${JSON.stringify(body.name)})`,
			);
		const fqn = `p${this.portalId}_${body.name.toLowerCase()}`;
		if (this.data.hasName(fqn))
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`Object type with name ${body.name} already exists`,
			);
		if (
			!body.labels ||
			typeof body.labels.singular !== 'string' ||
			typeof body.labels.plural !== 'string'
		)
			throw hubspotError(400, 'VALIDATION_ERROR', 'labels.singular and labels.plural are required');
		if (!Array.isArray(body.properties) || body.properties.length === 0)
			throw hubspotError(400, 'VALIDATION_ERROR', 'properties must define at least one property');
		const names = new Set(body.properties.map((p) => p?.name));
		for (const key of [
			'requiredProperties',
			'searchableProperties',
			'secondaryDisplayProperties',
		] as const) {
			const missing = (body[key] ?? []).filter((n) => !names.has(n));
			if (missing.length > 0)
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`${key} names properties that are not defined: ${missing.join(', ')}`,
				);
		}
		if (body.primaryDisplayProperty !== undefined && !names.has(body.primaryDisplayProperty)) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`primaryDisplayProperty ${body.primaryDisplayProperty} is not one of the defined properties`,
			);
		}
		const targets = (body.associatedObjects ?? []).map((a) => {
			const t =
				this.data.objectType(a) ??
				[...this.data.allTypes()].find((d) => d.label === String(a).toUpperCase());
			if (!t)
				throw hubspotError(400, 'VALIDATION_ERROR', `associatedObjects: unknown object type ${a}`);
			return t;
		});
		const now = this.clock.now();
		this.customSeq++;
		const objectTypeId = `2-${3_508_480 + this.customSeq * 7}`;
		const group = `${body.name.toLowerCase()}_information`;
		const def: ObjectTypeDef = {
			name: fqn,
			objectTypeId,
			label: body.labels.singular.toUpperCase().replace(/\s+/g, '_'),
			aliases: [objectTypeId, body.name.toLowerCase()],
			properties: new Map(),
			groups: new Map([
				[
					group,
					{
						name: group,
						label: `${body.labels.singular} information`,
						displayOrder: 0,
						archived: false,
					},
				],
			]),
			defaultProperties: [
				...new Set([
					'hs_createdate',
					'hs_lastmodifieddate',
					'hs_object_id',
					...(body.primaryDisplayProperty ? [body.primaryDisplayProperty] : []),
				]),
			],
			searchableProperties:
				body.searchableProperties ??
				(body.primaryDisplayProperty ? [body.primaryDisplayProperty] : []),
			lastModifiedProperty: 'hs_lastmodifieddate',
			idBase: 70_000_001 + this.customSeq * 10_000_000,
			custom: {
				id: String(1_000 + this.customSeq),
				shortName: body.name,
				labels: body.labels,
				...(body.description !== undefined ? { description: body.description } : {}),
				primaryDisplayProperty: body.primaryDisplayProperty,
				requiredProperties: body.requiredProperties ?? [],
				secondaryDisplayProperties: body.secondaryDisplayProperties ?? [],
				createdAt: now,
				updatedAt: now,
				archived: false,
			},
		};
		for (const p of customObjectBaseProperties(now, group)) def.properties.set(p.name, p);
		for (const spec of body.properties) {
			const problem = checkPropertySpec(def, { ...spec, groupName: spec.groupName ?? group }, true);
			if (problem) throw hubspotError(400, 'VALIDATION_ERROR', `properties: ${problem}`);
			const p = buildProperty({ ...spec, groupName: spec.groupName ?? group }, this.clock.now());
			def.properties.set(p.name, p);
		}
		this.data.addType(def);
		this.attachDynamicOptions(def);
		for (const t of targets)
			this.data.associations.addDefaultPair(
				objectTypeId,
				t.objectTypeId,
				`${body.name.toLowerCase()}_to_${t.aliases[0] ?? t.name}`,
			);
		return def;
	}

	private async createSchema(req: SandboxRequest): Promise<Reply> {
		const body = await jsonBody<CustomObjectSpec>(req);
		return json(this.schemaJson(this.define(body)), 201);
	}

	private async updateSchema(req: SandboxRequest): Promise<Reply> {
		const def = this.mustSchema(req.params.objectType);
		const c = def.custom as NonNullable<ObjectTypeDef['custom']>;
		const body = await jsonBody<Record<string, unknown>>(req);
		const check = (key: string): string[] | undefined => {
			const v = body[key];
			if (v === undefined) return undefined;
			if (!Array.isArray(v) || v.some((n) => typeof n !== 'string' || !def.properties.has(n)))
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`${key} must list existing properties of ${def.name}`,
				);
			return v as string[];
		};
		const required = check('requiredProperties');
		const searchable = check('searchableProperties');
		const secondary = check('secondaryDisplayProperties');
		if (required) c.requiredProperties = required;
		if (searchable) def.searchableProperties = searchable;
		if (secondary) c.secondaryDisplayProperties = secondary;
		if (typeof body.primaryDisplayProperty === 'string') {
			if (!def.properties.has(body.primaryDisplayProperty))
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`primaryDisplayProperty ${body.primaryDisplayProperty} is not a property of ${def.name}`,
				);
			c.primaryDisplayProperty = body.primaryDisplayProperty;
		}
		if (typeof body.description === 'string') c.description = body.description;
		const labels = body.labels as { singular?: unknown; plural?: unknown } | undefined;
		if (labels && typeof labels.singular === 'string' && typeof labels.plural === 'string')
			c.labels = { singular: labels.singular, plural: labels.plural };
		c.updatedAt = this.clock.now();
		// PATCH answers the object type definition: the schema without its properties and associations.
		const rest = this.schemaJson(def);
		delete rest.properties;
		delete rest.associations;
		return json(rest);
	}
}

function assocDefinitionJson(t: AssociationType, at: number): Record<string, unknown> {
	return {
		id: String(t.typeId),
		fromObjectTypeId: t.fromObjectTypeId,
		toObjectTypeId: t.toObjectTypeId,
		name: t.name.toUpperCase(),
		createdAt: ISO(at),
		updatedAt: ISO(at),
	};
}
