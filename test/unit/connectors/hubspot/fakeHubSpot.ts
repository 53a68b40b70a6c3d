/**
 * A deliberately small, independent fake of HubSpot's objects API for unit tests (no network): batch
 * create/update/upsert/read/archive with HubSpot's rules (≤100 inputs, whole-batch 400 on an invalid value,
 * duplicate keys rejected, results in a shuffled order), and search with the 10,000-result ceiling.
 */
import type { HttpRequest, HttpResponse, Transport } from '../../../../core/http/types';

interface Rec {
	id: string;
	properties: Record<string, string | null>;
	createdAt: string;
	updatedAt: string;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
	return { status, headers: { 'content-type': 'application/json', ...headers }, body, url: '' };
}

function error(
	status: number,
	message: string,
	category = 'VALIDATION_ERROR',
	extra: Record<string, unknown> = {},
): HttpResponse {
	return json(status, {
		status: 'error',
		message,
		correlationId: 'c0ffee00-0000-4000-8000-000000000000',
		category,
		...extra,
	});
}

/** The fake. `requests` records every request; `inject` can answer a request before the fake does. */
export class FakeHubSpot implements Transport {
	readonly records = new Map<string, Rec>();
	readonly requests: HttpRequest[] = [];
	inject?: (req: HttpRequest) => HttpResponse | undefined;
	private nextId = 1000;
	clock = Date.parse('2025-01-01T00:00:00Z');

	/** Adds `n` contacts (ids ascending) stamped `stamp(i)` ms. */
	seed(n: number, stamp: (i: number) => number = () => this.clock): void {
		for (let i = 0; i < n; i++) {
			const id = String(this.nextId++);
			const t = new Date(stamp(i)).toISOString();
			this.records.set(id, {
				id,
				properties: {
					email: `seed${i}@example.com`,
					hs_object_id: id,
					lastmodifieddate: t,
					createdate: t,
				},
				createdAt: t,
				updatedAt: t,
			});
		}
	}

	private write(id: string | undefined, properties: Record<string, string | null>): Rec | string {
		for (const [k, v] of Object.entries(properties)) {
			if (k === 'age' && v !== null && !/^\d+$/.test(v))
				return `Property values were not valid: [{"isValid":false,"message":"${v} was not a valid number.","error":"INVALID_INTEGER","name":"age"}]`;
		}
		this.clock += 1;
		const now = new Date(this.clock).toISOString();
		let rec = id ? this.records.get(id) : undefined;
		if (!rec) {
			const newId = String(this.nextId++);
			rec = {
				id: newId,
				properties: { hs_object_id: newId, createdate: now },
				createdAt: now,
				updatedAt: now,
			};
			this.records.set(newId, rec);
		}
		Object.assign(rec.properties, properties, { lastmodifieddate: now });
		rec.updatedAt = now;
		return rec;
	}

	private byEmail(email: string): Rec | undefined {
		for (const rec of this.records.values())
			if (rec.properties.email?.toLowerCase() === email.toLowerCase()) return rec;
		return undefined;
	}

	private view(rec: Rec, extra: Record<string, unknown> = {}) {
		return {
			id: rec.id,
			properties: { ...rec.properties },
			createdAt: rec.createdAt,
			updatedAt: rec.updatedAt,
			archived: false,
			...extra,
		};
	}

