/**
 * Associations v4 endpoints of the HubSpot simulator (storage: `associations.ts`):
 * `/crm/v4/associations/{from}/{to}/batch/{create, associate/default, read, archive, labels/archive}`, labels
 * (`GET|POST …/labels`, `DELETE …/labels/{typeId}`), and the single-object
 * `/crm/v4/objects/{type}/{id}/associations/…` reads and writes.
 */
import {
	empty,
	json,
	type Clock,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import type { AssociationType } from './associations';
import type { BatchService } from './batch';
import type { HubSpotData } from './data';
import type { ObjectTypeDef } from './schema';
import { ISO, batchReply, hubspotError, jsonBody, type BatchError } from './wire';

/** The associations v4 routes. */
export class AssociationsApi {
	constructor(
		private readonly data: HubSpotData,
		private readonly clock: Clock,
		/** Orders batch read results as configured. */
		private readonly batch: BatchService,
	) {}

	private get store() {
		return this.data.associations;
	}

	install(s: SandboxServer): void {
		s.post('/crm/v4/associations/:from/:to/batch/create', (req) => this.assocBatchCreate(req), {
			kind: 'associations.create',
		});
		s.post(
			'/crm/v4/associations/:from/:to/batch/associate/default',
			(req) => this.assocBatchDefault(req),
			{ kind: 'associations.default' },
		);
		s.post('/crm/v4/associations/:from/:to/batch/read', (req) => this.assocBatchRead(req), {
			kind: 'associations.read',
		});
		s.post(
			'/crm/v4/associations/:from/:to/batch/archive',
			(req) => this.assocBatchArchive(req, false),
			{ kind: 'associations.archive' },
		);
		s.post(
			'/crm/v4/associations/:from/:to/batch/labels/archive',
			(req) => this.assocBatchArchive(req, true),
			{ kind: 'associations.archive' },
		);
		for (const base of ['/crm/v4/associations', '/crm/associations/v4']) {
			s.get(
				`${base}/:from/:to/labels`,
				(req) => {
					const [from, to] = [
						this.data.mustType(req.params.from),
						this.data.mustType(req.params.to),
					];
					return json({
						results: this.store.typesBetween(from.objectTypeId, to.objectTypeId).map(labelJson),
					});
				},
				{ kind: 'associations.labels' },
			);
			s.post(`${base}/:from/:to/labels`, (req) => this.createLabel(req), {
				kind: 'associations.labels',
			});
			s.delete(
				`${base}/:from/:to/labels/:typeId`,
				(req) => {
					if (!this.store.removeLabel(Number(req.params.typeId))) {
						throw hubspotError(
							400,
							'VALIDATION_ERROR',
							`Association type ${req.params.typeId} is not a user-defined label and cannot be removed`,
						);
					}
					return empty(204);
				},
				{ kind: 'associations.labels' },
			);
		}
		s.get(
			'/crm/v4/objects/:type/:id/associations/:toType',
			(req) => {
				const def = this.data.mustType(req.params.type);
				const to = this.data.mustType(req.params.toType);
				if (!this.data.coll(def).has(req.params.id)) throw this.data.notFound(def, req.params.id);
				return json({ results: this.linkedJson(def, req.params.id, to) });
			},
			{ kind: 'associations.list' },
		);
		s.put(
			'/crm/v4/objects/:type/:id/associations/default/:toType/:toId',
			(req) => {
				const def = this.data.mustType(req.params.type);
				const to = this.data.mustType(req.params.toType);
				const result = this.associateDefault(def, to, req.params.id, req.params.toId);
				if ('error' in result) throw hubspotError(400, result.error.category, result.error.message);
				return json({
					status: 'COMPLETE',
					results: [result.result],
					startedAt: ISO(req.startedAt),
					completedAt: ISO(this.clock.now()),
				});
			},
			{ kind: 'associations.default' },
		);
		s.put(
			'/crm/v4/objects/:type/:id/associations/:toType/:toId',
			async (req) => {
				const def = this.data.mustType(req.params.type);
				const to = this.data.mustType(req.params.toType);
				const types = await req.json<unknown>();
				const result = this.associateLabelled(def, to, req.params.id, req.params.toId, types);
				if ('error' in result) throw hubspotError(400, result.error.category, result.error.message);
				return json(result.result, 201);
			},
			{ kind: 'associations.create' },
		);
		s.delete(
			'/crm/v4/objects/:type/:id/associations/:toType/:toId',
			(req) => {
				const def = this.data.mustType(req.params.type);
				const to = this.data.mustType(req.params.toType);
				this.store.unlink(def.objectTypeId, req.params.id, to.objectTypeId, req.params.toId);
				return empty(204);
			},
			{ kind: 'associations.archive' },
		);
	}

	private linkedJson(from: ObjectTypeDef, id: string, to: ObjectTypeDef): unknown[] {
		return this.store.linked(from.objectTypeId, id, to.objectTypeId).map((l) => ({
			toObjectId: Number(l.toId),
			associationTypes: l.typeIds.map((t) => labelJson(this.store.type(t) as AssociationType)),
		}));
	}

	private pairError(
		from: ObjectTypeDef,
		to: ObjectTypeDef,
		fromId: string,
		toId: string,
	): BatchError | undefined {
		if (!this.data.coll(from).has(fromId))
			return {
				status: 'error',
				category: 'OBJECT_NOT_FOUND',
				message: `No ${from.label.toLowerCase()} with id ${fromId} exists`,
				context: { fromObjectId: [fromId] },
			};
		if (!this.data.coll(to).has(toId))
			return {
				status: 'error',
				category: 'OBJECT_NOT_FOUND',
				message: `No ${to.label.toLowerCase()} with id ${toId} exists`,
				context: { toObjectId: [toId] },
			};
		return undefined;
	}

	private associateDefault(
		from: ObjectTypeDef,
		to: ObjectTypeDef,
		fromId: string,
		toId: string,
	): { result: unknown } | { error: BatchError } {
		const t = this.store.defaultType(from.objectTypeId, to.objectTypeId);
		if (!t)
			return {
				error: {
					status: 'error',
					category: 'VALIDATION_ERROR',
					message: `There is no default association type from ${from.name} to ${to.name}`,
				},
			};
		const missing = this.pairError(from, to, fromId, toId);
		if (missing) return { error: missing };
		this.store.link(from.objectTypeId, fromId, to.objectTypeId, toId, t.typeId);
		return {
			result: {
				from: { id: fromId },
				to: { id: toId },
				associationSpec: { associationCategory: t.category, associationTypeId: t.typeId },
			},
		};
	}

	private associateLabelled(
		from: ObjectTypeDef,
		to: ObjectTypeDef,
		fromId: string,
		toId: string,
		types: unknown,
	): { result: unknown } | { error: BatchError } {
		if (!Array.isArray(types) || types.length === 0)
			return {
				error: {
					status: 'error',
					category: 'VALIDATION_ERROR',
					message: 'types must be a non-empty array of {associationCategory, associationTypeId}',
				},
			};
		const ids: number[] = [];
		for (const raw of types) {
			const spec = (raw ?? {}) as { associationCategory?: unknown; associationTypeId?: unknown };
			const t = this.store.type(Number(spec.associationTypeId));
			if (!t || t.fromObjectTypeId !== from.objectTypeId || t.toObjectTypeId !== to.objectTypeId) {
				return {
					error: {
						status: 'error',
						category: 'VALIDATION_ERROR',
						message: `associationTypeId ${String(spec.associationTypeId)} is not a valid association type from ${from.name} to ${to.name}`,
					},
				};
			}
			if (spec.associationCategory !== t.category) {
				return {
					error: {
						status: 'error',
						category: 'VALIDATION_ERROR',
						message: `associationTypeId ${t.typeId} has category ${t.category}, not ${String(spec.associationCategory)}`,
					},
				};
			}
			ids.push(t.typeId);
		}
		const missing = this.pairError(from, to, fromId, toId);
		if (missing) return { error: missing };
		for (const id of ids) this.store.link(from.objectTypeId, fromId, to.objectTypeId, toId, id);
		const labels =
			this.store
				.linked(from.objectTypeId, fromId, to.objectTypeId)
				.find((l) => l.toId === toId)
				?.typeIds.map((id) => this.store.type(id)?.label)
				.filter((l): l is string => typeof l === 'string') ?? [];
		return {
			result: {
				fromObjectTypeId: from.objectTypeId,
				fromObjectId: Number(fromId),
				toObjectTypeId: to.objectTypeId,
				toObjectId: Number(toId),
				labels,
			},
		};
	}

	private async assocInputs(
		req: SandboxRequest,
	): Promise<{ from: ObjectTypeDef; to: ObjectTypeDef; inputs: Array<Record<string, unknown>> }> {
		const from = this.data.mustType(req.params.from);
		const to = this.data.mustType(req.params.to);
		const body = await jsonBody<{ inputs?: unknown }>(req);
		if (!Array.isArray(body.inputs))
			throw hubspotError(400, 'VALIDATION_ERROR', 'inputs must be an array');
		if (body.inputs.length > 2000)
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`Batch input of ${body.inputs.length} exceeds the limit of 2000 inputs per request`,
			);
		return { from, to, inputs: body.inputs as Array<Record<string, unknown>> };
	}

	private async assocBatchCreate(req: SandboxRequest): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		const results: unknown[] = [];
		const errors: BatchError[] = [];
		for (const i of inputs) {
			const r = this.associateLabelled(
				from,
				to,
				String((i?.from as { id?: unknown })?.id ?? ''),
				String((i?.to as { id?: unknown })?.id ?? ''),
				i?.types,
			);
			if ('error' in r) errors.push(r.error);
			else results.push(r.result);
		}
		return batchReply(req, this.clock, results, errors, 201);
	}

	private async assocBatchDefault(req: SandboxRequest): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		// This endpoint answers 200 only: an invalid pair fails the whole call (checked before anything is linked).
		for (const i of inputs) {
			const fromId = String((i?.from as { id?: unknown })?.id ?? '');
			const toId = String((i?.to as { id?: unknown })?.id ?? '');
			const problem = this.store.defaultType(from.objectTypeId, to.objectTypeId)
				? this.pairError(from, to, fromId, toId)
				: undefined;
			if (problem)
				throw hubspotError(
					400,
					problem.category === 'OBJECT_NOT_FOUND' ? 'VALIDATION_ERROR' : problem.category,
					problem.message,
					{ context: problem.context },
				);
		}
		const results: unknown[] = [];
		for (const i of inputs) {
			const r = this.associateDefault(
				from,
				to,
				String((i?.from as { id?: unknown })?.id ?? ''),
				String((i?.to as { id?: unknown })?.id ?? ''),
			);
			if ('error' in r) throw hubspotError(400, r.error.category, r.error.message);
			results.push(r.result);
		}
		return batchReply(req, this.clock, results, [], 200);
	}

	private async assocBatchRead(req: SandboxRequest): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		const results: unknown[] = [];
		const errors: BatchError[] = [];
		for (const i of inputs) {
			const id = String(i?.id ?? '');
			if (!this.data.coll(from).has(id)) {
				errors.push({
					status: 'error',
					category: 'OBJECT_NOT_FOUND',
					message: `No ${from.label.toLowerCase()} with id ${id} exists`,
					context: { fromObjectId: [id] },
				});
				continue;
			}
			const linked = this.linkedJson(from, id, to);
			if (linked.length === 0) {
				errors.push({
					status: 'error',
					category: 'OBJECT_NOT_FOUND',
					message: `No ${to.label} is associated to ${from.label} ${id}.`,
					context: { fromObjectId: [id] },
				});
				continue;
			}
			results.push({ from: { id }, to: linked });
		}
		return batchReply(req, this.clock, this.batch.inReadOrder(results), errors, 200);
	}

	private async assocBatchArchive(req: SandboxRequest, labelsOnly: boolean): Promise<Reply> {
		const { from, to, inputs } = await this.assocInputs(req);
		for (const i of inputs) {
			const fromId = String((i?.from as { id?: unknown })?.id ?? '');
			if (labelsOnly) {
				const toId = String((i?.to as { id?: unknown })?.id ?? '');
				const types = Array.isArray(i?.types)
					? (i.types as Array<{ associationTypeId?: unknown }>).map((t) =>
							Number(t?.associationTypeId),
						)
					: [];
				this.store.unlink(from.objectTypeId, fromId, to.objectTypeId, toId, types);
			} else {
				for (const t of Array.isArray(i?.to) ? (i.to as Array<{ id?: unknown }>) : []) {
					this.store.unlink(from.objectTypeId, fromId, to.objectTypeId, String(t?.id ?? ''));
				}
			}
		}
		return empty(204);
	}

	private async createLabel(req: SandboxRequest): Promise<Reply> {
		const from = this.data.mustType(req.params.from);
		const to = this.data.mustType(req.params.to);
		const body = await jsonBody<{ label?: unknown; name?: unknown; inverseLabel?: unknown }>(req);
		if (
			typeof body.label !== 'string' ||
			body.label === '' ||
			typeof body.name !== 'string' ||
			body.name === ''
		) {
			throw hubspotError(400, 'VALIDATION_ERROR', 'label and name are required');
		}
		if (
			this.store.typesBetween(from.objectTypeId, to.objectTypeId).some((t) => t.name === body.name)
		) {
			throw hubspotError(
				409,
				'OBJECT_ALREADY_EXISTS',
				`An association label named ${body.name} already exists between ${from.name} and ${to.name}`,
			);
		}
		const t = this.store.addLabel(
			from.objectTypeId,
			to.objectTypeId,
			body.label,
			body.name,
			typeof body.inverseLabel === 'string' ? body.inverseLabel : undefined,
		);
		const inverse = this.store.type(t.inverseTypeId) as AssociationType;
		return json({ results: [labelJson(t), labelJson(inverse)] });
	}
}

function labelJson(t: AssociationType): Record<string, unknown> {
	return { category: t.category, typeId: t.typeId, label: t.label };
}
