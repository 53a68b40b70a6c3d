/**
 * SOQL for the simulator: a tokenizer and recursive-descent parser for the subset integrations use,
 * name resolution against the schema (parent relationship paths such as `Account.Owner.Name`), and an
 * evaluator (compiled predicate, multi-key ordering, LIMIT / OFFSET, `COUNT()`).
 *
 * Errors are worded like Salesforce's: the query line, a caret under the offending token,
 * `ERROR at Row:r:Column:c` and the message, with `MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`,
 * `INVALID_QUERY_FILTER_OPERATOR` or `NUMBER_OUTSIDE_VALID_RANGE` as the error code.
 */
import type { StoredRecord } from '../kit';
import { SfApiError, parseDate, parseDateTime, type OrgData, type Table } from './data';
import type { SfField, SfObject } from './schema';

// ---- tokens ---------------------------------------------------------------------------------------

type TokenType = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'op' | 'eof';

interface Token {
	type: TokenType;
	/** Source text (for strings: the decoded value). */
	value: string;
	/** 0-based offset in the query. */
	pos: number;
	/** Original text of the token. */
	raw: string;
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;

/** A parse or resolution failure at a position of the query. */
class SoqlError extends Error {
	constructor(
		readonly code: string,
		message: string,
		readonly pos: number,
	) {
		super(message);
	}
}

function tokenize(q: string): Token[] {
	const out: Token[] = [];
	let i = 0;
	while (i < q.length) {
		const c = q[i];
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		const start = i;
		if (c === "'") {
			let v = '';
			i++;
			let closed = false;
			while (i < q.length) {
				const ch = q[i];
				if (ch === '\\') {
					const n = q[i + 1];
					const map: Record<string, string> = {
						n: '\n',
						r: '\r',
						t: '\t',
						b: '\b',
						f: '\f',
						'"': '"',
						"'": "'",
						'\\': '\\',
					};
					if (n === undefined) break;
					if (n in map) v += map[n];
					else if (n === '_' || n === '%')
						v += '\\' + n; // kept for LIKE, where they are literal
					else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(q.slice(i + 2, i + 6))) {
						v += String.fromCharCode(parseInt(q.slice(i + 2, i + 6), 16));
						i += 4;
					} else
						throw new SoqlError(
							'MALFORMED_QUERY',
							`Invalid string literal '${q.slice(start, Math.min(q.length, i + 2))}'. Illegal character sequence '\\${n}' in string literal.`,
							start,
						);
					i += 2;
					continue;
				}
				if (ch === "'") {
					closed = true;
					i++;
					break;
				}
				v += ch;
				i++;
			}
			if (!closed)
				throw new SoqlError(
					'MALFORMED_QUERY',
					`line 1:${start} mismatched character '<EOF>' expecting '''`,
					start,
				);
			out.push({ type: 'string', value: v, pos: start, raw: q.slice(start, i) });
			continue;
		}
		const rest = q.slice(i);
		const dt = DATETIME_RE.exec(rest);
		if (dt) {
			i += dt[0].length;
			out.push({ type: 'datetime', value: dt[0], pos: start, raw: dt[0] });
			continue;
		}
		const badDt = /^\d{4}-\d{2}-\d{2}T[^\s),]*/.exec(rest);
		if (badDt) {
			throw new SoqlError(
				'MALFORMED_QUERY',
				`line 1:${start} invalid datetime literal: ${badDt[0]} (use YYYY-MM-DDThh:mm:ssZ or an offset such as +01:00)`,
				start,
			);
		}
		const d = DATE_RE.exec(rest);
		if (d) {
			i += d[0].length;
			out.push({ type: 'date', value: d[0], pos: start, raw: d[0] });
			continue;
		}
		const num = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(rest);
		if (
			num &&
			(/\d/.test(c) || c === '.' || ((c === '-' || c === '+') && /[\d.]/.test(q[i + 1] ?? '')))
		) {
			i += num[0].length;
			out.push({ type: 'number', value: num[0], pos: start, raw: num[0] });
			continue;
		}
		const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
		if (id) {
			i += id[0].length;
			out.push({ type: 'ident', value: id[0], pos: start, raw: id[0] });
			continue;
		}
		const op = /^(<=|>=|!=|<>|=|<|>)/.exec(rest);
		if (op) {
			i += op[0].length;
			out.push({ type: 'op', value: op[0] === '<>' ? '!=' : op[0], pos: start, raw: op[0] });
			continue;
		}
		if ('(),.:'.includes(c)) {
			i++;
			out.push({ type: 'punct', value: c, pos: start, raw: c });
			continue;
		}
		throw new SoqlError(
			'MALFORMED_QUERY',
			`line 1:${start} no viable alternative at character '${c}'`,
			start,
		);
	}
	out.push({ type: 'eof', value: '', pos: q.length, raw: '<EOF>' });
	return out;
}

