/**
 * FetchXML → `FetchQuery`: the `<fetch>` attributes, `<entity>`, `<attribute>` / `<all-attributes>`,
 * `<order>`, nested `<filter>`s and `<condition>`s with the operators listed in `OPERATORS`.
 *
 * FetchXML names the table by its logical name (`contact`) while the Web API URL uses the entity set
 * (`contacts`); an `EntityResolver` supplied by the simulator maps one to the other and, when it lists the
 * table's columns, lets unknown columns fail the way Dataverse fails (`0x80041103`).
 * Errors carry Dataverse's `{error:{code,message}}` body; see README.md (FetchXML) for which codes and
 * messages are verified and which are our choice.
 */
import { XmlSyntaxError, parseXml, type XmlElement } from './xml';

/** A Dataverse-shaped failure: HTTP status plus the Web API's `{error:{code,message}}`. */
export class FetchXmlError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message);
	}

	get body(): { error: { code: string; message: string } } {
		return { error: { code: this.code, message: this.message } };
	}
}

/** 0x80040203 InvalidArgument — Dataverse's code for `top` combined with paging (seen in client code). */
export const INVALID_ARGUMENT = '0x80040203';
/** 0x80041103 QueryBuilderNoAttribute — "'contact' entity doesn't contain attribute with Name = …". */
export const NO_ATTRIBUTE = '0x80041103';
/** 0x80041102 QueryBuilderNoEntity — unknown table (our reading of the error-code list). */
export const NO_ENTITY = '0x80041102';
/** Largest page (and `top`) Dataverse serves for standard tables. */
export const MAX_PAGE_SIZE = 5000;

export const OPERATORS = [
	'eq',
	'ne',
	'neq',
	'gt',
	'ge',
	'lt',
	'le',
	'like',
	'not-like',
	'begins-with',
	'not-begin-with',
	'ends-with',
	'not-end-with',
	'in',
	'not-in',
	'null',
	'not-null',
	'on',
	'on-or-after',
	'on-or-before',
	'last-x-days',
] as const;
export type FetchOperator = (typeof OPERATORS)[number];

export interface FetchCondition {
	kind: 'condition';
	attribute: string;
	operator: FetchOperator;
	/** The `value` attribute (single-value operators). */
	value?: string;
	/** `<value>` children (`in`, `not-in`). */
	values: string[];
}

export interface FetchFilter {
	kind: 'filter';
	type: 'and' | 'or';
	children: Array<FetchFilter | FetchCondition>;
}

export interface FetchOrder {
	attribute: string;
	descending: boolean;
}

export interface FetchQuery {
	/** Logical name from `<entity name>`. */
	entity: string;
	/** Entity set name when a resolver knew the table. */
	entitySetName?: string;
	/** Columns from `<attribute>`; `'all'` for `<all-attributes/>` or no column at all. */
	attributes: string[] | 'all';
	orders: FetchOrder[];
	/** Top-level filters are and-ed, as Dataverse does with several `<filter>` children of `<entity>`. */
	filter?: FetchFilter;
	count?: number;
	page?: number;
	/** The `paging-cookie` attribute, already XML-unescaped: `<cookie page="1">…</cookie>`. */
	pagingCookie?: string;
	top?: number;
	distinct: boolean;
	returnTotalRecordCount: boolean;
}

export interface FetchEntityInfo {
	logicalName: string;
	entitySetName: string;
	primaryKey: string;
	/** Known columns; when given, unknown ones are refused with 0x80041103. */
	attributes?: Iterable<string>;
}

/** Maps a logical name to the table's metadata; `undefined` = no such table. */
export type EntityResolver = (logicalName: string) => FetchEntityInfo | undefined;

const invalid = (message: string) => new FetchXmlError(400, INVALID_ARGUMENT, message);

function positiveInt(el: XmlElement, name: string): number | undefined {
	const raw = el.attrs[name];
	if (raw === undefined || raw === '') return undefined;
	if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1)
		throw invalid(`The '${name}' attribute value '${raw}' is not a valid positive integer.`);
	return Number(raw);
}

function bool(el: XmlElement, name: string): boolean {
	const raw = (el.attrs[name] ?? '').toLowerCase();
	return raw === 'true' || raw === '1';
}

function parseCondition(el: XmlElement): FetchCondition {
	const attribute = el.attrs.attribute;
	const op = (el.attrs.operator ?? '').toLowerCase();
	if (!attribute) throw invalid("The 'attribute' attribute is required on the condition element.");
	if (!(OPERATORS as readonly string[]).includes(op))
		throw invalid(
			`The condition operator '${el.attrs.operator ?? ''}' is not valid or not supported.`,
		);
	const values = el.children.filter((c) => c.name === 'value').map((c) => c.text);
	const cond: FetchCondition = {
		kind: 'condition',
		attribute,
		operator: op as FetchOperator,
		values,
	};
	if (el.attrs.value !== undefined) cond.value = el.attrs.value;
	const needsList = op === 'in' || op === 'not-in';
	const needsNone = op === 'null' || op === 'not-null';
	if (needsList && !values.length && cond.value === undefined)
		throw invalid(
			`Condition for attribute '${attribute}': expected argument(s) of type 'System.String[]' but received 'System.String'.`,
		);
	if (!needsList && !needsNone && cond.value === undefined)
		throw invalid(`Condition for attribute '${attribute}': operator '${op}' requires a value.`);
	if (op === 'last-x-days' && !/^\d+$/.test(cond.value ?? ''))
		throw invalid(
			`Condition for attribute '${attribute}': expected argument(s) of type 'System.Int32'.`,
		);
	return cond;
}

