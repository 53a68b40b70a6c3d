/**
 * CRM search (`POST /crm/v3/objects/{type}/search`): validation of the request against HubSpot's limits
 * and evaluation of filter groups (OR of ANDed filters), `query`, and sorting. Numeric and date
 * properties compare as numbers (dates as epoch ms), everything else as case-insensitive text.
 */
import { HttpError, type StoredRecord } from '../kit';
import { comparable, parseDateTime, type ObjectTypeDef, type PropertyDef } from './schema';

/** HubSpot's search limits (all configurable on the simulator). */
export interface SearchLimits {
	/** Filter groups per request (5). */
	maxFilterGroups: number;
	/** Filters per group (10). */
	maxFiltersPerGroup: number;
	/** Filters across all groups (25). */
	maxFilters: number;
	/** Page size (200). */
	maxLimit: number;
	/** No result past this position (10,000). */
	maxResults: number;
}

/** The limits since August 2024 (HubSpot developer changelog) and the documented page/total caps. */
export const DEFAULT_SEARCH_LIMITS: SearchLimits = {
	maxFilterGroups: 5,
	maxFiltersPerGroup: 10,
	maxFilters: 25,
	maxLimit: 200,
	maxResults: 10_000,
};

/** Supported filter operators. */
export const OPERATORS = [
	'EQ',
	'NEQ',
	'LT',
	'LTE',
	'GT',
	'GTE',
	'BETWEEN',
	'IN',
	'NOT_IN',
	'HAS_PROPERTY',
	'NOT_HAS_PROPERTY',
	'CONTAINS_TOKEN',
	'NOT_CONTAINS_TOKEN',
] as const;

type Operator = (typeof OPERATORS)[number];

/** Reads a record's value of a property (stored fields plus computed ones such as `hs_object_id`). */
export type ValueGetter = (record: StoredRecord, property: string) => string | null;

/** A validated search. */
export interface ParsedSearch {
	/** Matches a record. */
	matches: (record: StoredRecord) => boolean;
	/** Puts matches in result order (sorts the array in place or returns a new one). */
	order: (records: StoredRecord[]) => StoredRecord[];
	limit: number;
	after: number;
	properties?: string[];
	/** Stable key of the filter/sort/query part (for result caching). */
	key: string;
}

function invalid(message: string, extra?: Record<string, unknown>): HttpError {
	return new HttpError(400, message, 'VALIDATION_ERROR', extra);
}

function tokens(text: string): string[] {
	return text
		.toLowerCase()
		.split(/[^\p{L}\p{N}]+/u)
		.filter((x) => x !== '');
}

function globRegex(pattern: string): RegExp {
	const body = pattern
		.toLowerCase()
		.split('*')
		.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
		.join('.*');
	return new RegExp(`^${body}$`);
}

function compareValues(a: number | string, b: number | string): number {
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	const x = String(a);
	const y = String(b);
	return x < y ? -1 : x > y ? 1 : 0;
}

function filterValue(p: PropertyDef | undefined, raw: unknown, where: string): number | string {
	if (raw === undefined || raw === null || typeof raw === 'object')
		throw invalid(`${where}: a value is required`);
	const s = String(raw);
	if (p && (p.type === 'date' || p.type === 'datetime')) {
		const ms = parseDateTime(s);
		if (ms === undefined)
			throw invalid(
				`${where}: ${s} is not a valid ${p.type} for ${p.name} (use epoch milliseconds or ISO 8601)`,
			);
		return ms;
	}
	if (p && p.type === 'number') {
		const x = Number(s);
		if (s.trim() === '' || Number.isNaN(x))
			throw invalid(`${where}: ${s} is not a valid number for ${p.name}`);
		return x;
	}
	if (p && p.type === 'bool') return s.toLowerCase();
	return s.toLowerCase();
}

/**
 * Resolves `associations.{type}` pseudo-properties (e.g. `associations.company`) to a function listing the
 * ids a record is associated with, or undefined for an unknown type.
 */
