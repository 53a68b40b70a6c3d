/**
 * Look-ups by value in a `$filter` answered from an index instead of a scan of the table: `col eq 'v'`, an `or` of
 * those on one column, and `Microsoft.Dynamics.CRM.In(PropertyName='col',PropertyValues=[…])` (what a client's
 * look-up by key sends), on the primary key or a text column, anywhere an `and` makes them necessary. The index only
 * narrows the rows: the whole filter is still evaluated on each candidate (`odataMatch.ts`), so the answer is the
 * scan's, row for row, and the order is set by the sort that follows.
 *
 * Dataverse compares strings with its collation (case-insensitive, accent-sensitive). For printable ASCII that is
 * exactly equality of the lower-cased text, so a row is filed under its lower-cased value when that is printable
 * ASCII, and under {@link OTHER} when it holds anything else (a row any value might match by the collation, always a
 * candidate); a look-up for a value that is not printable ASCII, or not a string, is left to the scan.
 */
import type { DvData, Rec } from './data';
import type { FilterNode, Operand } from './odataFilter';
import { isLookup, type TableDef } from './schema';

/** The key of rows whose text the index cannot fold (compared by the collation on every look-up). */
const OTHER = '\u0000other';
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const TEXT = new Set(['String', 'Memo', 'Uniqueidentifier']);

/** The rows the filter can match (live, in creation order), or undefined when no index answers it. */
export function indexedRows(data: DvData, t: TableDef, filter: FilterNode): Rec[] | undefined {
	const wanted = lookups(t, filter);
	if (!wanted) return undefined;
	const coll = data.coll(t);
	const index = `filter:${wanted.column}`;
	if (!coll.hasIndex(index)) coll.defineIndex(index, (r) => fileUnder(t, wanted.column, r));
	const found = new Map<string, Rec>();
	for (const key of [...wanted.keys, OTHER])
		for (const r of coll.lookup(index, key)) if (r.deletedAt === null) found.set(r.id, r);
	return [...found.values()].sort((a, b) => a.position - b.position);
}

/** Where a row is filed in the index of `column`: its folded text, {@link OTHER}, or nowhere (null: never equal). */
function fileUnder(t: TableDef, column: string, r: Rec): string | undefined {
	if (r.deletedAt !== null) return undefined;
	const v = column === t.primaryId ? r.id : r.fields[column];
	if (v === null || v === undefined) return undefined;
	return typeof v === 'string' && PRINTABLE_ASCII.test(v) ? v.toLowerCase() : OTHER;
}

/** The column and folded values a filter needs a row to equal one of, if an index can tell. */
function lookups(t: TableDef, node: FilterNode): { column: string; keys: string[] } | undefined {
	switch (node.kind) {
		case 'and':
			return lookups(t, node.left) ?? lookups(t, node.right);
		case 'or': {
			const l = lookups(t, node.left);
			const r = lookups(t, node.right);
			return l && r && l.column === r.column
				? { column: l.column, keys: [...l.keys, ...r.keys] }
				: undefined;
		}
		case 'compare': {
			if (node.op !== 'eq') return undefined;
			const [col, lit] =
				node.left.kind === 'property' ? [node.left, node.right] : [node.right, node.left];
			return col.kind === 'property' ? equalTo(t, col.name, [literal(lit)]) : undefined;
		}
		case 'crm':
			return node.fn === 'In' ? equalTo(t, node.property, node.values) : undefined;
		default:
			return undefined;
	}
}

function literal(operand: Operand): unknown {
	return operand.kind === 'literal' && (operand.type === 'string' || operand.type === 'guid')
		? operand.value
		: undefined;
}

function equalTo(
	t: TableDef,
	column: string,
	values: readonly unknown[],
): { column: string; keys: string[] } | undefined {
	const a = t.attributes.find((x) => x.logicalName === column);
	if (!a || isLookup(a) || !(TEXT.has(a.type) || column === t.primaryId)) return undefined;
	const keys: string[] = [];
	for (const v of values) {
		if (typeof v !== 'string' || !PRINTABLE_ASCII.test(v)) return undefined;
		keys.push(v.toLowerCase());
	}
	return { column, keys };
}
