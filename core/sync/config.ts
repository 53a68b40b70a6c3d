/**
 * The sync's settings, validated with zod. Every problem names the setting (its path) and how to fix it, e.g.
 * `fields[2].b: required — give the field on side b that "Title" maps to`.
 */
import { z } from 'zod';
import type { CrmConnector } from '../connectors/contract';
import { checkRuleShape, type MappingSpecProblem } from '../records/spec';
import { compileTransform } from '../records/transforms';
import type { Transform } from '../records/types';

export type Direction = 'both' | 'aToB' | 'bToA';
export type Normalize = 'email' | 'text' | 'domain' | 'phone' | 'none';
export type Strategy =
	| 'aWins'
	| 'bWins'
	| 'mostRecent'
	| 'aUnlessBlank'
	| 'bUnlessBlank'
	| 'review'
	| 'custom';
export type ScopeOp = 'equals' | 'notEquals' | 'isEmpty' | 'isNotEmpty' | 'contains' | 'in';

export interface SideConfig {
	connector: CrmConnector;
	objectType: string;
}
export interface MatchKey {
	a: string;
	b: string;
	normalize?: Normalize;
}
export interface FieldPair {
	/** The pair's key in the stored base (default `a/b`, e.g. `Email/email`). */
	key?: string;
	a: string;
	b: string;
	direction?: Direction;
	toB?: Transform[];
	toA?: Transform[];
	conflict?: Strategy;
}
export interface ScopeCondition {
	field: string;
	op: ScopeOp;
	value?: unknown;
}
export interface SyncConfig {
	/** Names the sync in the state store. */
	syncId: string;
	a: SideConfig;
	b: SideConfig;
	direction?: Direction;
	matchKeys: MatchKey[];
	fields: FieldPair[];
	conflict?: Strategy;
	/**
	 * A linked record deleted on one side: `propagate` deletes its partner; `archive` sets `archive[side]` on the
	 * partner (a side without an archive setting: as `ignore`); `ignore` leaves the partner. After `archive` and
	 * `ignore` the pair is excluded from the sync, so the survivor is never re-created on the other side.
	 * Default `ignore`.
	 */
	deletes?: 'ignore' | 'propagate' | 'archive';
	/** `archive`: the field and value set on a record of side a (b) whose partner on the other side was deleted. */
	archive?: { a?: { field: string; value: unknown }; b?: { field: string; value: unknown } };
	deleteGuard?: { maxCount?: number; maxPercent?: number };
	/**
	 * Per side, conditions a record must meet (all of them) to be linked or created on the other side; a pair
	 * already linked keeps syncing when a record leaves the scope.
	 */
	scope?: { a?: ScopeCondition[]; b?: ScopeCondition[] };
	dryRun?: boolean;
}

/** The config with defaults filled in and each pair's key set. */
export interface ResolvedConfig extends SyncConfig {
	direction: Direction;
	conflict: Strategy;
	deletes: 'ignore' | 'propagate' | 'archive';
	fields: Array<FieldPair & { key: string; direction: Direction }>;
	scope: { a: ScopeCondition[]; b: ScopeCondition[] };
	dryRun: boolean;
}

const name = (what: string) =>
	z
		.string({ required_error: `required — ${what}`, invalid_type_error: `must be text — ${what}` })
		.trim()
		.min(1, `must not be empty — ${what}`);
const strategies = [
	'aWins',
	'bWins',
	'mostRecent',
	'aUnlessBlank',
	'bUnlessBlank',
	'review',
	'custom',
] as const;
const directions = ['both', 'aToB', 'bToA'] as const;
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
	z.enum(values, {
		errorMap: () => ({ message: `must be one of ${values.map((v) => `"${v}"`).join(', ')}` }),
	});
const transforms = z.array(
	z.object({ type: z.string({ required_error: 'required — the transform type' }) }).passthrough(),
	{ invalid_type_error: 'must be a list of transforms' },
);
const side = (s: string) =>
	z.object(
		{
			connector: z.custom<CrmConnector>(
				(c) =>
					typeof c === 'object' &&
					c !== null &&
					typeof (c as CrmConnector).write === 'function' &&
					typeof (c as CrmConnector).changesSince === 'function',
				{ message: `must be a CRM connector (the contract's CrmConnector) for side ${s}` },
			),
			objectType: name(`the object type on side ${s}, e.g. "Contact" or "contacts"`),
		},
		{ required_error: `required — give side ${s}: { connector, objectType }` },
	);
const condition = z.object({
	field: name('the field the condition reads'),
	op: oneOf(['equals', 'notEquals', 'isEmpty', 'isNotEmpty', 'contains', 'in'] as const),
	value: z.unknown().optional(),
});
const archiveSet = z.object({ field: name('the field to set'), value: z.unknown() });

