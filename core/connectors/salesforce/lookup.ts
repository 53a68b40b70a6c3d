/**
 * Records looked up by many values of one field: `SELECT … WHERE Field IN (…)` in chunks whose query URL stays
 * within Salesforce's limit (16,384 bytes for the URI and the headers of one REST call together; a longer URI is
 * refused with 414), up to `concurrency` of them in flight at once. Values are bound with the `soql` template, so
 * none can change the query. Used by the lost-create settling of Collections writes and by the connector contract's
 * `getByIds` / `findByKeys`.
 */
import { inOrder } from '../../batching/inOrder';
import { soql, SoqlFragment, type SoqlValue } from '../../query/soql';

/** Most values in one look-up query. */
export const LOOKUP_MAX_VALUES = 200;

/** Characters of `/services/data/vXX.X/query?q=<encoded SOQL>` a look-up may use: half the URI + headers limit, leaving room for the headers. */
export const LOOKUP_URL_BUDGET = 8_000;

/** `/services/data/v62.0/query?q=` and the instance host, counted generously. */
const URL_OVERHEAD = 120;

/** What a look-up needs of the connector. */
export interface LookupHost {
	queryRecords(
		query: { text: string },
		options?: { signal?: AbortSignal; includeDeleted?: boolean },
	): AsyncGenerator<Record<string, unknown>, void, undefined>;
}

/** One look-up: records of `object` whose `field` is one of `values`. */
export interface LookupQuery {
	object: string;
	field: string;
	/** The values, already of the field's type (numbers for numeric fields); bound as SOQL literals. */
	values: ReadonlyArray<SoqlValue | SoqlFragment>;
	/** The fields to read (repeated names, in any case, are read once, where they first appear). */
	select: readonly string[];
	signal?: AbortSignal;
	/** Most values per query (default {@link LOOKUP_MAX_VALUES}). */
	maxValues?: number;
	/** URL length budget per query (default {@link LOOKUP_URL_BUDGET}). */
	urlBudget?: number;
	/**
	 * Queries in flight at once (default 1: one after another). Each query's records are collected before they are
	 * handed out, so at most this many queries' records are held; the order stays that of the values.
	 */
	concurrency?: number;
}

const encodedLength = (text: string): number => encodeURIComponent(text).length;

/** The queries of a look-up: every value in exactly one, each within the count and URL budgets (a value too long alone gets its own query). */
export function lookupQueries(query: LookupQuery): SoqlFragment[] {
	const max = query.maxValues ?? LOOKUP_MAX_VALUES;
	const budget = query.urlBudget ?? LOOKUP_URL_BUDGET;
	const select = query.select.filter(
		(f, i) => query.select.findIndex((g) => g.toLowerCase() === f.toLowerCase()) === i,
	);
	const head = soql`SELECT ${soql.ids(select)} FROM ${soql.id(query.object)} WHERE ${soql.id(query.field)} IN `;
	const base = URL_OVERHEAD + encodedLength(head.text) + encodedLength('()');
	// Each literal is bound by the soql template (quoted, escaped); a chunk is only those literals joined by commas.
	const literals = query.values.map((v) => soql`${v}`.text);
	const comma = encodedLength(',');
	const queries: SoqlFragment[] = [];
	let chunk: string[] = [];
	let length = base;
	const flush = () => {
		if (chunk.length > 0) queries.push(new SoqlFragment(`${head.text}(${chunk.join(',')})`));
		chunk = [];
		length = base;
	};
	for (const literal of literals) {
		const size = encodedLength(literal);
		if (chunk.length > 0 && (chunk.length >= max || length + comma + size > budget)) flush();
		length += (chunk.length > 0 ? comma : 0) + size;
		chunk.push(literal);
	}
	flush();
	return queries;
}

/** Streams the records of every chunk of a look-up (Salesforce's order within a chunk; chunks in value order). */
export async function* lookupRecords(
	host: LookupHost,
	query: LookupQuery,
): AsyncGenerator<Record<string, unknown>, void, undefined> {
	const queries = lookupQueries(query);
	if ((query.concurrency ?? 1) <= 1 || queries.length <= 1) {
		for (const q of queries)
			for await (const record of host.queryRecords(q, { signal: query.signal })) yield record;
		return;
	}
	const collect = async (q: SoqlFragment) => {
		const records: Array<Record<string, unknown>> = [];
		for await (const record of host.queryRecords(q, { signal: query.signal })) records.push(record);
		return records;
	};
	for await (const records of inOrder(queries, query.concurrency ?? 1, collect)) yield* records;
}
