/**
 * Reading every field of an object without waiting for its `describe` when the same fields were described before:
 * the first query goes out with the fields last seen (for the same connection key and object) while the describe is
 * on its way, and its records are used only when the describe lists exactly those fields — so the result is always the
 * query a describe made in this run gives. When the fields changed, the early page is dropped and the query is sent
 * again with the fields described (one request more).
 */
import { soqlIdentifier } from '../../query/soql';
import type { QueryOptions, SalesforceConnector, SalesforceRecord } from './connector';

/** Fields last described, by connection key and object; the oldest entries go past this many. */
const MAX_REMEMBERED = 1000;
const remembered = new Map<string, string[]>();

function remember(key: string, fields: string[]): void {
	remembered.delete(key);
	remembered.set(key, fields);
	if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
}

const sameList = (a: string[], b: string[]) =>
	a.length === b.length && a.every((f, i) => f === b[i]);

/**
 * The pages of `query(every selectable field of object)`, like `queryRecordPages`. With a `connectionKey` (the
 * credential: what a user may see of an object is the user's), a run after the first overlaps the describe and the
 * first page.
 */
export async function* everyFieldPages(
	connector: SalesforceConnector,
	object: string,
	query: (fields: string[]) => string,
	options: QueryOptions & { limit?: number },
	connectionKey: string | undefined,
): AsyncGenerator<SalesforceRecord[], void, undefined> {
	const key = connectionKey && `${connectionKey}\n${soqlIdentifier(object).toLowerCase()}`;
	const guess = key ? remembered.get(key) : undefined;
	const describing = connector.selectableFields(object);
	if (!guess) {
		const fields = await describing;
		if (key) remember(key, fields);
		yield* connector.queryRecordPages(query(fields), options);
		return;
	}
	const early = connector.queryRecordPages(query(guess), options);
	const first = early.next();
	// Used below only when the describe agrees; its failure then is the read's, otherwise nobody's.
	first.catch(() => undefined);
	let fields: string[];
	try {
		fields = await describing;
	} catch (error) {
		void early.return(undefined).catch(() => undefined);
		throw error;
	}
	remember(key as string, fields);
	if (!sameList(fields, guess)) {
		void early.return(undefined).catch(() => undefined);
		yield* connector.queryRecordPages(query(fields), options);
		return;
	}
	const page = await first;
	if (page.done) return;
	yield page.value;
	yield* early;
}