const schema = z
	.object({
		syncId: name('a name for this sync in the state store'),
		a: side('a'),
		b: side('b'),
		direction: oneOf(directions).default('both'),
		matchKeys: z
			.array(
				z.object({
					a: name('the key field on side a, e.g. "Email"'),
					b: name('the key field on side b, e.g. "email"'),
					normalize: oneOf(['email', 'text', 'domain', 'phone', 'none'] as const).optional(),
				}),
				{
					required_error:
						'required — add a match key pair (a field of side a and one of side b) to match records by',
				},
			)
			.min(
				1,
				'must have at least one match key pair (a field of side a and one of side b) to match records by',
			),
		fields: z
			.array(
				z.object({
					key: name('a unique key for the pair').optional(),
					a: name('the field on side a'),
					b: name('the field on side b'),
					direction: oneOf(directions).optional(),
					toB: transforms.optional(),
					toA: transforms.optional(),
					conflict: oneOf(strategies).optional(),
				}),
				{
					required_error:
						'required — list the field pairs (a field of side a and one of side b) to sync',
				},
			)
			.min(1, 'must list at least one field pair (a field of side a and one of side b) to sync'),
		conflict: oneOf(strategies).default('review'),
		deletes: oneOf(['ignore', 'propagate', 'archive'] as const).default('ignore'),
		archive: z.object({ a: archiveSet.optional(), b: archiveSet.optional() }).optional(),
		deleteGuard: z
			.object({
				maxCount: z.number().int().min(0, 'must be 0 or more').optional(),
				maxPercent: z.number().min(0).max(100, 'must be a percentage 0–100').optional(),
			})
			.optional(),
		scope: z
			.object({ a: z.array(condition).default([]), b: z.array(condition).default([]) })
			.default({}),
		dryRun: z.boolean().default(false),
	})
	.superRefine((c, ctx) => {
		const keys = new Set<string>();
		c.fields.forEach((f, i) => {
			const key = f.key ?? `${f.a}/${f.b}`;
			if (keys.has(key))
				ctx.addIssue({
					code: 'custom',
					path: ['fields', i, 'key'],
					message: `"${key}" is used twice — give each field pair its own key`,
				});
			keys.add(key);
			const d = f.direction ?? c.direction;
			if (c.direction !== 'both' && d !== c.direction)
				ctx.addIssue({
					code: 'custom',
					path: ['fields', i, 'direction'],
					message: `"${d}" goes against the sync's direction "${c.direction}" — remove it or set the sync's direction to "both"`,
				});
		});
		if (c.deletes === 'archive' && !c.archive?.a && !c.archive?.b)
			ctx.addIssue({
				code: 'custom',
				path: ['archive'],
				message:
					'required when deletes is "archive" — give the field and the value to set on the surviving record, for side a (archive.a) and/or side b (archive.b)',
			});
		(['a', 'b'] as const).forEach((s) =>
			c.scope[s].forEach((cond, i) => {
				const needs = cond.op !== 'isEmpty' && cond.op !== 'isNotEmpty';
				if (needs && cond.value === undefined)
					ctx.addIssue({
						code: 'custom',
						path: ['scope', s, i, 'value'],
						message: `required for "${cond.op}" — give the value to compare with`,
					});
				if (cond.op === 'in' && cond.value !== undefined && !Array.isArray(cond.value))
					ctx.addIssue({
						code: 'custom',
						path: ['scope', s, i, 'value'],
						message: 'must be a list of values for "in"',
					});
			}),
		);
	});

/** A config that does not validate; `problems` lists `path: message` lines. */
export class SyncConfigError extends Error {
	constructor(readonly problems: string[]) {
		super(`Invalid sync config:\n${problems.map((p) => `- ${p}`).join('\n')}`);
		this.name = 'SyncConfigError';
	}
}

const pathText = (path: Array<string | number>) =>
	path.reduce<string>(
		(out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p),
		'',
	) || '(config)';

/** The transforms' own checks (shape per type, then compiling: bad regex, date format, time zone). */
function transformProblems(fields: FieldPair[]): string[] {
	const out: string[] = [];
	fields.forEach((f, i) =>
		(['toB', 'toA'] as const).forEach((dir) => {
			const steps = f[dir];
			if (!steps?.length) return;
			const found: MappingSpecProblem[] = [];
			const shaped = checkRuleShape({ target: 'x', source: 'x', transforms: steps }, 0, found);
			for (const p of found)
				out.push(`fields[${i}].${dir}: ${p.message.replace(/^rule 1[^:]*: /, '')}`);
			if (!shaped) return;
			steps.forEach((t, j) => {
				try {
					compileTransform(t, { fixInput: '' });
				} catch (error) {
					out.push(`fields[${i}].${dir}[${j}]: ${(error as Error).message}`);
				}
			});
		}),
	);
	return out;
}

/** Validates and fills defaults; throws {@link SyncConfigError} naming every bad setting and its fix. */
export function resolveConfig(config: SyncConfig): ResolvedConfig {
	const parsed = schema.safeParse(config);
	if (!parsed.success)
		throw new SyncConfigError(parsed.error.issues.map((i) => `${pathText(i.path)}: ${i.message}`));
	const c = parsed.data;
	const problems = transformProblems(config.fields);
	if (problems.length) throw new SyncConfigError(problems);
	return {
		...config,
		...c,
		a: config.a,
		b: config.b,
		fields: c.fields.map((f, i) => ({
			...config.fields[i],
			key: f.key ?? `${f.a}/${f.b}`,
			direction: f.direction ?? c.direction,
		})),
	} as ResolvedConfig;
}

/** The fields the sync reads on a side: mapped fields, match keys and scope fields (each once). */
export function syncedFields(cfg: ResolvedConfig, side: 'a' | 'b'): string[] {
	return [
		...new Set([
			...cfg.fields.map((f) => f[side]),
			...cfg.matchKeys.map((k) => k[side]),
			...cfg.scope[side].map((c) => c.field),
		]),
	];
}
