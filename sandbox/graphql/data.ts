/**
 * Records of the GraphQL simulator as the API shows them: opaque global IDs (`base64("Contact:12")`), opaque
 * cursors, Relay connections cut from a sorted list, input validation with one message per bad field, and
 * deterministic sample data.
 */
import { GraphQLError } from 'graphql';
import { SeededRandom, type Collection, type StoredRecord } from '../kit';
import {
	SAMPLE_COMPANY_KINDS,
	SAMPLE_COMPANY_WORDS,
	SAMPLE_FIRST_NAMES,
	SAMPLE_LAST_NAMES,
} from '../kit/sampleNames';

export type TypeName = 'Contact' | 'Company';

/** The opaque global ID of a record. */
export function globalId(type: TypeName, id: string): string {
	return Buffer.from(`${type}:${id}`).toString('base64');
}

/** The type and store id behind a global ID, or undefined when it is not one of ours. */
export function parseGlobalId(value: string): { type: TypeName; id: string } | undefined {
	const decoded = Buffer.from(value, 'base64').toString('utf8');
	const m = /^(Contact|Company):(\d+)$/.exec(decoded);
	if (!m || globalId(m[1] as TypeName, m[2]) !== value) return undefined;
	return { type: m[1] as TypeName, id: m[2] };
}

