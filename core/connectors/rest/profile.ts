/**
 * The endpoint profile: a saved JSON description of how a REST API lists, reads, writes and reports changes of its
 * records — enough for `RestProfileConnector` to implement the connector contract over it. See README.md here for
 * the reference. `parseProfile` checks a profile and names the field and the fix of each problem.
 */
import { z } from 'zod';

const path = z
	.string()
	.min(1)
	.refine((p) => p.startsWith('/') || /^https?:\/\//.test(p), {
		message: 'must start with "/" (relative to baseUrl) or be an absolute http(s) URL',
	});
const query = z.record(z.string()).optional();

/** How pages follow each other. */
const paging = z
	.object({
		style: z.enum(['offset', 'page', 'cursor', 'next', 'link', 'none']),
		/** Page size and the parameter that carries it (`limit`, `per_page`). */
		size: z.number().int().positive().default(100),
		sizeParam: z.string().optional(),
		/** offset: `offset`; page: `page`; cursor: `cursor`. */
		param: z.string().optional(),
		/** cursor: where the next cursor is; next: where the next URL is (paths in the body). */
		nextPath: z.string().optional(),
		/** Optional "more pages" flag in the body (exactly false ends the read). */
		hasMorePath: z.string().optional(),
		/** offset: the total count; page: the page count (paths in the body). */
		totalPath: z.string().optional(),
	})
	.strict();

const read = z
	.object({
		path,
		/** Where the records are in the body (empty: the body is the array). */
		recordsPath: z.string().default(''),
		paging: paging.default({ style: 'none' }),
		query,
	})
	.strict();

const timeFormat = z.enum(['iso', 'epochMs', 'epochS']).default('iso');

const batch = z
	.object({
		path,
		method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
		/** Where the items go in the request body (empty: the body is the array). */
		itemsPath: z.string().default('items'),
		/** More body fields; `{key}` in a string value is replaced by the upsert key. */
		body: z.record(z.unknown()).optional(),
		max: z.number().int().positive().default(100),
		/** Where the per-item results are in the answer. */
		resultsPath: z.string().default('results'),
		/** How a result is matched to its item: by position, or by a field holding the item's index. */
		match: z.enum(['order', 'index']).default('order'),
		indexPath: z.string().default('index'),
		/** In a result: the error object (present = failed), its code and message, and the written record. */
		errorPath: z.string().default('error'),
		errorCodePath: z.string().default('code'),
		errorMessagePath: z.string().default('message'),
		recordPath: z.string().optional(),
		/** In a result: the id (when there is no record), and (upserts) whether it was created. */
		idPath: z.string().default('id'),
		createdPath: z.string().optional(),
	})
	.strict();

const write = z
	.object({
		method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).optional(),
		/** `{id}` is the record id; `{key}` / `{value}` the upsert key and its value. */
		path: path.optional(),
		query,
		/** Where the fields go in the body (empty: the body is the fields). */
		bodyPath: z.string().default(''),
		/** Where the written record is in the answer (empty: the body is the record). */
		recordPath: z.string().default(''),
		batch: batch.optional(),
	})
	.strict();

const field = z
	.object({
		name: z.string().min(1),
		type: z
			.enum([
				'string',
				'number',
				'integer',
				'boolean',
				'date',
				'datetime',
				'email',
				'phone',
				'url',
				'picklist',
				'array',
				'reference',
			])
			.default('string'),
		label: z.string().optional(),
		required: z.boolean().default(false),
		unique: z.boolean().default(false),
		/** Matched case-insensitively by the API (an e-mail). */
		caseInsensitive: z.boolean().default(false),
		readOnly: z.boolean().default(false),
		options: z.array(z.string()).optional(),
		maxLength: z.number().int().positive().optional(),
	})
	.strict();