	async send(req: HttpRequest): Promise<HttpResponse> {
		this.requests.push(req);
		const injected = this.inject?.(req);
		if (injected) return injected;
		const path = new URL(req.url).pathname;
		const body = req.body as Record<string, unknown>;
		const batch = /^\/crm\/v3\/objects\/contacts\/batch\/(\w+)$/.exec(path);
		if (batch) {
			const inputs = body.inputs as Array<Record<string, unknown>>;
			if (inputs.length > 100) return error(400, 'Batch input limit is 100');
			const kind = batch[1];
			const keys = inputs.map((i) => String(i.id ?? '').toLowerCase()).filter(Boolean);
			if (new Set(keys).size !== keys.length)
				return error(400, 'Duplicate IDs found in batch input');
			// HubSpot validates every input first and fails the whole batch on one invalid value.
			for (const input of inputs) {
				const props = (input.properties ?? {}) as Record<string, string | null>;
				if (props.age !== undefined && props.age !== null && !/^\d+$/.test(props.age)) {
					return error(
						400,
						`Property values were not valid: [{"isValid":false,"message":"${props.age} was not a valid number.","error":"INVALID_INTEGER","name":"age"}]`,
					);
				}
			}
			const results: unknown[] = [];
			const errors: unknown[] = [];
			for (const input of inputs) {
				const props = (input.properties ?? {}) as Record<string, string | null>;
				const trace = input.objectWriteTraceId;
				if (kind === 'upsert') {
					const existing = this.byEmail(String(input.id));
					const rec = this.write(existing?.id, {
						email: String(input.id).toLowerCase(),
						...props,
					}) as Rec;
					results.push(this.view(rec, { new: !existing, objectWriteTraceId: trace }));
				} else if (kind === 'create') {
					results.push(
						this.view(this.write(undefined, props) as Rec, { objectWriteTraceId: trace }),
					);
				} else if (kind === 'update' || kind === 'read' || kind === 'archive') {
					const rec = this.records.get(String(input.id));
					if (!rec) {
						errors.push({
							status: 'error',
							category: 'OBJECT_NOT_FOUND',
							message: `Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.`,
							context: { ids: [String(input.id)] },
						});
						continue;
					}
					if (kind === 'update')
						results.push(
							this.view(this.write(rec.id, props) as Rec, { objectWriteTraceId: trace }),
						);
					else if (kind === 'read') results.push(this.view(rec));
					else this.records.delete(rec.id);
				}
			}
			if (kind === 'archive') return { status: 204, headers: {}, body: undefined, url: '' };
			results.reverse(); // HubSpot does not promise input order
			const out: Record<string, unknown> = {
				status: 'COMPLETE',
				results,
				startedAt: '',
				completedAt: '',
			};
			if (errors.length) Object.assign(out, { errors, numErrors: errors.length });
			return json(errors.length ? 207 : 200, out);
		}
		if (path === '/crm/v3/objects/contacts' && req.method === 'GET') {
			// A list read; its Date header is HubSpot's clock (change reads bound their window by it).
			const res = json(200, { results: [] });
			return { ...res, headers: { ...res.headers, date: new Date(this.clock).toUTCString() } };
		}
		if (path === '/crm/v3/objects/contacts/search') {
			const limit = Number(body.limit ?? 10);
			const after = Number(body.after ?? 0);
			if (limit > 200) return error(400, 'limit must be ≤ 200');
			if (after + limit > 10_000)
				return error(400, 'There was a problem with the request.', 'VALIDATION_ERROR');
			const groups =
				(body.filterGroups as
					| Array<{ filters: Array<{ propertyName: string; operator: string; value?: string }> }>
					| undefined) ?? [];
			const sortProp =
				(body.sorts as Array<{ propertyName: string }> | undefined)?.[0]?.propertyName ??
				'hs_object_id';
			const value = (rec: Rec, prop: string) =>
				prop === 'hs_object_id'
					? Number(rec.id)
					: prop.includes('date')
						? Date.parse(rec.properties[prop] ?? '')
						: rec.properties[prop];
			const test = (rec: Rec, f: { propertyName: string; operator: string; value?: string }) => {
				const v = value(rec, f.propertyName) as number;
				const w =
					f.propertyName === 'hs_object_id' || f.propertyName.includes('date')
						? Number(f.value)
						: f.value;
				switch (f.operator) {
					case 'GT':
						return v > (w as number);
					case 'GTE':
						return v >= (w as number);
					case 'LT':
						return v < (w as number);
					case 'LTE':
						return v <= (w as number);
					case 'EQ':
						return v === w;
					default:
						throw new Error(`fake: operator ${f.operator}`);
				}
			};
			const matches = [...this.records.values()]
				.filter(
					(rec) => groups.length === 0 || groups.some((g) => g.filters.every((f) => test(rec, f))),
				)
				.sort(
					(a, b) =>
						(value(a, sortProp) as number) - (value(b, sortProp) as number) ||
						Number(a.id) - Number(b.id),
				);
			const page = matches.slice(after, after + limit).map((rec) => this.view(rec));
			const next =
				after + limit < matches.length ? { next: { after: String(after + limit) } } : undefined;
			return json(200, { total: matches.length, results: page, ...(next ? { paging: next } : {}) });
		}
		return error(404, `fake: no route ${req.method} ${path}`, 'OBJECT_NOT_FOUND');
	}
}
