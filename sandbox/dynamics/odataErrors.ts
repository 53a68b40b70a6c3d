/**
 * Errors of the Dataverse OData query options, worded as Dataverse words them. Dataverse parses `$filter`,
 * `$orderby` and `$select` with Microsoft.OData.Core (ODL), so its messages are ODL's resource strings, and it
 * answers them with HTTP 400 and `{ error: { code: '0x80060888', message } }`.
 */
import { HttpError } from '../kit';

/** The code Dataverse gives a query option it cannot parse or bind (seen on `$filter`, `$select`, `$expand`). */
export const QUERY_ERROR_CODE = '0x80060888';

/** The table a query runs against: its logical name (`contact`) and the attribute logical names it has. */
export interface EntitySchema {
	/** Logical name, used in messages: `Microsoft.Dynamics.CRM.{entity}`. */
	entity: string;
	/** Attribute logical names (`firstname`, `_parentcustomerid_value`, …); names are case-sensitive. */
	attributes: ReadonlySet<string> | readonly string[];
	/** The primary key (`contactid`): Dataverse returns it even when `$select` leaves it out. */
	primaryKey?: string;
	/**
	 * Single-valued navigation properties a path may follow (`parentcustomerid_account/name`): name → the target's
	 * logical name and attributes. Only `$filter` gets these; the rows must then hold the path's value under its text.
	 */
	navigation?: Record<string, { entity: string; attributes: ReadonlySet<string> }>;
	/** Collection-valued navigation properties (a property path through one is refused as ODL refuses it). */
	collections?: ReadonlySet<string>;
}

/** A query option Dataverse refuses; an {@link HttpError}, so the simulator's error shaper answers it as is. */
export class ODataQueryError extends HttpError {
	constructor(message: string, status = 400, code = QUERY_ERROR_CODE) {
		super(status, message, code);
		this.name = 'ODataQueryError';
	}

	/** Dataverse's error body. */
	body(): { error: { code: string; message: string } } {
		return { error: { code: this.code ?? QUERY_ERROR_CODE, message: this.message } };
	}
}

/** ODL: the text after the position could not be read as a token or an expression. */
export function syntaxError(pos: number, text: string): ODataQueryError {
	return new ODataQueryError(`Syntax error at position ${pos} in '${text}'.`);
}

/** ODL: a character no token starts with (`&`, `#`, `"` outside an array, …). */
export function invalidCharacter(ch: string, pos: number, text: string): ODataQueryError {
	return new ODataQueryError(
		`Syntax error: character '${ch}' is not valid at position ${pos} in '${text}'.`,
	);
}

/** ODL: a string literal without its closing quote; ODL reports the end of the text (documented example). */
export function unterminatedLiteral(pos: number, text: string): ODataQueryError {
	return new ODataQueryError(`There is an unterminated literal at position ${pos} in '${text}'.`);
}

export function expressionExpected(pos: number, text: string): ODataQueryError {
	return new ODataQueryError(`Expression expected at position ${pos} in '${text}'.`);
}

export function closeParenOrOperatorExpected(pos: number, text: string): ODataQueryError {
	return new ODataQueryError(`')' or operator expected at position ${pos} in '${text}'.`);
}

export function closeParenOrCommaExpected(pos: number, text: string): ODataQueryError {
	return new ODataQueryError(`')' or ',' expected at position ${pos} in '${text}'.`);
}

/** ODL's binder message for a property the type does not declare (documented for `$select=Name`). */
export function propertyNotFound(name: string, entity: string): ODataQueryError {
	return new ODataQueryError(
		`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${entity}'.`,
	);
}

export function unknownFunction(name: string): ODataQueryError {
	return new ODataQueryError(
		`An unknown function with name '${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
	);
}

/** ODL's binder message when `$filter` (or an operand of `and` / `or` / `not`) is not a Boolean expression. */
export function notBoolean(): ODataQueryError {
	return new ODataQueryError('The $filter expression must evaluate to a single boolean value.');
}

/** The attribute set of a schema, for membership tests. */
export function attributeSet(schema: EntitySchema): ReadonlySet<string> {
	return schema.attributes instanceof Set ? schema.attributes : new Set(schema.attributes);
}

/** Throws {@link propertyNotFound} unless the schema (when there is one) declares `name`. */
export function checkAttribute(
	name: string,
	schema: EntitySchema | undefined,
	set?: ReadonlySet<string>,
) {
	if (!schema) return;
	const known = set ?? attributeSet(schema);
	// A navigation path (`primarycontactid/fullname`) is named by its first segment, as ODL's binder does.
	const segments = name.split('/');
	const first = segments[0];
	const nav = schema.navigation?.[first];
	if (nav && segments.length === 2) {
		if (!nav.attributes.has(segments[1])) throw propertyNotFound(segments[1], nav.entity);
		return;
	}
	if (schema.collections?.has(first) && segments.length > 1)
		throw new ODataQueryError(
			`The parent value for a property access of a property '${segments[1]}' is not a single value. Property access can only be applied to a single value.`,
		);
	if (!known.has(first) && !nav) throw propertyNotFound(first, schema.entity);
	if (first !== name || nav)
		throw new ODataQueryError(
			`The sandbox does not evaluate navigation property paths such as '${name}' in a query option.`,
		);
}