// ---- AST ------------------------------------------------------------------------------------------

interface PathNode {
	parts: string[];
	pos: number;
}

/** A literal in a WHERE clause. */
type Literal =
	| { kind: 'string'; value: string; pos: number }
	| { kind: 'number'; value: number; pos: number; raw: string }
	| { kind: 'boolean'; value: boolean; pos: number }
	| { kind: 'null'; pos: number }
	| { kind: 'date'; value: string; pos: number }
	| { kind: 'datetime'; value: number; pos: number; raw: string }
	| { kind: 'dateFn'; name: string; n?: number; pos: number };

type Cond =
	| { type: 'and' | 'or'; items: Cond[] }
	| { type: 'not'; item: Cond }
	| { type: 'cmp'; path: PathNode; op: string; value: Literal }
	| { type: 'in'; path: PathNode; negate: boolean; values: Literal[] }
	| { type: 'like'; path: PathNode; value: Literal };

interface OrderItem {
	path: PathNode;
	desc: boolean;
	nullsLast: boolean;
}

interface QueryAst {
	count: boolean;
	fields: PathNode[];
	fieldsFn?: { kind: string; pos: number };
	from: { name: string; pos: number };
	where?: Cond;
	orderBy: OrderItem[];
	limit?: number;
	offset?: number;
	offsetPos?: number;
}

const KEYWORDS = new Set([
	'SELECT',
	'FROM',
	'WHERE',
	'AND',
	'OR',
	'NOT',
	'IN',
	'LIKE',
	'ORDER',
	'BY',
	'ASC',
	'DESC',
	'NULLS',
	'FIRST',
	'LAST',
	'LIMIT',
	'OFFSET',
	'NULL',
	'TRUE',
	'FALSE',
	'GROUP',
	'HAVING',
	'WITH',
	'FOR',
	'USING',
	'INCLUDES',
	'EXCLUDES',
]);

const DATE_FNS = new Set([
	'TODAY',
	'YESTERDAY',
	'TOMORROW',
	'THIS_WEEK',
	'LAST_WEEK',
	'NEXT_WEEK',
	'THIS_MONTH',
	'LAST_MONTH',
	'NEXT_MONTH',
	'THIS_YEAR',
	'LAST_YEAR',
	'NEXT_YEAR',
]);
const DATE_FNS_N = new Set([
	'LAST_N_DAYS',
	'NEXT_N_DAYS',
	'N_DAYS_AGO',
	'N_DAYS_FROM_NOW',
	'LAST_N_MONTHS',
	'NEXT_N_MONTHS',
]);

class Parser {
	private i = 0;
	constructor(private readonly tokens: Token[]) {}

	private peek(offset = 0): Token {
		return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
	}
	private next(): Token {
		const t = this.peek();
		if (this.i < this.tokens.length - 1) this.i++;
		return t;
	}
	private isKw(word: string, offset = 0): boolean {
		const t = this.peek(offset);
		return t.type === 'ident' && t.value.toUpperCase() === word;
	}
	private unexpected(t: Token = this.peek()): never {
		throw new SoqlError(
			'MALFORMED_QUERY',
			`unexpected token: ${t.type === 'eof' ? '<EOF>' : t.raw}`,
			t.pos,
		);
	}
	private expectKw(word: string): Token {
		if (!this.isKw(word)) this.unexpected();
		return this.next();
	}
	private expectPunct(p: string): Token {
		const t = this.peek();
		if (t.type !== 'punct' || t.value !== p) this.unexpected();
		return this.next();
	}
	private isPunct(p: string): boolean {
		const t = this.peek();
		return t.type === 'punct' && t.value === p;
	}

