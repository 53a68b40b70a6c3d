/**
 * Records whose field equals each value, through the profile's `find` endpoint (one value per request, or several
 * with `multiple`), kept only when the field really equals a value (an API that ignores the filter still answers
 * right), with the API's time of the last answer (for settling lost creates).
 */
import { CrmError } from '../../http';
import type { CrmRecord } from '../../records/types';
import { at, readPages, type Requester } from './endpoint';
import type { ObjectProfile, ReadEndpoint } from './profile';
import { toRecord } from './records';

/** Most values per look-up request (`find.multiple`). */
export const LOOKUP = 50;

/** The matches of each value (in the order of `values`) and the API's time of the last answer. */
export async function findRecords(
	client: Requester,
	o: ObjectProfile,
	type: string,
	source: string,
	field: string,
	values: string[],
	fields?: string[],
): Promise<{ matches: CrmRecord[][]; serverTime?: number }> {
	const find = o.find;
	if (!find)
		throw new CrmError(
			`The profile cannot look ${type} up by field (capabilities().keyLookup is false) — add objects.${type}.find with the filter parameter, e.g. {"param": "filter[{field}]"}`,
			{ kind: 'validation' },
		);
	const endpoint: ReadEndpoint = {
		path: find.path ?? o.list.path,
		recordsPath: find.recordsPath ?? o.list.recordsPath,
		paging: find.paging ?? o.list.paging,
		query: find.query ?? o.list.query,
	};
	const folded = o.fields?.some((f) => f.name === field && f.caseInsensitive) ?? false;
	const norm = (v: unknown) => (folded ? String(v).toLowerCase() : String(v));
	const found = new Map<string, CrmRecord[]>();
	const wanted = [...new Set(values.map(norm))];
	const step = find.multiple ? LOOKUP : 1;
	let serverTime: number | undefined;
	for (let i = 0; i < wanted.length; i += step) {
		const some = wanted.slice(i, i + step);
		const qs = { [find.param.replace('{field}', field)]: some };
		for await (const page of readPages(client, endpoint, qs, `objects.${type}.find`)) {
			serverTime = page.serverTime;
			for (const raw of page.records) {
				const key = norm(at(raw, field));
				if (!some.includes(key)) continue;
				const list = found.get(key) ?? [];
				list.push(toRecord(o, type, source, raw, fields));
				found.set(key, list);
			}
		}
	}
	return { matches: values.map((v) => found.get(norm(v)) ?? []), serverTime };
}
