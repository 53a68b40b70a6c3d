/**
 * `RestProfileConnector`: the connector contract over any REST API an endpoint profile describes (profile.ts,
 * README.md). Reads stream page by page in the profile's paging style; change feeds are in feed.ts, writes in
 * write.ts.
 */
import type { BatchItemResult } from '../../batching/types';
import {
	type AuthProvider,
	CrmError,
	HttpClient,
	type HttpClientOptions,
	isCrmError,
} from '../../http';
import type { Transport } from '../../http/types';
import type { CrmRecord } from '../../records/types';
import type {
	Capabilities,
	ChangePage,
	ChangesOptions,
	ContractWriteOptions,
	CrmConnector,
	ObjectSchema,
	ObjectTypeSummary,
	RecentChangesOptions,
	StartWatermarkOptions,
	Watermark,
	WriteInput,
	WriteOperation,
	WrittenRecord,
} from '../contract';
import { at, fill, readPages, type Requester } from './endpoint';
import { advance, type Change, feed, type Position, positionOf, watermarkOf } from './feed';
import { type ObjectProfile, parseProfile, type ReadEndpoint, type RestProfile } from './profile';
import { findRecords, LOOKUP } from './lookup';
import { objectSchema, profileFields, toRecord } from './records';
import { writeAll } from './write';

/** Options of {@link RestProfileConnector}. */
export interface RestProfileConnectorOptions {
	/** The profile (checked with `parseProfile`; JSON text or an object). */
	profile: unknown;
	/** Overrides the profile's `baseUrl`. */
	baseUrl?: string;
	auth?: AuthProvider;
	transport?: Transport;
	/** More HttpClient options (retry, rate budget, logger …). */
	http?: Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'transport'>;
	/**
	 * A ready client instead (e.g. a node's connection over n8n's helpers): requests go through it, with their URLs
	 * made absolute by `resolve` (which may refuse a URL, e.g. one outside the credential's origin).
	 */
	client?: { http: HttpClient; resolve(pathOrUrl: string): string };
}

const PAGE = 100;

/** The connector contract over an endpoint profile. */
export class RestProfileConnector implements CrmConnector {
	readonly system: string;
	readonly profile: RestProfile;
	/** The client every request goes through (its counters: `requestsSent`). */
	readonly http: HttpClient;
	private readonly client: Requester;

	constructor(options: RestProfileConnectorOptions) {
		this.profile = parseProfile(options.profile);
		this.system = this.profile.system;
		const given = options.client;
		if (given) {
			this.http = given.http;
			this.client = { request: (r) => given.http.request({ ...r, url: given.resolve(r.url) }) };
			return;
		}
		this.http = new HttpClient({
			...options.http,
			baseUrl: options.baseUrl ?? this.profile.baseUrl,
			auth: options.auth,
			transport: options.transport,
		});
		this.client = this.http;
	}

	private object(type: string): ObjectProfile {
		const o = this.profile.objects[type];
		if (!o)
			throw new CrmError(
				`The profile has no object "${type}" — use one of ${Object.keys(this.profile.objects).join(', ')}, or add it under objects`,
				{ kind: 'validation' },
			);
		return o;
	}

	async listObjectTypes(): Promise<ObjectTypeSummary[]> {
		return Object.entries(this.profile.objects).map(([name, o]) => ({
			name,
			label: o.label ?? name,
			custom: false,
		}));
	}

	async describe(type: string): Promise<ObjectSchema> {
		const o = this.object(type);
		let sample: unknown;
		if (!o.fields) {
			const list: ReadEndpoint = { ...o.list, paging: { ...o.list.paging, size: 1 } };
			for await (const page of readPages(this.client, list, {}, `objects.${type}.list`)) {
				sample = page.records[0];
				break;
			}
		}
		return objectSchema(type, o, profileFields(o, sample));
	}

	async capabilities(type: string): Promise<Capabilities> {
		const o = this.object(type);
		const fields = o.fields ?? [];
		const batches = [o.create, o.update, o.upsert, o.delete].flatMap((w) =>
			w?.batch ? [w.batch.max] : [],
		);
		return {
			batchSize: batches.length ? Math.min(...batches) : PAGE,
			upsertKeys: o.upsert ? fields.filter((f) => f.unique).map((f) => f.name) : [],
			caseInsensitiveKeys: fields.filter((f) => f.caseInsensitive).map((f) => f.name),
			deletesInChangeFeed: o.deleted !== undefined,
			timestampPrecisionMs: o.changes.format === 'epochS' ? 1000 : 1,
			maxKeysPerLookup: LOOKUP,
			keyLookup: o.find !== undefined,
		};
	}