	parse(): QueryAst {
		this.expectKw('SELECT');
		const ast: QueryAst = { count: false, fields: [], from: { name: '', pos: 0 }, orderBy: [] };
		if (this.isKw('COUNT') && this.peek(1).value === '(') {
			this.next();
			this.expectPunct('(');
			this.expectPunct(')');
			ast.count = true;
		} else {
			for (;;) {
				if (this.isKw('FIELDS') && this.peek(1).value === '(') {
					const t = this.next();
					this.expectPunct('(');
					const kind = this.next();
					if (
						kind.type !== 'ident' ||
						!['ALL', 'STANDARD', 'CUSTOM'].includes(kind.value.toUpperCase())
					)
						this.unexpected(kind);
					this.expectPunct(')');
					ast.fieldsFn = { kind: kind.value.toUpperCase(), pos: t.pos };
				} else if (this.isPunct('(')) {
					throw new SoqlError(
						'MALFORMED_QUERY',
						'Relationship subqueries (SELECT … FROM children) are not supported by the sandbox',
						this.peek().pos,
					);
				} else {
					ast.fields.push(this.path());
				}
				if (!this.isPunct(',')) break;
				this.next();
			}
		}
		this.expectKw('FROM');
		const from = this.next();
		if (from.type !== 'ident' || KEYWORDS.has(from.value.toUpperCase())) this.unexpected(from);
		ast.from = { name: from.value, pos: from.pos };
		// optional alias is not supported: anything but a clause keyword is an error below
		if (this.isKw('WHERE')) {
			this.next();
			ast.where = this.condition();
		}
		if (this.isKw('GROUP') || this.isKw('HAVING')) {
			throw new SoqlError(
				'MALFORMED_QUERY',
				'GROUP BY / HAVING are not supported by the sandbox',
				this.peek().pos,
			);
		}
		if (this.isKw('ORDER')) {
			this.next();
			this.expectKw('BY');
			for (;;) {
				const path = this.path();
				let desc = false;
				if (this.isKw('ASC')) this.next();
				else if (this.isKw('DESC')) {
					this.next();
					desc = true;
				}
				let nullsLast = desc;
				if (this.isKw('NULLS')) {
					this.next();
					if (this.isKw('FIRST')) nullsLast = false;
					else if (this.isKw('LAST')) nullsLast = true;
					else this.unexpected();
					this.next();
				}
				ast.orderBy.push({ path, desc, nullsLast });
				if (!this.isPunct(',')) break;
				this.next();
			}
		}
		if (this.isKw('LIMIT')) {
			this.next();
			ast.limit = this.integer();
		}
		if (this.isKw('OFFSET')) {
			const t = this.next();
			ast.offsetPos = t.pos;
			ast.offset = this.integer();
		}
		if (this.peek().type !== 'eof') this.unexpected();
		return ast;
	}

	private integer(): number {
		const t = this.next();
		if (t.type !== 'number' || !/^\d+$/.test(t.value)) this.unexpected(t);
		return Number(t.value);
	}

	private path(): PathNode {
		const first = this.next();
		if (
			first.type !== 'ident' ||
			(KEYWORDS.has(first.value.toUpperCase()) &&
				!['FIRST', 'LAST'].includes(first.value.toUpperCase()))
		)
			this.unexpected(first);
		const parts = [first.value];
		while (this.isPunct('.')) {
			this.next();
			const t = this.next();
			if (t.type !== 'ident') this.unexpected(t);
			parts.push(t.value);
		}
		return { parts, pos: first.pos };
	}

	private condition(): Cond {
		const first = this.unary();
		if (!this.isKw('AND') && !this.isKw('OR')) return first;
		const op = this.peek().value.toUpperCase();
		const items = [first];
		while (this.isKw('AND') || this.isKw('OR')) {
			if (this.peek().value.toUpperCase() !== op) this.unexpected(); // SOQL needs parentheses to mix AND and OR
			this.next();
			items.push(this.unary());
		}
		return { type: op === 'AND' ? 'and' : 'or', items };
	}

	private unary(): Cond {
		if (this.isKw('NOT')) {
			this.next();
			return { type: 'not', item: this.unary() };
		}
		if (this.isPunct('(')) {
			this.next();
			const c = this.condition();
			this.expectPunct(')');
			return c;
		}
		const path = this.path();
		if (this.isKw('NOT') && this.isKw('IN', 1)) {
			this.next();
			this.next();
			return { type: 'in', path, negate: true, values: this.list() };
		}
		if (this.isKw('IN')) {
			this.next();
			return { type: 'in', path, negate: false, values: this.list() };
		}
		if (this.isKw('LIKE')) {
			this.next();
			return { type: 'like', path, value: this.literal() };
		}
		const op = this.next();
		if (op.type !== 'op') this.unexpected(op);
		return { type: 'cmp', path, op: op.value, value: this.literal() };
	}

	private list(): Literal[] {
		this.expectPunct('(');
		const values = [this.literal()];
		while (this.isPunct(',')) {
			this.next();
			values.push(this.literal());
		}
		this.expectPunct(')');
		return values;
	}