const object = z
	.object({
		label: z.string().optional(),
		list: read,
		changes: read
			.extend({
				/** The "changed since" parameter and how its time is written. */
				sinceParam: z.string().min(1),
				format: timeFormat,
				/** The API's visibility lag: changes younger than this are left for the next call. */
				lagMs: z.number().int().min(0).default(1000),
			})
			.strict(),
		deleted: read
			.extend({
				sinceParam: z.string().min(1),
				format: timeFormat,
				idPath: z.string().default('id'),
				deletedAtPath: z.string().default('deleted_at'),
			})
			.strict()
			.optional(),
		/** Records whose field equals a value: `{field}` in `param` is the field name. Absent: findByKeys unsupported. */
		find: read
			.partial()
			.extend({
				param: z.string().min(1),
				/** The API takes several values at once (the parameter repeated: any of them). */
				multiple: z.boolean().default(false),
			})
			.strict()
			.optional(),
		/** `{id}` is the record id. */
		get: z.object({ path, recordPath: z.string().default('') }).strict(),
		create: write.optional(),
		update: write.optional(),
		upsert: write.extend({ keyParam: z.string().optional() }).strict().optional(),
		delete: write.optional(),
		idPath: z.string().default('id'),
		updatedAtPath: z.string().default('updated_at'),
		/** Needed for the `created` feed (records in creation order, read from `list`). */
		createdAtPath: z.string().optional(),
		fields: z.array(field).optional(),
	})
	.strict();

/** The profile. */
export const profileSchema = z
	.object({
		/** Names the records' `source` (default `rest`). */
		system: z.string().min(1).default('rest'),
		baseUrl: z.string().url().optional(),
		objects: z
			.record(object)
			.refine((o) => Object.keys(o).length > 0, { message: 'name at least one object' }),
	})
	.strict();

export type RestProfile = z.output<typeof profileSchema>;
export type ObjectProfile = RestProfile['objects'][string];
export type ReadEndpoint = z.output<typeof read>;
export type PagingProfile = z.output<typeof paging>;
export type WriteEndpoint = z.output<typeof write> & { keyParam?: string };
export type BatchEndpoint = z.output<typeof batch>;
export type ProfileField = z.output<typeof field>;
export type TimeFormat = z.output<typeof timeFormat>;

/** A profile that does not fit the schema; the message lists each problem with its field path and fix. */
export class ProfileError extends Error {
	constructor(readonly problems: string[]) {
		super(`The endpoint profile is invalid: ${problems.join('; ')}`);
		this.name = 'ProfileError';
	}
}

const PAGING_NEEDS: Record<string, string[]> = {
	cursor: ['nextPath'],
	next: ['nextPath'],
};

/** Checks a profile (an object or JSON text) and fills in the defaults. */
export function parseProfile(input: unknown): RestProfile {
	let value = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch (e) {
			throw new ProfileError([`not JSON (${(e as Error).message}): check the profile text`]);
		}
	}
	const parsed = profileSchema.safeParse(value);
	if (!parsed.success) {
		throw new ProfileError(
			parsed.error.issues.map((i) => {
				const at = i.path.join('.') || '(profile)';
				if (i.code === 'unrecognized_keys')
					return `${at}: unknown field(s) ${i.keys.join(', ')} — remove or rename them`;
				if (i.code === 'invalid_type' && i.received === 'undefined')
					return `${at} is required — add it`;
				return `${at}: ${i.message}`;
			}),
		);
	}
	const problems: string[] = [];
	for (const [name, o] of Object.entries(parsed.data.objects)) {
		const reads = { list: o.list, changes: o.changes, deleted: o.deleted, find: o.find };
		for (const [what, r] of Object.entries(reads)) {
			for (const need of PAGING_NEEDS[r?.paging?.style ?? ''] ?? [])
				if (r?.paging && !r.paging[need as keyof PagingProfile])
					problems.push(
						`objects.${name}.${what}.paging.${need} is required for style ${r.paging.style} — give the path of the next ${r.paging.style === 'next' ? 'URL' : 'cursor'} in the answer`,
					);
		}
		if (!o.get.path.includes('{id}'))
			problems.push(`objects.${name}.get.path must contain {id} (e.g. "/${name}/{id}")`);
		for (const op of ['update', 'delete'] as const) {
			const w = o[op];
			if (w && !w.batch && !w.path?.includes('{id}'))
				problems.push(`objects.${name}.${op}.path must contain {id} (or give a batch endpoint)`);
		}
		if (o.upsert && !o.upsert.batch && !o.upsert.path)
			problems.push(`objects.${name}.upsert needs a path or a batch endpoint`);
	}
	if (problems.length) throw new ProfileError(problems);
	return parsed.data;
}
