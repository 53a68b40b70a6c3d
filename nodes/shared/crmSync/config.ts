/**
 * The node's parameters as the engine's `SyncConfig`, and the engine's setting paths (`fields[2].b`) in the
 * words of the node's parameters ("Field Mappings › mapping 3 › Field B"), so a problem names what to fix.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Transform } from '../../../core/records/types';
import type {
	Direction,
	FieldPair,
	MatchKey,
	Normalize,
	ScopeCondition,
	ScopeOp,
	Strategy,
	SyncConfig,
} from '../../../core/sync';
import { buildOwnerMap, ownerTransforms } from '../../../core/sync/owners';
import type { SideConnection } from './sides';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The named transforms, then the value map as whole-value replacements (values not in the map pass). */
function transformsOf(
	ctx: IExecuteFunctions,
	names: unknown,
	map: unknown,
	where: string,
): Transform[] {
	const steps: Transform[] = ((names as string[] | undefined) ?? []).map(
		(type) => ({ type }) as Transform,
	);
	let table: unknown = map;
	if (typeof map === 'string') {
		try {
			table = map.trim() === '' ? {} : JSON.parse(map);
		} catch {
			table = undefined;
		}
	}
	if (table === null || typeof table !== 'object' || Array.isArray(table))
		throw new NodeOperationError(
			ctx.getNode(),
			`${where}: is not a JSON object — write it like {"Prospect": "lead"}, or {} for none`,
		);
	for (const [from, to] of Object.entries(table as Record<string, unknown>))
		steps.push({
			type: 'replace',
			pattern: `^${escapeRegex(from)}$`,
			replacement: String(to ?? '').replace(/\$/g, '$$$$'),
			regex: true,
		});
	return steps;
}

const listOf = (raw: unknown, key: string) =>
	((raw as IDataObject | undefined)?.[key] as IDataObject[] | undefined) ?? [];

function scopeOf(raw: unknown): ScopeCondition[] {
	return listOf(raw, 'conditions').map((c) => {
		const op = String(c.op ?? 'equals') as ScopeOp;
		const value = c.value === undefined ? undefined : String(c.value);
		if (op === 'isEmpty' || op === 'isNotEmpty') return { field: String(c.field ?? ''), op };
		return {
			field: String(c.field ?? ''),
			op,
			value:
				op === 'in'
					? (value ?? '')
							.split(',')
							.map((v) => v.trim())
							.filter(Boolean)
					: (value ?? ''),
		};
	});
}

/** Reads the node's parameters into a sync config (owner maps read from both CRMs when a mapping asks for one). */
export async function buildConfig(
	ctx: IExecuteFunctions,
	sides: { a: SideConnection; b: SideConnection },
	syncId: string,
	dryRun: boolean,
): Promise<SyncConfig> {
	const p = (name: string, fallback?: unknown) => ctx.getNodeParameter(name, 0, fallback);
	const matchKeys: MatchKey[] = listOf(p('matchKeys', {}), 'keys').map((k) => ({
		a: String(k.fieldA ?? ''),
		b: String(k.fieldB ?? ''),
		normalize: String(k.normalize ?? 'text') as Normalize,
	}));
	const mappings = listOf(p('fieldMappings', {}), 'mappings');
	const owners = mappings.some((m) => m.mapOwners === true)
		? await buildOwnerMap(sides.a.crm, sides.b.crm)
		: undefined;
	const fields: FieldPair[] = mappings.map((m, i) => {
		const where = `Field Mappings › Mapping ${i + 1}`;
		const pair: FieldPair = { a: String(m.fieldA ?? ''), b: String(m.fieldB ?? '') };
		if (m.direction && m.direction !== 'default') pair.direction = m.direction as Direction;
		if (m.conflict && m.conflict !== 'default') pair.conflict = m.conflict as Strategy;
		const toB = transformsOf(
			ctx,
			m.transformsToB,
			m.valueMapToB ?? '{}',
			`${where} › Value Map A → B`,
		);
		const toA = transformsOf(
			ctx,
			m.transformsToA,
			m.valueMapToA ?? '{}',
			`${where} › Value Map B → A`,
		);
		if (owners) {
			const own = m.mapOwners === true ? ownerTransforms(owners) : undefined;
			if (own) {
				toB.unshift(...own.toB);
				toA.unshift(...own.toA);
			}
		}
		if (toB.length) pair.toB = toB;
		if (toA.length) pair.toA = toA;
		return pair;
	});
	const deletes = p('deletes', 'ignore') as SyncConfig['deletes'];
	const archive: SyncConfig['archive'] = {};
	if (deletes === 'archive')
		for (const s of ['A', 'B'] as const) {
			const field = String(p(`archiveField${s}`, '') ?? '').trim();
			if (field) archive[s === 'A' ? 'a' : 'b'] = { field, value: p(`archiveValue${s}`, '') };
		}
	const maxCount = Number(p('maxDeletes', 100)) || undefined;
	const maxPercent = Number(p('maxDeletePercent', 10)) || undefined;
	return {
		syncId,
		a: { connector: sides.a.crm, objectType: String(p('objectA', '')) },
		b: { connector: sides.b.crm, objectType: String(p('objectB', '')) },
		direction: p('direction', 'both') as Direction,
		matchKeys,
		fields,
		conflict: p('conflictStrategy', 'review') as Strategy,
		deletes,
		...(deletes === 'archive' ? { archive } : {}),
		...(deletes === 'ignore' ? {} : { deleteGuard: { maxCount, maxPercent } }),
		scope: { a: scopeOf(p('filtersA', {})), b: scopeOf(p('filtersB', {})) },
		dryRun,
	};
}