	private literal(): Literal {
		const t = this.next();
		switch (t.type) {
			case 'string':
				return { kind: 'string', value: t.value, pos: t.pos };
			case 'number':
				return { kind: 'number', value: Number(t.value), pos: t.pos, raw: t.value };
			case 'date': {
				if (parseDate(t.value) === undefined)
					throw new SoqlError('MALFORMED_QUERY', `line 1:${t.pos} invalid date: ${t.value}`, t.pos);
				return { kind: 'date', value: t.value, pos: t.pos };
			}
			case 'datetime': {
				const ms = parseDateTime(t.value);
				if (ms === undefined)
					throw new SoqlError(
						'MALFORMED_QUERY',
						`line 1:${t.pos} invalid datetime: ${t.value}`,
						t.pos,
					);
				return { kind: 'datetime', value: ms, pos: t.pos, raw: t.value };
			}
			case 'ident': {
				const u = t.value.toUpperCase();
				if (u === 'NULL') return { kind: 'null', pos: t.pos };
				if (u === 'TRUE' || u === 'FALSE')
					return { kind: 'boolean', value: u === 'TRUE', pos: t.pos };
				if (DATE_FNS.has(u)) return { kind: 'dateFn', name: u, pos: t.pos };
				if (DATE_FNS_N.has(u)) {
					this.expectPunct(':');
					const n = this.next();
					if (n.type !== 'number' || !/^\d+$/.test(n.value)) this.unexpected(n);
					return { kind: 'dateFn', name: u, n: Number(n.value), pos: t.pos };
				}
				return this.unexpected(t);
			}
			default:
				return this.unexpected(t);
		}
	}
}

// ---- resolution -----------------------------------------------------------------------------------

/** A resolved field path: reference hops then the leaf field (on the last object). */
interface Resolved {
	/** Canonical names: relationship names then the field name. */
	names: string[];
	hops: SfField[];
	leaf: SfField;
	/** Object owning the leaf (first candidate for polymorphic hops). */
	leafObject: SfObject;
}

const STRINGISH = new Set([
	'string',
	'textarea',
	'email',
	'phone',
	'url',
	'picklist',
	'id',
	'reference',
]);
const NUMERIC = new Set(['int', 'double', 'currency', 'percent']);

/** A compiled query. */
export interface CompiledQuery {
	table: Table;
	count: boolean;
	/** Selected paths (canonical names). */
	columns: string[][];
	/** Runs the query: the matching records, ordered, offset and limit applied. */
	run(options: { includeDeleted: boolean }): { records: StoredRecord[]; totalSize: number };
	/** Projects a record into the REST JSON shape. */
	toJson(record: StoredRecord): Record<string, unknown>;
	/** Projects a record into CSV cells (Bulk API 2.0). */
	toCsv(record: StoredRecord): string[];
}

const DAY = 86_400_000;

/** Compiles a SOQL query against the org, throwing an {@link SfApiError} worded like Salesforce's. */
export function compileSoql(
	org: OrgData,
	soql: string,
	version: string,
	now: number,
): CompiledQuery {
	try {
		return compile(org, soql, version, now);
	} catch (err) {
		if (err instanceof SoqlError)
			throw new SfApiError(400, err.code, positioned(soql, err.pos, err.message));
		throw err;
	}
}

function positioned(soql: string, pos: number, message: string): string {
	const before = soql.slice(0, pos);
	const row = before.split('\n').length;
	const lineStart = before.lastIndexOf('\n') + 1;
	const lineEnd = soql.indexOf('\n', pos) === -1 ? soql.length : soql.indexOf('\n', pos);
	const col = pos - lineStart + 1;
	return `\n${soql.slice(lineStart, lineEnd)}\n${' '.repeat(col - 1)}^\nERROR at Row:${row}:Column:${col}\n${message}`;
}

