/**
 * `$filter` for the Dataverse simulator: a tokenizer and a recursive-descent parser for the OData v4 subset
 * Dataverse accepts — comparisons, `and` / `or` / `not`, parentheses, `contains` / `startswith` / `endswith`,
 * literals (strings, numbers, booleans, `null`, GUIDs, dates, date-times) and the `Microsoft.Dynamics.CRM.*`
 * query functions of {@link CRM_FUNCTIONS}. Precedence follows the OData v4 ABNF (and ODL): `not` binds tightest,
 * then the comparisons, then `and`, then `or`. Evaluation lives in `odataMatch.ts`.
 */
import {
	attributeSet,
	checkAttribute,
	closeParenOrCommaExpected,
	closeParenOrOperatorExpected,
	expressionExpected,
	notBoolean,
	ODataQueryError,
	syntaxError,
	unknownFunction,
	type EntitySchema,
} from './odataErrors';
import { tokenize, type Token } from './odataLexer';

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type StringFunction = 'contains' | 'startswith' | 'endswith';
export type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'guid' | 'date' | 'datetime';

export type Operand =
	| { kind: 'property'; name: string }
	| { kind: 'literal'; type: LiteralType; value: string | number | boolean | null };

/** A parsed `$filter`: a Boolean expression over one row. */
export type FilterNode =
	| { kind: 'compare'; op: CompareOp; left: Operand; right: Operand }
	| { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
	| { kind: 'not'; operand: FilterNode }
	| { kind: 'string'; fn: StringFunction; args: [Operand, Operand] }
	| { kind: 'crm'; fn: string; property: string; values: Array<string | number | boolean | null> };

/** The Dataverse query functions the simulator evaluates, with the value parameters each one takes. */
export const CRM_FUNCTIONS: Record<string, 'none' | 'value' | 'values'> = {
	In: 'values',
	NotIn: 'values',
	Between: 'values',
	NotBetween: 'values',
	LastXDays: 'value',
	NextXDays: 'value',
	LastXHours: 'value',
	NextXHours: 'value',
	OlderThanXDays: 'value',
	Today: 'none',
	Yesterday: 'none',
	Tomorrow: 'none',
};

const CRM_PREFIX = 'Microsoft.Dynamics.CRM.';
const COMPARE_OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const STRING_FUNCTIONS = new Set(['contains', 'startswith', 'endswith']);

// ---- parser ---------------------------------------------------------------------------------------

/** While parsing, an expression is either Boolean (a filter) or a value (a property or a literal). */
type Expr = { t: 'bool'; node: FilterNode } | { t: 'value'; operand: Operand; pos: number };

class Parser {
	private i = 0;
	private readonly known?: ReadonlySet<string>;

	constructor(
		private readonly text: string,
		private readonly tokens: Token[],
		private readonly schema?: EntitySchema,
	) {
		this.known = schema ? attributeSet(schema) : undefined;
	}

	private peek(): Token {
		return this.tokens[this.i];
	}

	private next(): Token {
		return this.tokens[this.i++];
	}

	private isWord(word: string): boolean {
		const t = this.peek();
		return t.type === 'ident' && t.value === word;
	}

	private expectPunct(p: string, error: (pos: number, text: string) => ODataQueryError) {
		const t = this.next();
		if (t.type !== 'punct' || t.value !== p) throw error(t.pos, this.text);
	}

	parse(): FilterNode {
		if (this.peek().type === 'eof') throw expressionExpected(0, this.text);
		const e = this.parseOr();
		const t = this.peek();
		if (t.type !== 'eof') throw syntaxError(t.pos, this.text);
		return this.bool(e);
	}

	private bool(e: Expr): FilterNode {
		if (e.t !== 'bool') throw notBoolean();
		return e.node;
	}

	private parseOr(): Expr {
		let left = this.parseAnd();
		while (this.isWord('or')) {
			this.next();
			const right = this.parseAnd();
			left = { t: 'bool', node: { kind: 'or', left: this.bool(left), right: this.bool(right) } };
		}
		return left;
	}

	private parseAnd(): Expr {
		let left = this.parseComparison();
		while (this.isWord('and')) {
			this.next();
			const right = this.parseComparison();
			left = { t: 'bool', node: { kind: 'and', left: this.bool(left), right: this.bool(right) } };
		}
		return left;
	}

	private parseComparison(): Expr {
		let left = this.parseUnary();
		while (this.peek().type === 'ident' && COMPARE_OPS.has(this.peek().value)) {
			const op = this.next().value as CompareOp;
			const right = this.parseUnary();
			if (left.t !== 'value' || right.t !== 'value') throw notBoolean();
			left = { t: 'bool', node: { kind: 'compare', op, left: left.operand, right: right.operand } };
		}
		return left;
	}

	private parseUnary(): Expr {
		if (this.isWord('not')) {
			this.next();
			// `not` applies to the next primary only: `not contains(a,'x')`, `not (a eq 1)`.
			return { t: 'bool', node: { kind: 'not', operand: this.bool(this.parseUnary()) } };
		}
		return this.parsePrimary();
	}

	private parsePrimary(): Expr {
		const t = this.next();
		switch (t.type) {
			case 'punct':
				if (t.value !== '(') throw expressionExpected(t.pos, this.text);
				{
					const inner = this.parseOr();
					this.expectPunct(')', closeParenOrOperatorExpected);
					return inner;
				}
			case 'string':
				return this.literal('string', t.value, t.pos);
			case 'guid':
				return this.literal('guid', t.value, t.pos);
			case 'date':
				return this.literal('date', t.value, t.pos);
			case 'datetime':
				return this.literal('datetime', t.value, t.pos);
			case 'number':
				return this.literal('number', Number(t.value.replace(/[mMdDfFlL]$/, '')), t.pos);
			case 'ident':
				return this.identifier(t);
			default:
				throw expressionExpected(t.pos, this.text);
		}
	}

	private literal(type: LiteralType, value: string | number | boolean | null, pos: number): Expr {
		return { t: 'value', operand: { kind: 'literal', type, value }, pos };
	}

	private identifier(t: Token): Expr {
		if (t.value === 'true' || t.value === 'false')
			return this.literal('boolean', t.value === 'true', t.pos);
		if (t.value === 'null') return this.literal('null', null, t.pos);
		const call = this.peek().type === 'punct' && this.peek().value === '(';
		if (call && STRING_FUNCTIONS.has(t.value))
			return this.stringFunction(t.value as StringFunction);
		if (call && t.value.startsWith(CRM_PREFIX)) return this.crmFunction(t);
		if (call) throw unknownFunction(t.value);
		checkAttribute(t.value, this.schema, this.known);
		return { t: 'value', operand: { kind: 'property', name: t.value }, pos: t.pos };
	}

	private stringFunction(fn: StringFunction): Expr {
		this.next(); // (
		const a = this.parseOr();
		this.expectPunct(',', closeParenOrCommaExpected);
		const b = this.parseOr();
		this.expectPunct(')', closeParenOrCommaExpected);
		if (a.t !== 'value' || b.t !== 'value')
			throw new ODataQueryError(`The '${fn}' function takes two string operands.`);
		return { t: 'bool', node: { kind: 'string', fn, args: [a.operand, b.operand] } };
	}

	/** `Microsoft.Dynamics.CRM.Name(PropertyName='x',PropertyValue=3)` or `…,PropertyValues=['a','b'])`. */
	private crmFunction(t: Token): Expr {
		const name = t.value.slice(CRM_PREFIX.length);
		const shape = Object.prototype.hasOwnProperty.call(CRM_FUNCTIONS, name)
			? CRM_FUNCTIONS[name]
			: undefined;
		if (!shape) throw unknownFunction(t.value);
		this.next(); // (
		const params = new Map<string, Array<string | number | boolean | null>>();
		while (!(this.peek().type === 'punct' && this.peek().value === ')')) {
			if (params.size > 0) this.expectPunct(',', closeParenOrCommaExpected);
			const key = this.next();
			if (key.type !== 'ident') throw syntaxError(key.pos, this.text);
			this.expectPunct('=', syntaxError);
			params.set(key.value, this.parameterValue());
		}
		this.next(); // )
		const property = params.get('PropertyName')?.[0];
		if (typeof property !== 'string')
			throw new ODataQueryError(`The function '${t.value}' needs a 'PropertyName' parameter.`);
		checkAttribute(property, this.schema, this.known);
		const wanted =
			shape === 'value' ? 'PropertyValue' : shape === 'values' ? 'PropertyValues' : undefined;
		const values = wanted ? params.get(wanted) : [];
		if (!values || (shape === 'values' && values.length === 0))
			throw new ODataQueryError(`The function '${t.value}' needs a '${wanted}' parameter.`);
		if ((name === 'Between' || name === 'NotBetween') && values.length !== 2)
			throw new ODataQueryError(
				`The function '${t.value}' needs exactly two values in 'PropertyValues'.`,
			);
		if (shape === 'value' && (typeof values[0] !== 'number' || !Number.isInteger(values[0])))
			throw new ODataQueryError(`The function '${t.value}' needs an integer 'PropertyValue'.`);
		return { t: 'bool', node: { kind: 'crm', fn: name, property, values } };
	}

	/** One parameter value: a literal, or a JSON-like array of literals (single or double quotes). */
	private parameterValue(): Array<string | number | boolean | null> {
		const t = this.next();
		if (t.type === 'punct' && t.value === '[') {
			const out: Array<string | number | boolean | null> = [];
			while (!(this.peek().type === 'punct' && this.peek().value === ']')) {
				if (out.length > 0) this.expectPunct(',', syntaxError);
				out.push(this.scalar(this.next()));
			}
			this.next(); // ]
			return out;
		}
		return [this.scalar(t)];
	}

	private scalar(t: Token): string | number | boolean | null {
		if (t.type === 'string' || t.type === 'json' || t.type === 'guid') return t.value;
		if (t.type === 'date' || t.type === 'datetime') return t.value;
		if (t.type === 'number') return Number(t.value.replace(/[mMdDfFlL]$/, ''));
		if (t.type === 'ident' && (t.value === 'true' || t.value === 'false'))
			return t.value === 'true';
		if (t.type === 'ident' && t.value === 'null') return null;
		throw syntaxError(t.pos, this.text);
	}
}

/**
 * Parses a `$filter` value (already URL-decoded). With a schema, every property must be one of its attributes
 * (else Dataverse's "Could not find a property named …"); without one, any name is accepted.
 */
export function parseFilter(text: string, schema?: EntitySchema): FilterNode {
	return new Parser(text, tokenize(text), schema).parse();
}