export type AssociationResolver = (
	objectType: string,
) => ((record: StoredRecord) => string[]) | undefined;

/** Validates a search body and compiles it. Throws HubSpot-shaped 400s. */
export function parseSearch(
	def: ObjectTypeDef,
	body: unknown,
	get: ValueGetter,
	limits: SearchLimits,
	associated?: AssociationResolver,
): ParsedSearch {
	if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
		throw invalid('The search request body must be a JSON object');
	const b = (body ?? {}) as Record<string, unknown>;
	const groupsRaw = b.filterGroups ?? [];
	if (!Array.isArray(groupsRaw)) throw invalid('filterGroups must be an array');
	if (groupsRaw.length > limits.maxFilterGroups) {
		throw invalid(
			`Too many filter groups: ${groupsRaw.length}. A search may have at most ${limits.maxFilterGroups} filterGroups.`,
		);
	}
	let total = 0;
	const groups: Array<Array<(r: StoredRecord) => boolean>> = groupsRaw.map((g, gi) => {
		const filters = (g as { filters?: unknown } | null)?.filters ?? [];
		if (!Array.isArray(filters)) throw invalid(`filterGroups[${gi}].filters must be an array`);
		if (filters.length > limits.maxFiltersPerGroup) {
			throw invalid(
				`Too many filters in filterGroups[${gi}]: ${filters.length}. A filter group may have at most ${limits.maxFiltersPerGroup} filters.`,
			);
		}
		total += filters.length;
		return filters.map((f, fi) =>
			compileFilter(def, f, `filterGroups[${gi}].filters[${fi}]`, get, associated),
		);
	});
	if (total > limits.maxFilters)
		throw invalid(
			`Too many filters: ${total}. A search may have at most ${limits.maxFilters} filters across all filterGroups.`,
		);

	const query =
		typeof b.query === 'string' && b.query.trim() !== ''
			? b.query.trim().toLowerCase().split(/\s+/)
			: undefined;
	const searchable = def.searchableProperties;
	const matchesQuery = (r: StoredRecord): boolean => {
		if (!query) return true;
		return query.every((word) =>
			searchable.some((prop) => {
				const v = get(r, prop);
				if (v === null) return false;
				const lower = v.toLowerCase();
				return (
					lower.startsWith(word) ||
					lower.includes(word) ||
					tokens(v).some((tk) => tk.startsWith(word))
				);
			}),
		);
	};

	const limit = b.limit === undefined || b.limit === null ? 10 : Number(b.limit);
	if (!Number.isInteger(limit) || limit < 0)
		throw invalid(`limit must be a non-negative integer, got ${JSON.stringify(b.limit)}`);
	if (limit > limits.maxLimit)
		throw invalid(`limit must be at most ${limits.maxLimit}, got ${limit}`);
	const afterRaw =
		b.after === undefined || b.after === null || b.after === '' ? '0' : String(b.after);
	if (!/^\d+$/.test(afterRaw))
		throw invalid(
			`after must be the paging token from a previous page (a non-negative integer), got ${JSON.stringify(b.after)}`,
		);
	const after = Number(afterRaw);

	const sortsRaw = b.sorts ?? [];
	if (!Array.isArray(sortsRaw)) throw invalid('sorts must be an array');
	if (sortsRaw.length > 1)
		throw invalid(`Only one sort is supported per search request, got ${sortsRaw.length}`);
	const sorts = sortsRaw.map((s, i) => {
		let name: string;
		let desc: boolean;
		if (typeof s === 'string') {
			desc = s.startsWith('-');
			name = desc ? s.slice(1) : s;
		} else {
			const o = (s ?? {}) as { propertyName?: unknown; direction?: unknown };
			if (typeof o.propertyName !== 'string') throw invalid(`sorts[${i}].propertyName is required`);
			name = o.propertyName;
			const dir = o.direction ?? 'ASCENDING';
			if (dir !== 'ASCENDING' && dir !== 'DESCENDING')
				throw invalid(
					`sorts[${i}].direction must be ASCENDING or DESCENDING, got ${JSON.stringify(dir)}`,
				);
			desc = dir === 'DESCENDING';
		}
		const p = def.properties.get(name);
		if (!p || p.archived)
			throw invalid(`sorts[${i}]: property ${name} does not exist on ${def.name}`);
		return { name, p, desc };
	});
	const sort = sorts[0];
	/** Sorts matches: one key computation per record, then a numeric/text sort; ties and the default order are by id. */
	const order = (records: StoredRecord[]): StoredRecord[] => {
		if (!sort || (sort.name === 'hs_object_id' && !sort.desc))
			return records.sort((a, c) => Number(a.id) - Number(c.id));
		const keyed = records.map((r) => {
			const v = get(r, sort.name);
			return { r, id: Number(r.id), k: v === null ? null : comparable(sort.p, v) };
		});
		keyed.sort((a, c) => {
			if (a.k === null || c.k === null)
				return a.k === null && c.k === null ? a.id - c.id : a.k === null ? 1 : -1;
			const d = compareValues(a.k, c.k);
			return d !== 0 ? (sort.desc ? -d : d) : a.id - c.id;
		});
		return keyed.map((x) => x.r);
	};

	let properties: string[] | undefined;
	if (b.properties !== undefined) {
		if (!Array.isArray(b.properties) || !b.properties.every((x) => typeof x === 'string'))
			throw invalid('properties must be an array of property names');
		properties = b.properties as string[];
	}

	const matches = (r: StoredRecord) =>
		(groups.length === 0 || groups.some((fs) => fs.every((f) => f(r)))) && matchesQuery(r);
	const key = JSON.stringify([
		def.objectTypeId,
		b.filterGroups ?? [],
		b.sorts ?? [],
		b.query ?? null,
	]);
	return { matches, order, limit, after, properties, key };
}