function compile(org: OrgData, soql: string, version: string, now: number): CompiledQuery {
	const ast = new Parser(tokenize(soql)).parse();
	const table = org.table(ast.from.name);
	if (!table) {
		throw new SoqlError(
			'INVALID_TYPE',
			`sObject type '${ast.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
			ast.from.pos,
		);
	}
	const object = table.object;

	const resolve = (p: PathNode): Resolved => {
		let parts = p.parts;
		if (
			parts.length > 1 &&
			parts[0].toLowerCase() === object.name.toLowerCase() &&
			!object.byRelationship.has(parts[0].toLowerCase())
		) {
			parts = parts.slice(1);
		}
		let current = object;
		const hops: SfField[] = [];
		const names: string[] = [];
		for (let i = 0; i < parts.length - 1; i++) {
			const rel = current.byRelationship.get(parts[i].toLowerCase());
			if (!rel) {
				throw new SoqlError(
					'INVALID_FIELD',
					`Didn't understand relationship '${parts[i]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
					p.pos,
				);
			}
			hops.push(rel);
			names.push(rel.relationshipName as string);
			const leafName = parts[parts.length - 1].toLowerCase();
			const targets = (rel.referenceTo ?? [])
				.map((n) => org.table(n)?.object)
				.filter((o): o is SfObject => o !== undefined);
			current =
				(i === parts.length - 2 ? targets.find((o) => o.byName.has(leafName)) : undefined) ??
				targets[0];
		}
		const leaf = current.byName.get(parts[parts.length - 1].toLowerCase());
		if (!leaf) {
			const msg =
				hops.length === 0
					? `No such column '${parts[parts.length - 1]}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
					: `No such column '${parts[parts.length - 1]}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;
			throw new SoqlError('INVALID_FIELD', msg, p.pos);
		}
		names.push(leaf.name);
		return { names, hops, leaf, leafObject: current };
	};

	// select list
	let selected: Resolved[] = ast.fields.map(resolve);
	if (ast.fieldsFn) {
		const kind = ast.fieldsFn.kind;
		if (kind !== 'STANDARD' && (ast.limit === undefined || ast.limit > 200)) {
			throw new SoqlError(
				'MALFORMED_QUERY',
				'The SOQL FIELDS function must have a LIMIT of at most 200',
				ast.fieldsFn.pos,
			);
		}
		const extra = object.fields
			.filter((f) => kind === 'ALL' || (kind === 'CUSTOM' ? f.custom : !f.custom))
			.map((f) => ({ names: [f.name], hops: [], leaf: f, leafObject: object }));
		selected = [...selected, ...extra];
	}
	const seen = new Set<string>();
	for (const [i, r] of selected.entries()) {
		const key = r.names.join('.').toLowerCase();
		if (seen.has(key))
			throw new SoqlError(
				'MALFORMED_QUERY',
				`duplicate field selected: ${r.names.join('.')}`,
				ast.fields[i]?.pos ?? 0,
			);
		seen.add(key);
	}
	if (ast.offset !== undefined && ast.offset > 2000) {
		throw new SoqlError(
			'NUMBER_OUTSIDE_VALID_RANGE',
			`Maximum SOQL offset allowed is 2000`,
			ast.offsetPos ?? 0,
		);
	}

	const getter = (r: Resolved) => {
		return (record: StoredRecord): unknown => {
			let rec: StoredRecord | undefined = record;
			let tbl: Table = table;
			for (const hop of r.hops) {
				const id = org.fieldValue(rec, hop) as string | null;
				if (!id) return null;
				const found = org.findById(id);
				if (!found) return null;
				rec = found.record;
				tbl = found.table;
			}
			const field = r.hops.length === 0 ? r.leaf : tbl.object.byName.get(r.leaf.name.toLowerCase());
			return field ? org.fieldValue(rec, field) : null;
		};
	};

	const predicate = ast.where ? compileCond(ast.where, resolve, getter, org, now) : undefined;
	const orderKeys = ast.orderBy.map((o) => {
		const r = resolve(o.path);
		if (r.leaf.type === 'textarea') {
			throw new SoqlError(
				'INVALID_FIELD',
				`field '${r.leaf.name}' can not be sorted in a query call`,
				o.path.pos,
			);
		}
		// text sorts case-insensitively; ids sort case-sensitively (their base-62 order is creation order)
		const text = STRINGISH.has(r.leaf.type) && r.leaf.type !== 'id' && r.leaf.type !== 'reference';
		return { get: getter(r), desc: o.desc, nullsLast: o.nullsLast, text };
	});

	const candidates = ast.where
		? indexedCandidates(ast.where, table, resolve, getter, org, now)
		: undefined;
	const run = (options: { includeDeleted: boolean }) => {
		let records = candidates
			? candidates().filter(
					(r) => (options.includeDeleted || r.deletedAt === null) && (!predicate || predicate(r)),
				)
			: table.collection.list({ includeDeleted: options.includeDeleted, filter: predicate });
		if (orderKeys.length > 0) {
			const decorated = records.map((rec, idx) => ({
				rec,
				idx,
				keys: orderKeys.map((k) => normKey(k.get(rec), k.text)),
			}));
			const compare = (a: (typeof decorated)[number], b: (typeof decorated)[number]) => {
				for (let i = 0; i < orderKeys.length; i++) {
					const k = orderKeys[i];
					const x = a.keys[i];
					const y = b.keys[i];
					if (x === y) continue;
					if (x === null) return k.nullsLast ? 1 : -1;
					if (y === null) return k.nullsLast ? -1 : 1;
					const c = x < y ? -1 : 1;
					return k.desc ? -c : c;
				}
				return a.idx - b.idx;
			};
			// Already in order (a change feed over records stamped as they were created): no sort to pay.
			let sorted = true;
			for (let i = 1; sorted && i < decorated.length; i++)
				sorted = compare(decorated[i - 1], decorated[i]) < 0;
			if (!sorted) {
				decorated.sort(compare);
				records = decorated.map((d) => d.rec);
			}
		}
		const start = ast.offset ?? 0;
		const end = ast.limit !== undefined ? start + ast.limit : undefined;
		if (start > 0 || end !== undefined) records = records.slice(start, end);
		return { records, totalSize: records.length };
	};

	const getters = selected.map((r) => ({ r, get: getter(r) }));
	const toJson = (record: StoredRecord): Record<string, unknown> => {
		const out: Record<string, unknown> = {
			attributes: {
				type: object.name,
				url: `/services/data/v${version}/sobjects/${object.name}/${record.id}`,
			},
		};
		for (const { r } of getters) {
			let target: Record<string, unknown> = out;
			let rec: StoredRecord | undefined = record;
			let tbl: Table = table;
			let dead = false;
			for (const hop of r.hops) {
				const relName = hop.relationshipName as string;
				const id: string | null = rec ? (org.fieldValue(rec, hop) as string | null) : null;
				const found: { table: Table; record: StoredRecord } | undefined = id
					? org.findById(id)
					: undefined;
				if (!found) {
					if (!(relName in target)) target[relName] = null;
					dead = true;
					break;
				}
				let child = target[relName] as Record<string, unknown> | null | undefined;
				if (!child) {
					child = {
						attributes: {
							type: found.table.object.name,
							url: `/services/data/v${version}/sobjects/${found.table.object.name}/${found.record.id}`,
						},
					};
					target[relName] = child;
				}
				target = child;
				rec = found.record;
				tbl = found.table;
			}
			if (dead || !rec) continue;
			const field = r.hops.length === 0 ? r.leaf : tbl.object.byName.get(r.leaf.name.toLowerCase());
			target[r.leaf.name] = field ? org.jsonValue(rec, field) : null;
		}
		return out;
	};
	const toCsv = (record: StoredRecord): string[] =>
		getters.map(({ r, get }) => {
			const v = get(record);
			if (v === null || v === undefined) return '';
			if (r.leaf.type === 'datetime' && typeof v === 'number')
				return new Date(v).toISOString().replace('Z', '+0000');
			return String(v);
		});

	return { table, count: ast.count, columns: selected.map((r) => r.names), run, toJson, toCsv };
}