function parseFilter(el: XmlElement): FetchFilter {
	const type = (el.attrs.type ?? 'and').toLowerCase();
	if (type !== 'and' && type !== 'or')
		throw invalid(`The filter type '${el.attrs.type}' is not valid.`);
	const children: FetchFilter['children'] = [];
	for (const c of el.children) {
		if (c.name === 'condition') children.push(parseCondition(c));
		else if (c.name === 'filter') children.push(parseFilter(c));
		else throw invalid(`The element '${c.name}' is not supported inside a filter.`);
	}
	return { kind: 'filter', type, children };
}

/** Every column a query names (attributes, orders, conditions) — for the resolver's check. */
function namedColumns(q: FetchQuery): string[] {
	const out = [
		...(q.attributes === 'all' ? [] : q.attributes),
		...q.orders.map((o) => o.attribute),
	];
	const walk = (f: FetchFilter) =>
		f.children.forEach((c) => (c.kind === 'filter' ? walk(c) : out.push(c.attribute)));
	if (q.filter) walk(q.filter);
	return out;
}

export function parseFetchXml(xml: string, resolve?: EntityResolver): FetchQuery {
	let root: XmlElement;
	try {
		root = parseXml(xml);
	} catch (err) {
		if (err instanceof XmlSyntaxError)
			throw invalid(`Invalid XML: ${err.message} (position ${err.pos}).`);
		throw err;
	}
	if (root.name !== 'fetch') throw invalid(`The root element must be 'fetch', not '${root.name}'.`);
	const entities = root.children.filter((c) => c.name === 'entity');
	if (entities.length !== 1)
		throw invalid('The fetch element must contain exactly one entity element.');
	const entity = entities[0];
	const name = entity.attrs.name;
	if (!name) throw invalid("The 'name' attribute is required on the entity element.");

	const q: FetchQuery = {
		entity: name,
		attributes: [],
		orders: [],
		distinct: bool(root, 'distinct'),
		returnTotalRecordCount: bool(root, 'returntotalrecordcount'),
	};
	const count = positiveInt(root, 'count');
	const page = positiveInt(root, 'page');
	const top = positiveInt(root, 'top');
	if (count !== undefined) q.count = count;
	if (page !== undefined) q.page = page;
	if (top !== undefined) q.top = top;
	if (root.attrs['paging-cookie']) q.pagingCookie = root.attrs['paging-cookie'];

	// Dataverse refuses `top` together with any paging attribute, naming the attribute it met.
	if (top !== undefined) {
		const clash = (['page', 'count', 'returntotalrecordcount'] as const).find((a) =>
			a === 'returntotalrecordcount' ? q.returnTotalRecordCount : root.attrs[a] !== undefined,
		);
		if (clash) throw invalid(`The top attribute can't be specified with paging attribute ${clash}`);
		if (top > MAX_PAGE_SIZE)
			throw invalid(`The top attribute value ${top} exceeds the maximum of ${MAX_PAGE_SIZE}.`);
	}

	let all = false;
	const filters: FetchFilter[] = [];
	for (const c of entity.children) {
		if (c.name === 'attribute') {
			if (!c.attrs.name)
				throw invalid("The 'name' attribute is required on the attribute element.");
			(q.attributes as string[]).push(c.attrs.name);
		} else if (c.name === 'all-attributes') all = true;
		else if (c.name === 'order') {
			if (!c.attrs.attribute)
				throw invalid("The 'attribute' attribute is required on the order element.");
			q.orders.push({ attribute: c.attrs.attribute, descending: bool(c, 'descending') });
		} else if (c.name === 'filter') filters.push(parseFilter(c));
		else throw invalid(`The element '${c.name}' is not supported by this simulator.`);
	}
	if (all || !(q.attributes as string[]).length) q.attributes = 'all';
	if (filters.length === 1) q.filter = filters[0];
	else if (filters.length > 1) q.filter = { kind: 'filter', type: 'and', children: filters };

	if (resolve) {
		const info = resolve(name);
		if (!info)
			throw new FetchXmlError(
				404,
				NO_ENTITY,
				`The entity with a name = '${name}' with namemapping = 'Logical' was not found in the MetadataCache.`,
			);
		q.entitySetName = info.entitySetName;
		if (info.attributes) {
			const known = new Set(info.attributes);
			const unknown = namedColumns(q).find((a) => !known.has(a));
			if (unknown !== undefined)
				throw new FetchXmlError(
					400,
					NO_ATTRIBUTE,
					`'${name}' entity doesn't contain attribute with Name = '${unknown}' and NameMapping = 'Logical'.`,
				);
		}
	}
	return q;
}
