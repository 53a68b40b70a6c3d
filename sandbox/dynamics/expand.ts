/**
 * `$expand` for the Dataverse simulator (learn.microsoft.com, *Join tables using OData*): single-valued navigation
 * properties (`primarycontactid($select=fullname)`, chains of them nested with `$expand`), collection-valued ones
 * (`contact_customer_accounts($select=fullname;$filter=…;$orderby=…;$top=…)`, one level) and `nav/$ref`.
 *
 * Parsing checks everything before a row is read; {@link expandRow} adds the expanded properties to one row. Rows of a
 * collection GET (`list`) and of a single-row GET (`entity`) differ as Microsoft's examples do: in a list, single-valued
 * expansions carry no `@odata.etag`, collection-valued ones carry the referencing lookup (`_parentcustomerid_value`)
 * and a `{nav}@odata.nextLink` without paging information; a single row gets neither.
 */
import { HttpError } from '../kit';
import type { DvData, Fields, Rec } from './data';
import {
	matches,
	ODataQueryError,
	parseFilter,
	parseOrderBy,
	parseTop,
	propertyNotFound,
	syntaxError,
	type Comparator,
	type EntitySchema,
	type FilterNode,
} from './odata';
import {
	addPathValues,
	filterPaths,
	findNavigation,
	navigationSchema,
	navTarget,
	referencedRow,
	relatedRows,
	type NavProp,
} from './navigation';
import { wireName, type TableDef } from './schema';
import { encodeQueryValue } from './wire';

/** "You can include up to 15 `$expand` options in a query." */
export const MAX_EXPANDS = 15;
/** Rows a collection-valued expansion returns at most (no paging inside a single-level expansion). */
const MAX_EXPANDED_ROWS = 5000;

export interface ExpandItem {
	name: string;
	nav: NavProp;
	/** `nav/$ref`: references instead of rows (single-valued only). */
	ref: boolean;
	select?: string[];
	filter?: FilterNode;
	/** Lookup paths the nested `$filter` reads (`parentcustomerid_contact/lastname`). */
	paths: string[];
	order?: Comparator;
	top?: number;
	expand: ExpandItem[];
	/** The nested options as written (`[['$select', 'fullname']]`), for the collection's `@odata.nextLink`. */
	options: Array<[string, string]>;
}

export interface ExpandContext {
	mode: 'list' | 'entity';
	annotate: boolean;
	/** `{serverUrl}/api/data/v9.2`. */
	apiUrl: string;
	now: number;
}

/** The query schema of a table for `$filter` / `$orderby` inside `$expand`. */
export function expandSchema(data: DvData, t: TableDef): EntitySchema {
	return { entity: t.logicalName, attributes: data.selectable(t), primaryKey: t.primaryId };
}

/** Splits at `sep` outside parentheses and quoted strings. */
export function splitTopLevel(text: string, sep: string): Array<{ part: string; at: number }> {
	const out: Array<{ part: string; at: number }> = [];
	let depth = 0;
	let quoted = false;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === "'") quoted = !quoted;
		else if (!quoted && c === '(') depth++;
		else if (!quoted && c === ')') depth--;
		else if (!quoted && depth === 0 && c === sep) {
			out.push({ part: text.slice(start, i), at: start });
			start = i + 1;
		}
	}
	out.push({ part: text.slice(start), at: start });
	return out;
}

const notSimulated = (what: string) =>
	new HttpError(501, `${what}: not simulated by the Dataverse sandbox.`, '0x80040216');

/** Parses `$expand` against table `t`; every name and nested option is checked here. */
export function parseExpand(data: DvData, t: TableDef, text: string): ExpandItem[] {
	const items = parseLevel(data, t, text, 0);
	let count = 0;
	const walk = (list: ExpandItem[]) =>
		list.forEach((i) => {
			count++;
			walk(i.expand);
		});
	walk(items);
	if (count > MAX_EXPANDS)
		throw new ODataQueryError(
			`The query has ${count} $expand options; Dataverse allows at most ${MAX_EXPANDS}.`,
		);
	// Nested `$expand` anywhere turns on paging inside expanded collections (and refuses `$top` / `$orderby`
	// there): the sandbox does not simulate that combination.
	const nested = items.some((i) => i.expand.length > 0);
	if (nested && items.some((i) => i.nav.kind !== 'single'))
		throw notSimulated('Nested $expand together with a collection-valued navigation property');
	if (items.length > 1 && items.some((i) => i.nav.kind === 'manyToMany'))
		throw new ODataQueryError(
			'A many-to-many navigation property cannot be expanded together with other navigation properties.',
		);
	return items;
}

function parseLevel(data: DvData, t: TableDef, text: string, depth: number): ExpandItem[] {
	return splitTopLevel(text, ',').map(({ part, at }) => {
		const m = /^\s*([A-Za-z_]\w*)(\/\$ref)?\s*(?:\(([\s\S]*)\))?\s*$/.exec(part);
		if (!m) throw syntaxError(at, text);
		const [, name, ref, inner] = m;
		const nav = findNavigation(data, t, name);
		if (!nav) {
			if (data.selectable(t).has(name))
				throw new ODataQueryError(
					`Property '${name}' on type 'Microsoft.Dynamics.CRM.${t.logicalName}' is not a navigation property or complex property. Only navigation properties can be expanded.`,
				);
			throw propertyNotFound(name, t.logicalName);
		}
		if (ref && nav.kind !== 'single')
			throw new ODataQueryError(
				'Expand with $ref is only supported on lookup type navigation property.',
			);
		if (depth > 0 && nav.kind !== 'single')
			throw notSimulated(`Nested $expand of the collection-valued navigation property '${name}'`);
		const item: ExpandItem = { name, nav, ref: !!ref, expand: [], options: [], paths: [] };
		if (inner !== undefined && inner.trim() !== '') {
			if (ref) throw syntaxError(at + part.indexOf('('), text);
			parseOptions(data, item, inner, depth);
		}
		return item;
	});
}