function normKey(v: unknown, text: boolean): string | number | null {
	if (v === null || v === undefined) return null;
	if (typeof v === 'boolean') return v ? 1 : 0;
	if (text && typeof v === 'string') return v.toLowerCase();
	return v as string | number;
}

type Getter = (record: StoredRecord) => unknown;

function compileCond(
	cond: Cond,
	resolve: (p: PathNode) => Resolved,
	getter: (r: Resolved) => Getter,
	org: OrgData,
	now: number,
): (record: StoredRecord) => boolean {
	switch (cond.type) {
		case 'and': {
			const parts = cond.items.map((c) => compileCond(c, resolve, getter, org, now));
			return (r) => parts.every((p) => p(r));
		}
		case 'or': {
			const parts = cond.items.map((c) => compileCond(c, resolve, getter, org, now));
			return (r) => parts.some((p) => p(r));
		}
		case 'not': {
			const inner = compileCond(cond.item, resolve, getter, org, now);
			return (r) => !inner(r);
		}
		case 'like': {
			const res = resolve(cond.path);
			if (
				!STRINGISH.has(res.leaf.type) ||
				res.leaf.type === 'id' ||
				res.leaf.type === 'reference'
			) {
				throw new SoqlError(
					'INVALID_FIELD',
					`invalid operator on ${res.leaf.type} field: ${res.leaf.name}`,
					cond.path.pos,
				);
			}
			filterable(res, cond.path);
			if (cond.value.kind !== 'string') throw typeMismatch(res, cond.value);
			const re = likeRegex(cond.value.value);
			const get = getter(res);
			return (r) => {
				const v = get(r);
				return typeof v === 'string' && re.test(v);
			};
		}
		case 'in': {
			const res = resolve(cond.path);
			filterable(res, cond.path);
			const values = cond.values.map((v) => normalizeLiteral(res, v, org, now));
			const get = getter(res);
			const set = new Set(values.filter((v): v is Bounds => v !== null).map((b) => b.lo));
			const hasNull = values.some((v) => v === null);
			return (r) => {
				const v = fieldKey(get(r), res);
				const hit = v === null ? hasNull : set.has(v);
				return cond.negate ? !hit : hit;
			};
		}
		case 'cmp': {
			const res = resolve(cond.path);
			filterable(res, cond.path);
			const lit = normalizeLiteral(res, cond.value, org, now);
			const get = getter(res);
			const op = cond.op;
			if (lit === null) {
				if (op !== '=' && op !== '!=')
					throw new SoqlError(
						'MALFORMED_QUERY',
						`invalid operator for null: ${op}`,
						cond.value.pos,
					);
				return (r) => (fieldKey(get(r), res) === null) === (op === '=');
			}
			if ((op === '<' || op === '>' || op === '<=' || op === '>=') && res.leaf.type === 'boolean') {
				throw new SoqlError(
					'INVALID_QUERY_FILTER_OPERATOR',
					`invalid operator on boolean field: ${res.leaf.name}`,
					cond.path.pos,
				);
			}
			return (r) => {
				const v = fieldKey(get(r), res);
				if (v === null) return op === '!=';
				switch (op) {
					case '=':
						return lit.point ? v === lit.lo : v >= lit.lo && v < (lit.hi as number | string);
					case '!=':
						return lit.point ? v !== lit.lo : !(v >= lit.lo && v < (lit.hi as number | string));
					case '<':
						return v < lit.lo;
					case '>=':
						return v >= lit.lo;
					case '<=':
						return lit.point ? v <= lit.lo : v < (lit.hi as number | string);
					case '>':
						return lit.point ? v > lit.lo : v >= (lit.hi as number | string);
					default:
						return false;
				}
			};
		}
	}
}