const FIELD_NAMES: Record<string, string> = {
	a: 'Side A Field',
	b: 'Side B Field',
	direction: 'Direction',
	conflict: 'Conflict Rule',
	toB: 'Transforms / Value Map A → B',
	toA: 'Transforms / Value Map B → A',
	key: 'Side A Field / Side B Field (used twice)',
	normalize: 'Normalize',
	field: 'Field',
	op: 'Operator',
	value: 'Value',
};

/** An engine setting path in the words of the node's parameters. */
export function parameterName(path: string): string {
	let m = /^fields\[(\d+)\]\.(\w+)/.exec(path);
	if (m) return `Field Mappings › Mapping ${Number(m[1]) + 1} › ${FIELD_NAMES[m[2]] ?? m[2]}`;
	m = /^matchKeys\[(\d+)\]\.(\w+)/.exec(path);
	if (m) return `Match Keys › Key ${Number(m[1]) + 1} › ${FIELD_NAMES[m[2]] ?? m[2]}`;
	m = /^scope\.(a|b)\[(\d+)\]\.(\w+)/.exec(path);
	if (m)
		return `Inclusion Filters ${m[1].toUpperCase()} › Condition ${Number(m[2]) + 1} › ${FIELD_NAMES[m[3]] ?? m[3]}`;
	m = /^archive\.(a|b)\.field/.exec(path);
	if (m) return `Archive Field ${m[1].toUpperCase()}`;
	m = /^(a|b)\.objectType/.exec(path);
	if (m) return `Side ${m[1].toUpperCase()} Object`;
	const top: Record<string, string> = {
		syncId: 'Sync ID',
		matchKeys: 'Match Keys',
		fields: 'Field Mappings',
		conflict: 'Conflict Strategy',
		direction: 'Direction',
		deletes: 'Deletes',
		archive: 'Archive Field A / B',
		deleteGuard: 'Max Deletes',
	};
	const head = /^(\w+)/.exec(path)?.[1] ?? path;
	return top[head] ?? path;
}

/** The engine's words for settings, as the node's options show them. */
const WORDS: Array<[RegExp, string]> = [
	[/"aToB"/g, '"A → B"'],
	[/"bToA"/g, '"B → A"'],
	[/"both"/g, '"Both Ways (A ↔ B)"'],
	[/give each field pair its own key/g, 'remove the duplicate mapping'],
	[
		/at least one match key pair \(a field of side a and one of side b\) to match records by/g,
		'at least one key — click Add Match Key',
	],
	[
		/list at least one field pair \(a field of side a and one of side b\) to sync/g,
		'list at least one field — click Add Field Mapping',
	],
	[
		/add a match key pair \(a field of side a and one of side b\) to match records by/g,
		'click Add Match Key',
	],
	[
		/list the field pairs \(a field of side a and one of side b\) to sync/g,
		'click Add Field Mapping',
	],
	[/"in"/g, '"Is One Of"'],
	[/"isEmpty"/g, '"Is Empty"'],
	[/"isNotEmpty"/g, '"Is Not Empty"'],
	[/"notEquals"/g, '"Not Equals"'],
	[/"equals"/g, '"Equals"'],
	[/"contains"/g, '"Contains"'],
	[/\bside a\b/g, 'side A'],
	[/\bside b\b/g, 'side B'],
];

/** A problem line of the engine (`path: message`) with the parameter's name in front of it. */
export function describeProblem(problem: string): string {
	const at = problem.indexOf(': ');
	if (at < 0) return problem;
	const path = problem.slice(0, at);
	const message = WORDS.reduce((m, [from, to]) => m.replace(from, to), problem.slice(at + 2));
	return `${parameterName(path)}: ${message}`;
}