function compileFilter(
	def: ObjectTypeDef,
	raw: unknown,
	where: string,
	get: ValueGetter,
	associated?: AssociationResolver,
): (r: StoredRecord) => boolean {
	if (typeof raw !== 'object' || raw === null) throw invalid(`${where} must be an object`);
	const f = raw as {
		propertyName?: unknown;
		operator?: unknown;
		value?: unknown;
		values?: unknown;
		highValue?: unknown;
	};
	if (typeof f.propertyName !== 'string' || f.propertyName === '')
		throw invalid(`${where}.propertyName is required`);
	const op = (f.operator ?? 'EQ') as Operator;
	if (!(OPERATORS as readonly string[]).includes(op)) {
		throw invalid(
			`${where}.operator ${JSON.stringify(f.operator)} is not supported; use one of ${OPERATORS.join(', ')}`,
		);
	}
	const name = f.propertyName;
	if (name.startsWith('associations.')) return associationFilter(name, op, f, where, associated);
	const p = def.properties.get(name);
	if (!p || p.archived) throw invalid(`${where}: property ${name} does not exist on ${def.name}`);
	const value = (r: StoredRecord) => get(r, name);
	const cmp = (v: string) => comparable(p, v);
	const multi = p.type === 'enumeration' && p.fieldType === 'checkbox';
	const eq = (v: string, target: number | string) =>
		multi
			? v.split(';').some((x) => compareValues(cmp(x), target) === 0)
			: compareValues(cmp(v), target) === 0;
	switch (op) {
		case 'HAS_PROPERTY':
			return (r) => value(r) !== null;
		case 'NOT_HAS_PROPERTY':
			return (r) => value(r) === null;
		case 'EQ':
		case 'NEQ': {
			const target = filterValue(p, f.value, where);
			return op === 'EQ'
				? (r) => {
						const v = value(r);
						return v !== null && eq(v, target);
					}
				: (r) => {
						const v = value(r);
						return v === null || !eq(v, target);
					};
		}
		case 'LT':
		case 'LTE':
		case 'GT':
		case 'GTE': {
			const target = filterValue(p, f.value, where);
			const test =
				op === 'LT'
					? (d: number) => d < 0
					: op === 'LTE'
						? (d: number) => d <= 0
						: op === 'GT'
							? (d: number) => d > 0
							: (d: number) => d >= 0;
			return (r) => {
				const v = value(r);
				return v !== null && test(compareValues(cmp(v), target));
			};
		}
		case 'BETWEEN': {
			const low = filterValue(p, f.value, where);
			const high = filterValue(p, f.highValue, `${where}.highValue`);
			return (r) => {
				const v = value(r);
				if (v === null) return false;
				const c = cmp(v);
				return compareValues(c, low) >= 0 && compareValues(c, high) <= 0;
			};
		}
		case 'IN':
		case 'NOT_IN': {
			if (!Array.isArray(f.values) || f.values.length === 0)
				throw invalid(`${where}.values must be a non-empty array for ${op}`);
			const targets = f.values.map((v, i) => filterValue(p, v, `${where}.values[${i}]`));
			const hit = (v: string) => targets.some((t) => eq(v, t));
			return op === 'IN'
				? (r) => {
						const v = value(r);
						return v !== null && hit(v);
					}
				: (r) => {
						const v = value(r);
						return v === null || !hit(v);
					};
		}
		case 'CONTAINS_TOKEN':
		case 'NOT_CONTAINS_TOKEN': {
			if (f.value === undefined || f.value === null || String(f.value) === '')
				throw invalid(`${where}.value is required for ${op}`);
			const pattern = String(f.value);
			let test: (v: string) => boolean;
			if (pattern.includes('*')) {
				const re = globRegex(pattern);
				test = (v) => re.test(v.toLowerCase()) || tokens(v).some((tk) => re.test(tk));
			} else {
				const wanted = tokens(pattern);
				const whole = pattern.toLowerCase();
				test = (v) => {
					if (v.toLowerCase() === whole) return true;
					const have = new Set(tokens(v));
					return wanted.length > 0 && wanted.every((w) => have.has(w));
				};
			}
			return op === 'CONTAINS_TOKEN'
				? (r) => {
						const v = value(r);
						return v !== null && test(v);
					}
				: (r) => {
						const v = value(r);
						return v === null || !test(v);
					};
		}
		default:
			throw invalid(`${where}.operator ${String(op)} is not supported`);
	}
}