function filterable(res: Resolved, p: PathNode): void {
	if (res.leaf.type === 'textarea')
		throw new SoqlError(
			'INVALID_FIELD',
			`field '${res.leaf.name}' can not be filtered in a query call`,
			p.pos,
		);
}

/** A literal as comparable bounds: a point (`lo`) or a range `[lo, hi)`. */
interface Bounds {
	lo: number | string;
	hi?: number | string;
	point: boolean;
}

/** The comparable key of a field value: lower-case text, numbers, ms for dates. */
/** The collections' indexes the fast path defined, by field (kept in step with every write by the kit). */
const soqlIndexes = new WeakMap<object, Set<string>>();
const indexKey = (k: number | string | null): string | undefined =>
	k === null ? undefined : `${typeof k}:${k}`;

/**
 * The records a WHERE can match when it is (or ANDs) `field IN (…)` on a field of the queried object:
 * looked up in an index of that field (defined on first use) instead of scanning the object — `Email IN (…)` over a
 * million contacts. The caller still applies the whole predicate; results come in creation order, as a scan's.
 */
function indexedCandidates(
	where: Cond,
	table: Table,
	resolve: (p: PathNode) => Resolved,
	getter: (r: Resolved) => (record: StoredRecord) => unknown,
	org: OrgData,
	now: number,
): (() => StoredRecord[]) | undefined {
	const conds = where.type === 'and' ? where.items : [where];
	for (const c of conds) {
		if (c.type !== 'in' || c.negate) continue;
		const literals = c.values;
		const res = resolve(c.path);
		if (res.hops.length > 0) continue;
		const keys = literals
			.map((l) => normalizeLiteral(res, l, org, now))
			.filter((b): b is Bounds => b !== null && b.point)
			.map((b) => indexKey(b.lo) as string);
		if (keys.length !== literals.length) continue;
		const name = `soql:${res.leaf.name}`;
		const defined = soqlIndexes.get(table.collection) ?? new Set<string>();
		soqlIndexes.set(table.collection, defined);
		if (!defined.has(name)) {
			const get = getter(res);
			table.collection.defineIndex(name, (r) => indexKey(fieldKey(get(r), res)));
			defined.add(name);
		}
		return () => {
			const seen = new Map<string, StoredRecord>();
			for (const key of new Set(keys))
				for (const r of table.collection.lookup(name, key)) seen.set(r.id, r);
			return [...seen.values()].sort((a, b) => a.position - b.position);
		};
	}
	return undefined;
}

function fieldKey(v: unknown, res: Resolved): number | string | null {
	if (v === null || v === undefined) return null;
	switch (res.leaf.type) {
		case 'boolean':
			return v ? 1 : 0;
		case 'date':
			return Date.parse(`${v as string}T00:00:00Z`);
		case 'datetime':
			return v as number;
		case 'id':
		case 'reference':
			return v as string;
		default:
			return NUMERIC.has(res.leaf.type) ? (v as number) : String(v).toLowerCase();
	}
}

function typeName(f: SfField): string {
	switch (f.type) {
		case 'int':
			return 'integer';
		case 'datetime':
			return 'dateTime';
		case 'reference':
			return 'reference';
		case 'textarea':
		case 'email':
		case 'phone':
		case 'url':
			return 'string';
		default:
			return f.type;
	}
}