/** A GraphQL error with `extensions.code` (and more extensions). */
export function gqlError(
	message: string,
	code: string,
	extensions: Record<string, unknown> = {},
): GraphQLError {
	return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Page size limits of connections. */
export interface PageLimits {
	defaultSize: number;
	maxSize: number;
}

/** A Relay connection (edges + nodes + pageInfo + totalCount) over already sorted, filtered items. */
export interface Connection<T> {
	edges: Array<{ cursor: string; node: T }>;
	nodes: T[];
	pageInfo: {
		hasNextPage: boolean;
		hasPreviousPage: boolean;
		startCursor: string | null;
		endCursor: string | null;
	};
	totalCount: number;
}

/**
 * Cuts a page from `items` (sorted by `keyOf`, ascending): the items after the cursor's key, at most `first`.
 * The cursor holds the sort key of the last item, so writes between pages never shift or repeat records.
 */
export function connection<S, T>(
	items: readonly S[],
	args: { first?: number | null; after?: string | null },
	keyOf: (item: S) => number[],
	toNode: (item: S) => T,
	limits: PageLimits,
	field: string,
): Connection<T> {
	const first = args.first ?? limits.defaultSize;
	if (first < 0 || first > limits.maxSize) {
		throw gqlError(
			`Requesting ${first} records on the \`${field}\` connection is not allowed: \`first\` must be between 0 and ${limits.maxSize}.`,
			'BAD_USER_INPUT',
			{ argumentName: 'first', maxPageSize: limits.maxSize },
		);
	}
	let start = 0;
	if (args.after !== undefined && args.after !== null) {
		const key = decodeCursor(args.after);
		if (!key)
			throw gqlError(
				`\`after\` is not a valid cursor: ${JSON.stringify(args.after)}`,
				'BAD_USER_INPUT',
				{
					argumentName: 'after',
				},
			);
		start = lowerBoundAfter(items, key, keyOf);
	}
	const page = items.slice(start, start + first);
	const edges = page.map((item) => ({ cursor: encodeCursor(keyOf(item)), node: toNode(item) }));
	return {
		edges,
		nodes: edges.map((e) => e.node),
		pageInfo: {
			hasNextPage: start + page.length < items.length,
			hasPreviousPage: start > 0,
			startCursor: edges[0]?.cursor ?? null,
			endCursor: edges[edges.length - 1]?.cursor ?? null,
		},
		totalCount: items.length,
	};
}

function encodeCursor(key: number[]): string {
	return Buffer.from(`cursor:v1:${key.join(':')}`).toString('base64');
}

function decodeCursor(cursor: string): number[] | undefined {
	const m = /^cursor:v1:(-?\d+(?::-?\d+)*)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
	return m ? m[1].split(':').map(Number) : undefined;
}

function compareKeys(a: number[], b: number[]): number {
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const d = (a[i] ?? 0) - (b[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/** Index of the first item whose key is greater than `key` (binary search). */
function lowerBoundAfter<S>(
	items: readonly S[],
	key: number[],
	keyOf: (item: S) => number[],
): number {
	let lo = 0;
	let hi = items.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (compareKeys(keyOf(items[mid]), key) <= 0) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** One invalid input field. */
export interface FieldProblem {
	field: string;
	message: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_NAME = 80;

/**
 * Checks a `ContactInput` (already type-coerced by GraphQL) against the rules types cannot express. Returns the
 * store fields to write and one problem per bad field.
 */
export function checkContactInput(
	input: Record<string, unknown>,
	options: { create: boolean; contacts: Collection; companies: Collection; selfId?: string },
): { fields: Record<string, unknown>; problems: FieldProblem[] } {
	const problems: FieldProblem[] = [];
	const fields: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(input)) {
		if (name !== 'companyId') fields[name] = value;
	}
	const email = input.email;
	if (email === undefined || email === null || email === '') {
		if (options.create || email !== undefined)
			problems.push({ field: 'email', message: 'email is required' });
	} else if (typeof email !== 'string' || !EMAIL.test(email)) {
		problems.push({
			field: 'email',
			message: `email ${JSON.stringify(email)} is not a valid e-mail address`,
		});
	} else {
		const owner = options.contacts
			.findBy('email', email, { caseInsensitive: true })
			.find((r) => r.id !== options.selfId);
		if (owner)
			problems.push({
				field: 'email',
				message: `email ${JSON.stringify(email)} is already used by contact ${globalId('Contact', owner.id)}`,
			});
	}
	for (const name of ['firstName', 'lastName'] as const) {
		const v = input[name];
		if (typeof v === 'string' && v.length > MAX_NAME)
			problems.push({
				field: name,
				message: `${name} is longer than ${MAX_NAME} characters (${v.length})`,
			});
	}
	const score = input.score;
	if (typeof score === 'number' && (score < 0 || score > 100))
		problems.push({ field: 'score', message: `score must be between 0 and 100 (got ${score})` });
	if (input.companyId !== undefined) {
		if (input.companyId === null) fields.companyId = null;
		else {
			const ref = parseGlobalId(String(input.companyId));
			if (!ref || ref.type !== 'Company' || !options.companies.get(ref.id))
				problems.push({
					field: 'companyId',
					message: `companyId ${JSON.stringify(input.companyId)} is not the ID of an existing company`,
				});
			else fields.companyId = ref.id;
		}
	}
	return { fields, problems };
}

/** The GraphQL error of an invalid input: the first problem in the message, all of them in `extensions.fields`. */
export function inputError(problems: FieldProblem[], argumentName = 'input'): GraphQLError {
	const conflict = problems.find((p) => p.message.includes('already used'));
	return gqlError(
		`Invalid ${argumentName}: ${problems.map((p) => p.message).join('; ')}`,
		conflict && problems.length === 1 ? 'CONFLICT' : 'BAD_USER_INPUT',
		{ argumentName, field: problems[0].field, fields: problems },
	);
}

/** A contact as the API shows it (`company` resolved lazily in schema.ts). */
export function contactNode(r: StoredRecord): Record<string, unknown> {
	const f = r.fields;
	return {
		__typename: 'Contact',
		id: globalId('Contact', r.id),
		email: f.email,
		firstName: f.firstName ?? null,
		lastName: f.lastName ?? null,
		phone: f.phone ?? null,
		lifecycleStage: f.lifecycleStage ?? null,
		score: f.score ?? null,
		subscribed: f.subscribed ?? false,
		tags: f.tags ?? [],
		companyId: f.companyId ?? null,
		createdAt: r.createdAt,
		updatedAt: r.updatedAt,
	};
}

/** A company as the API shows it (`contacts` resolved in schema.ts). */
export function companyNode(r: StoredRecord): Record<string, unknown> {
	const f = r.fields;
	return {
		__typename: 'Company',
		id: globalId('Company', r.id),
		storeId: r.id,
		name: f.name,
		domain: f.domain ?? null,
		industry: f.industry ?? null,
		employees: f.employees ?? null,
		createdAt: r.createdAt,
		updatedAt: r.updatedAt,
	};
}

const STAGES = ['SUBSCRIBER', 'LEAD', 'OPPORTUNITY', 'CUSTOMER', 'OTHER'];
const TAGS = ['newsletter', 'vip', 'partner', 'trial', 'churn-risk'];

/** Sample company number `i`. */
export function seedCompany(rng: SeededRandom, i: number): Record<string, unknown> {
	const name = `${rng.pick(SAMPLE_COMPANY_WORDS)} ${rng.pick(SAMPLE_COMPANY_KINDS)} ${i + 1}`;
	return {
		name,
		domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`,
		industry: rng.pick(['Software', 'Retail', 'Finance', 'Healthcare']),
		employees: rng.int(1, 5000),
	};
}

/** Sample contact number `i` (unique e-mail per number). */
export function seedContact(
	rng: SeededRandom,
	i: number,
	companyIds: readonly string[],
): Record<string, unknown> {
	const first = rng.pick(SAMPLE_FIRST_NAMES);
	const last = rng.pick(SAMPLE_LAST_NAMES);
	return {
		email: `${first}.${last}.${i + 1}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
		firstName: first,
		lastName: last,
		phone: `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}`,
		lifecycleStage: rng.pick(STAGES),
		score: rng.int(0, 100),
		subscribed: rng.chance(0.6),
		tags: rng.chance(0.5) ? [rng.pick(TAGS)] : [],
		companyId: companyIds.length > 0 ? rng.pick(companyIds) : null,
	};
}