function parseOptions(data: DvData, item: ExpandItem, text: string, depth: number): void {
	const target = navTarget(item.nav);
	const schema = expandSchema(data, target);
	for (const { part } of splitTopLevel(text, ';')) {
		const m = /^\s*(\$?\w+)\s*=([\s\S]*)$/.exec(part);
		if (!m)
			throw new ODataQueryError(`The $expand options of '${item.name}' are not valid: '${part}'.`);
		const [, option, value] = m;
		item.options.push([option, value]);
		switch (option) {
			case '$select':
				item.select = value.split(',').map((s) => s.trim());
				for (const s of item.select)
					if (!data.selectable(target).has(s)) throw propertyNotFound(s, target.logicalName);
				break;
			case '$filter':
				item.filter = parseFilter(value, { ...schema, ...navigationSchema(data, target) });
				item.paths = filterPaths(item.filter);
				break;
			case '$orderby':
			case '$top':
				if (item.nav.kind === 'single')
					throw new ODataQueryError(
						'Only $select and $filter clause can be provided while doing $expand on many-to-one relationship or nested one-to-many relationship.',
					);
				if (option === '$top') item.top = parseTop(value);
				else item.order = parseOrderBy(value, schema);
				break;
			case '$expand':
				item.expand = parseLevel(data, target, value, depth + 1);
				break;
			default:
				// The docs: `$skip`, `$count`, `$search` and `$levels` aren't supported inside `$expand` (wording ours).
				throw new ODataQueryError(
					`The query option '${option}' is not supported inside $expand by the Dataverse Web API (only $select, $filter, $orderby, $top and $expand).`,
				);
		}
	}
}

/** The select list of `@odata.context`: `(name,primarycontactid(fullname),contact_customer_accounts())`. */
export function contextSelect(select: string[] | undefined, items: ExpandItem[]): string {
	if (!select && items.length === 0) return '';
	return `(${selectList(select, items)})`;
}

function selectList(select: string[] | undefined, items: ExpandItem[]): string {
	const parts = [...(select ?? [])];
	for (const i of items) {
		if (i.ref) parts.push(i.name, `${i.name}/$ref()`);
		else parts.push(`${i.name}(${selectList(i.select, i.expand)})`);
	}
	return parts.join(',');
}

/** The expanded properties of one row (to be merged into its wire form). */
export function expandRow(
	data: DvData,
	t: TableDef,
	rec: Rec,
	items: ExpandItem[],
	ctx: ExpandContext,
): Fields {
	const out: Fields = {};
	for (const item of items) {
		const nav = item.nav;
		if (nav.kind === 'single') {
			const target = referencedRow(data, nav, rec);
			if (item.ref) {
				// Microsoft's example returns the lookup value next to the reference.
				out[wireName(nav.attr)] = target ? target.id : null;
				out[item.name] = target
					? { '@odata.id': `${ctx.apiUrl}/${nav.target.entitySetName}(${target.id})` }
					: null;
				continue;
			}
			out[item.name] = target ? singleRow(data, nav.target, target, item, ctx) : null;
			continue;
		}
		const child = navTarget(nav);
		let rows = relatedRows(data, t, nav, rec).map((r) => ({
			r,
			w: addPathValues(data, child, r, data.toWire(child, r), item.paths),
		}));
		if (item.filter) {
			const f = item.filter;
			rows = rows.filter((x) => matches(f, x.w, { now: ctx.now }));
		}
		if (item.order) {
			const o = item.order;
			rows.sort((a, b) => o(a.w, b.w));
		}
		rows = rows.slice(0, Math.min(item.top ?? MAX_EXPANDED_ROWS, MAX_EXPANDED_ROWS));
		out[item.name] = rows.map(({ r }) => {
			const row = data.toWire(child, r, item.select, ctx.annotate);
			// In a list, Microsoft's example shows the referencing lookup on each expanded row.
			if (ctx.mode === 'list' && nav.kind === 'oneToMany') {
				const a = child.attributes.find((x) => x.logicalName === nav.rel.lookup)!;
				row[wireName(a)] = rec.id;
			}
			return row;
		});
		if (ctx.mode === 'list') {
			const query = item.options.map(([k, v]) => `${k}=${encodeQueryValue(v)}`).join('&');
			out[`${item.name}@odata.nextLink`] =
				`${ctx.apiUrl}/${t.entitySetName}(${rec.id})/${item.name}${query ? `?${query}` : ''}`;
		}
	}
	return out;
}

function singleRow(
	data: DvData,
	t: TableDef,
	rec: Rec,
	item: ExpandItem,
	ctx: ExpandContext,
): Fields | null {
	const wire = addPathValues(data, t, rec, data.toWire(t, rec), item.paths);
	if (item.filter && !matches(item.filter, wire, { now: ctx.now })) return null;
	const row = data.toWire(t, rec, item.select, ctx.annotate);
	if (ctx.mode === 'list') delete row['@odata.etag'];
	// A systemuser is a principal: Dataverse returns `ownerid` (same value) next to `systemuserid`.
	if (t.logicalName === 'systemuser') row.ownerid = rec.id;
	return Object.assign(row, expandRow(data, t, rec, item.expand, ctx));
}