function typeMismatch(res: Resolved, lit: Literal): SoqlError {
	const quoted = STRINGISH.has(res.leaf.type);
	return new SoqlError(
		'INVALID_FIELD',
		`value of filter criterion for field '${res.leaf.name}' must be of type ${typeName(res.leaf)} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
		lit.pos,
	);
}

function normalizeLiteral(res: Resolved, lit: Literal, org: OrgData, now: number): Bounds | null {
	if (lit.kind === 'null') return null;
	const t = res.leaf.type;
	if (t === 'id' || t === 'reference') {
		if (lit.kind !== 'string') throw typeMismatch(res, lit);
		const id = org.canonicalId(lit.value);
		if (!id)
			throw new SoqlError(
				'INVALID_QUERY_FILTER_OPERATOR',
				`invalid ID field: ${lit.value}`,
				lit.pos,
			);
		return { lo: id, point: true };
	}
	if (STRINGISH.has(t)) {
		if (lit.kind !== 'string') throw typeMismatch(res, lit);
		return { lo: lit.value.replace(/\\([_%])/g, '$1').toLowerCase(), point: true };
	}
	if (NUMERIC.has(t)) {
		if (lit.kind !== 'number') throw typeMismatch(res, lit);
		return { lo: lit.value, point: true };
	}
	if (t === 'boolean') {
		if (lit.kind !== 'boolean') throw typeMismatch(res, lit);
		return { lo: lit.value ? 1 : 0, point: true };
	}
	if (t === 'date') {
		if (lit.kind === 'date') return { lo: Date.parse(`${lit.value}T00:00:00Z`), point: true };
		if (lit.kind === 'dateFn') {
			const [lo, hi] = dateRange(lit, now);
			return { lo, hi, point: false };
		}
		throw typeMismatch(res, lit);
	}
	if (t === 'datetime') {
		if (lit.kind === 'datetime') return { lo: lit.value, point: true };
		if (lit.kind === 'dateFn') {
			const [lo, hi] = dateRange(lit, now);
			return { lo, hi, point: false };
		}
		throw typeMismatch(res, lit);
	}
	throw typeMismatch(res, lit);
}

/** The `[start, end)` range (UTC, epoch ms) of a date literal function. */
function dateRange(lit: Extract<Literal, { kind: 'dateFn' }>, now: number): [number, number] {
	const today = Math.floor(now / DAY) * DAY;
	const d = new Date(today);
	const monthStart = (offset: number) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
	const yearStart = (offset: number) => Date.UTC(d.getUTCFullYear() + offset, 0, 1);
	const weekStart = today - d.getUTCDay() * DAY; // weeks start on Sunday
	const n = lit.n ?? 0;
	switch (lit.name) {
		case 'TODAY':
			return [today, today + DAY];
		case 'YESTERDAY':
			return [today - DAY, today];
		case 'TOMORROW':
			return [today + DAY, today + 2 * DAY];
		case 'THIS_WEEK':
			return [weekStart, weekStart + 7 * DAY];
		case 'LAST_WEEK':
			return [weekStart - 7 * DAY, weekStart];
		case 'NEXT_WEEK':
			return [weekStart + 7 * DAY, weekStart + 14 * DAY];
		case 'THIS_MONTH':
			return [monthStart(0), monthStart(1)];
		case 'LAST_MONTH':
			return [monthStart(-1), monthStart(0)];
		case 'NEXT_MONTH':
			return [monthStart(1), monthStart(2)];
		case 'THIS_YEAR':
			return [yearStart(0), yearStart(1)];
		case 'LAST_YEAR':
			return [yearStart(-1), yearStart(0)];
		case 'NEXT_YEAR':
			return [yearStart(1), yearStart(2)];
		case 'LAST_N_DAYS':
			return [today - n * DAY, today + DAY];
		case 'NEXT_N_DAYS':
			return [today, today + (n + 1) * DAY];
		case 'N_DAYS_AGO':
			return [today - n * DAY, today - n * DAY + DAY];
		case 'N_DAYS_FROM_NOW':
			return [today + n * DAY, today + n * DAY + DAY];
		case 'LAST_N_MONTHS':
			return [monthStart(-n), monthStart(0)];
		case 'NEXT_N_MONTHS':
			return [monthStart(1), monthStart(1 + n)];
		default:
			return [today, today + DAY];
	}
}

function likeRegex(pattern: string): RegExp {
	let src = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
			src += '\\' + pattern[i + 1];
			i++;
		} else if (c === '%') src += '[\\s\\S]*';
		else if (c === '_') src += '[\\s\\S]';
		else src += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${src}$`, 'i');
}