	async getByIds(
		type: string,
		ids: string[],
		fields?: string[],
	): Promise<Array<CrmRecord | undefined>> {
		const o = this.object(type);
		const out: Array<CrmRecord | undefined> = new Array<CrmRecord | undefined>(ids.length);
		const queue = ids.map((_, i) => i);
		const worker = async () => {
			for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
				try {
					const r = await this.client.request({
						method: 'GET',
						url: fill(o.get.path, { id: ids[i] }),
					});
					out[i] = toRecord(o, type, this.system, at(r.body, o.get.recordPath), fields);
				} catch (e) {
					if (!isCrmError(e) || e.kind !== 'notFound') throw e;
				}
			}
		};
		await Promise.all([worker(), worker(), worker(), worker()]);
		return out;
	}

	async findByKeys(
		type: string,
		field: string,
		values: string[],
		fields?: string[],
	): Promise<CrmRecord[][]> {
		const o = this.object(type);
		return (await findRecords(this.client, o, type, this.system, field, values, fields)).matches;
	}

	private changes(
		type: string,
		kind: ChangesOptions['kind'],
		p: Position,
		options: { fields?: string[]; until?: number | Date; lagMs?: number; signal?: AbortSignal },
	): AsyncGenerator<Change> {
		const o = this.object(type);
		const until = options.until === undefined ? undefined : new Date(options.until).getTime();
		return feed(
			{
				client: this.client,
				object: o,
				type,
				source: this.system,
				fields: options.fields,
				until,
				lagMs: options.lagMs ?? o.changes.lagMs,
				signal: options.signal,
			},
			kind ?? 'all',
			p,
		);
	}

	async *changesSince(
		type: string,
		watermark: Watermark | null,
		options: ChangesOptions = {},
	): AsyncIterable<ChangePage> {
		const kind = options.kind ?? 'all';
		let p = positionOf(kind, watermark, type);
		let left = options.limit ?? Infinity;
		let page: ChangePage = { records: [], watermark: watermarkOf(kind, p), recordWatermarks: [] };
		if (left <= 0) return;
		for await (const change of this.changes(type, kind, p, options)) {
			p = advance(p, change);
			page.records.push(change.record);
			page.watermark = watermarkOf(kind, p);
			page.recordWatermarks?.push(page.watermark);
			if (--left <= 0) break;
			if (page.records.length >= PAGE) {
				yield page;
				page = { records: [], watermark: watermarkOf(kind, p), recordWatermarks: [] };
			}
		}
		if (page.records.length) yield page;
	}

	async startWatermark(
		type: string,
		at: 'now' | number | Date,
		options: StartWatermarkOptions = {},
	): Promise<Watermark> {
		const kind = options.kind ?? 'all';
		if (at !== 'now')
			return watermarkOf(kind, { time: new Date(at).getTime(), after: [...(options.after ?? [])] });
		const o = this.object(type);
		const list: ReadEndpoint = { ...o.list, paging: { ...o.list.paging, size: 1 } };
		for await (const page of readPages(
			this.client,
			list,
			{},
			`objects.${type}.list`,
			options.signal,
		)) {
			if (page.serverTime === undefined) break;
			return watermarkOf(kind, { time: page.serverTime - o.changes.lagMs, after: [] });
		}
		throw new CrmError(
			`${type}: the API sent no Date header, so "now" is unknown — let a proxy pass the Date header through`,
			{
				kind: 'fatal',
			},
		);
	}

	async recentChanges(type: string, options: RecentChangesOptions = {}): Promise<CrmRecord[]> {
		const limit = Math.max(1, options.limit ?? 1);
		const last: CrmRecord[] = [];
		const start: Position = { time: null, after: [] };
		for await (const change of this.changes(type, options.kind, start, { ...options, lagMs: 0 })) {
			last.push(change.record);
			if (last.length > limit) last.shift();
		}
		return last;
	}

	async write(
		operation: WriteOperation,
		type: string,
		inputs: WriteInput[],
		options: ContractWriteOptions = {},
	): Promise<Array<BatchItemResult<WrittenRecord>>> {
		const object = this.object(type);
		const ctx = {
			client: this.client,
			object,
			type,
			key: options.key,
			signal: options.signal,
			lookup: (field: string, values: string[]) =>
				findRecords(this.client, object, type, this.system, field, values),
		};
		return writeAll(ctx, operation, inputs);
	}
}
