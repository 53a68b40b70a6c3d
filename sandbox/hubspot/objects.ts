/**
 * CRM object endpoints of the HubSpot simulator: `/crm/v3/objects/{type}` list and create, `…/{id}` get,
 * update and archive (by id or `idProperty`), with `properties`, `archived` and `associations` query
 * parameters. Search (`searchIndex.ts`) and batch (`batch.ts`) routes are registered here too, in HubSpot's
 * path order, and answered by their services.
 */
import { empty, json, type Reply, type SandboxRequest, type SandboxServer } from '../kit';
import type { BatchService } from './batch';
import type { HubSpotData, Rec } from './data';
import type { ObjectTypeDef } from './schema';
import type { SearchIndex } from './searchIndex';
import { planWrite } from './writes';
import { hubspotError, jsonBody } from './wire';

/** The object routes. */
export class ObjectsApi {
	constructor(
		private readonly data: HubSpotData,
		private readonly search: SearchIndex,
		private readonly batch: BatchService,
	) {}

	install(s: SandboxServer): void {
		s.get('/crm/v3/objects/:type', (req) => this.list(req), { kind: 'list' });
		s.post('/crm/v3/objects/:type', (req) => this.create(req), { kind: 'create' });
		s.post('/crm/v3/objects/:type/search', (req) => this.search.handle(req), { kind: 'search' });
		for (const op of ['read', 'create', 'update', 'upsert', 'archive']) {
			s.post(`/crm/v3/objects/:type/batch/${op}`, (req) => this.batch.handle(req, op), {
				kind: `batch.${op}`,
			});
		}
		s.get('/crm/v3/objects/:type/:id', (req) => this.getOne(req), { kind: 'get' });
		s.patch('/crm/v3/objects/:type/:id', (req) => this.updateOne(req), { kind: 'update' });
		s.delete(
			'/crm/v3/objects/:type/:id',
			(req) => {
				const def = this.data.mustType(req.params.type);
				const r = this.data.lookup(def, req.params.id, req.query.get('idProperty'));
				if (r) this.data.archiveRecord(def, r.id);
				return empty(204);
			},
			{ kind: 'archive' },
		);
	}

	private propsParam(req: SandboxRequest): string[] | undefined {
		const all = req.query
			.getAll('properties')
			.flatMap((p) => p.split(','))
			.map((p) => p.trim())
			.filter((p) => p !== '');
		return all.length > 0 ? all : undefined;
	}

	private list(req: SandboxRequest): Reply {
		const def = this.data.mustType(req.params.type);
		const rawLimit = req.query.get('limit');
		const limit = rawLimit === null ? 10 : Number(rawLimit);
		if (!Number.isInteger(limit) || limit < 1)
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`limit must be a positive integer, got ${rawLimit}`,
			);
		const size = Math.min(limit, 100);
		const after = req.query.get('after');
		if (after !== null && !/^\d+$/.test(after))
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`after must be the paging token from a previous page, got ${after}`,
			);
		const archived = req.query.get('archived') === 'true';
		const from = after === null ? 0 : Number(after);
		// Records by id (ids grow with creation order): the page from `after` and the first one past it.
		const page: Rec[] = this.data
			.coll(def)
			.listFrom((r) => Number(r.id) < from, { deletedOnly: archived, limit: size + 1 });
		const next = page.length > size ? page.pop() : undefined;
		const props = this.propsParam(req);
		const nextAfter = next ? next.id : undefined;
		return json({
			results: page.map((r) =>
				this.withAssociations(def, r, this.data.recordJson(def, r, props), req),
			),
			...(nextAfter !== undefined
				? {
						paging: {
							next: { after: nextAfter, link: `${req.baseUrl}${req.path}?after=${nextAfter}` },
						},
					}
				: {}),
		});
	}

	private getOne(req: SandboxRequest): Reply {
		const def = this.data.mustType(req.params.type);
		const r = this.data.lookup(
			def,
			req.params.id,
			req.query.get('idProperty'),
			req.query.get('archived') === 'true',
		);
		if (!r) throw this.data.notFound(def, req.params.id, req.query.get('idProperty'));
		return json(
			this.withAssociations(def, r, this.data.recordJson(def, r, this.propsParam(req)), req),
		);
	}

	/** Adds the `associations` block a GET asks for with `?associations=companies,deals`. */
	private withAssociations(
		def: ObjectTypeDef,
		r: Rec,
		out: Record<string, unknown>,
		req: SandboxRequest,
	): Record<string, unknown> {
		const names = req.query
			.getAll('associations')
			.flatMap((x) => x.split(','))
			.map((x) => x.trim())
			.filter((x) => x !== '');
		if (names.length === 0) return out;
		const store = this.data.associations;
		const associations: Record<string, unknown> = {};
		for (const name of names) {
			const to = this.data.objectType(name);
			if (!to) continue;
			const results = store.linked(def.objectTypeId, r.id, to.objectTypeId).flatMap((l) =>
				l.typeIds.map((id) => ({
					id: l.toId,
					type: store.type(id)?.name ?? String(id),
				})),
			);
			if (results.length > 0) associations[name] = { results };
		}
		if (Object.keys(associations).length > 0) out.associations = associations;
		return out;
	}

	private async create(req: SandboxRequest): Promise<Reply> {
		const def = this.data.mustType(req.params.type);
		const body = await jsonBody<Record<string, unknown>>(req);
		const plan = planWrite(this.data, def, 'create', body, new Map(), 0);
		if (!plan.ok)
			throw hubspotError(
				plan.httpStatus,
				plan.error.category,
				plan.error.message,
				plan.error.errors ? { errors: plan.error.errors } : undefined,
			);
		const { record } = plan.run();
		return json(this.data.recordJson(def, record, undefined, true), 201);
	}

	private async updateOne(req: SandboxRequest): Promise<Reply> {
		const def = this.data.mustType(req.params.type);
		const r = this.data.lookup(def, req.params.id, req.query.get('idProperty'));
		if (!r) throw this.data.notFound(def, req.params.id, req.query.get('idProperty'));
		const body = await jsonBody<Record<string, unknown>>(req);
		const plan = planWrite(this.data, def, 'update', { ...body, id: r.id }, new Map(), 0);
		if (!plan.ok)
			throw hubspotError(
				plan.httpStatus,
				plan.error.category,
				plan.error.message,
				plan.error.errors ? { errors: plan.error.errors } : undefined,
			);
		return json(this.data.recordJson(def, plan.run().record, undefined, true));
	}
}