/** A filter on `associations.{type}`: EQ / NEQ / IN / NOT_IN on associated record ids, HAS_PROPERTY / NOT_HAS_PROPERTY. */
function associationFilter(
	name: string,
	op: Operator,
	f: { value?: unknown; values?: unknown },
	where: string,
	associated: AssociationResolver | undefined,
): (r: StoredRecord) => boolean {
	const ids = associated?.(name.slice('associations.'.length));
	if (!ids)
		throw invalid(
			`${where}: ${name} does not name an object type (use e.g. associations.contact or associations.company)`,
		);
	switch (op) {
		case 'HAS_PROPERTY':
			return (r) => ids(r).length > 0;
		case 'NOT_HAS_PROPERTY':
			return (r) => ids(r).length === 0;
		case 'EQ':
		case 'NEQ': {
			if (f.value === undefined || f.value === null)
				throw invalid(`${where}.value is required for ${op}`);
			const target = String(f.value);
			return op === 'EQ' ? (r) => ids(r).includes(target) : (r) => !ids(r).includes(target);
		}
		case 'IN':
		case 'NOT_IN': {
			if (!Array.isArray(f.values) || f.values.length === 0)
				throw invalid(`${where}.values must be a non-empty array for ${op}`);
			const targets = new Set(f.values.map(String));
			const hit = (r: StoredRecord) => ids(r).some((id) => targets.has(id));
			return op === 'IN' ? hit : (r) => !hit(r);
		}
		default:
			throw invalid(
				`${where}: operator ${op} is not supported on ${name}; use EQ, NEQ, IN, NOT_IN, HAS_PROPERTY or NOT_HAS_PROPERTY`,
			);
	}
}
