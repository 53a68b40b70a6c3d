/**
 * First contact: linking a record to its partner on the other side by the ordered match keys. A record is linked
 * only when its key value finds exactly one record on the other side AND exactly one on its own side (itself), and
 * that partner is not linked to another record; two candidates on either side are reported ambiguous and left
 * unlinked (never guessed, never created on the other side, where they would collide). Lookups are batched per
 * page: one findByKeys per key and side for all the page's values. Two look-ups may be left out (firstContact.ts):
 * the own side's, where the CRM keeps the key unique (two records of the page with one value are still seen, in
 * memory); and the other side's, for a one-way sync's first contact by a key the target can upsert by — the
 * outcome is then `upsert` (plan.ts writes it as an upsert by that key; outcomes.ts `upsertState` links it).
 */
import type { CrmConnector } from '../connectors/contract';
import type { CrmRecord } from '../records/types';
import type { MatchKey, Normalize } from './config';
import type { Side, SyncLink } from './store/types';

/** Canonical form of a key value ('' when blank). */
export function normalizeKey(value: unknown, mode: Normalize = 'text'): string {
	if (value === null || value === undefined) return '';
	const text = String(Array.isArray(value) ? value.join(';') : value);
	switch (mode) {
		case 'none':
			return text.trim() === '' ? '' : text;
		case 'email':
			return text.trim().toLowerCase();
		case 'phone':
			return text.replace(/\D+/g, '');
		case 'domain':
			return text
				.trim()
				.toLowerCase()
				.replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
				.replace(/^[^@/]*@/, '')
				.replace(/^www\./, '')
				.replace(/[/?#:].*$/, '')
				.replace(/\.$/, '');
		default:
			return text.trim().replace(/\s+/g, ' ').toLowerCase();
	}
}

/** What matching found for one record. */
export type MatchOutcome =
	| {
			kind: 'matched';
			partner: CrmRecord;
			key: MatchKey;
			value: string;
			/**
			 * The partner's pending link (a create to this side written ahead, not settled yet — younger than the grace):
			 * the record matched is that create's result, so the pair takes over the pending link's id.
			 */
			pendingLinkId?: string;
	  }
	| { kind: 'ambiguous'; key: MatchKey; value: string; reason: string; candidates: string[] }
	/** Not looked up on the other side: written there as an upsert by `key` (firstContact.ts, rule 2). */
	| { kind: 'upsert'; key: MatchKey; value: string }
	| { kind: 'none' };

export interface MatchSides {
	own: { side: Side; connector: CrmConnector; objectType: string };
	other: { side: Side; connector: CrmConnector; objectType: string; fields: string[] };
	/** The links of other-side ids (to refuse a partner linked elsewhere). */
	linksOfOther(ids: string[]): Promise<Map<string, SyncLink>>;
	/**
	 * Per match key (by index), from firstContact.ts: `uniqueOwn` — the own side cannot hold two records with one
	 * canonical value (no own-side look-up); `upsert` — a record whose FIRST key with a value is this one is not
	 * looked up on the other side but upserted there by it. Absent: look up both sides.
	 */
	rules?: { uniqueOwn: boolean[]; upsert: boolean[] };
}

const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

/** Distinct lookup values for a canonical value: the raw (trimmed) form and the canonical one. */
function lookupValues(raw: unknown, canonical: string): string[] {
	const trimmed = String(raw).trim();
	return trimmed === canonical ? [canonical] : [trimmed, canonical];
}

async function lookup(
	connector: CrmConnector,
	objectType: string,
	field: string,
	wanted: Array<{ raw: unknown; canonical: string }>,
	normalize: Normalize | undefined,
	fields: string[],
): Promise<Map<string, CrmRecord[]>> {
	const values = [...new Set(wanted.flatMap((w) => lookupValues(w.raw, w.canonical)))];
	const found = values.length ? await connector.findByKeys(objectType, field, values, fields) : [];
	const byCanonical = new Map<string, Map<string, CrmRecord>>();
	for (const matches of found)
		for (const r of matches) {
			const canonical = normalizeKey(r.fields[field], normalize);
			if (!r.id || !canonical) continue;
			const bucket = byCanonical.get(canonical) ?? new Map<string, CrmRecord>();
			bucket.set(r.id, r);
			byCanonical.set(canonical, bucket);
		}
	return new Map([...byCanonical].map(([k, v]) => [k, [...v.values()]]));
}

/**
 * Matches the unlinked records of one page (all from side `sides.own.side`) against the other side, key by key:
 * a record whose first key with a value finds nothing goes on to the next key; no key found → `none` (a create).
 */
export async function matchRecords(
	records: CrmRecord[],
	keys: MatchKey[],
	sides: MatchSides,
	/** Other-side ids already taken in this run. */
	claimed: Set<string>,
): Promise<MatchOutcome[]> {
	const out: MatchOutcome[] = records.map(() => ({ kind: 'none' }));
	let open = records.map((_, i) => i);
	const ownSide = sides.own.side;
	/** Records that had a value for an earlier key (found nothing by it): this key is not their first. */
	const tried = new Set<number>();
	for (const [k, key] of keys.entries()) {
		if (!open.length) break;
		const ownField = key[ownSide];
		const otherField = key[other(ownSide)];
		const wanted = open
			.map((i) => ({
				i,
				raw: records[i].fields[ownField],
				canonical: normalizeKey(records[i].fields[ownField], key.normalize),
			}))
			.filter((w) => w.canonical !== '');
		if (!wanted.length) continue;
		// Upserted by this key: the records for which it is the first key with a value (rule 2).
		const upserted = new Set(
			sides.rules?.upsert[k] ? wanted.filter((w) => !tried.has(w.i)).map((w) => w.i) : [],
		);
		const lookedUp = wanted.filter((w) => !upserted.has(w.i));
		for (const w of wanted) tried.add(w.i);
		const [candidates, peers] = await Promise.all([
			lookup(
				sides.other.connector,
				sides.other.objectType,
				otherField,
				lookedUp,
				key.normalize,
				sides.other.fields,
			),
			sides.rules?.uniqueOwn[k]
				? new Map<string, CrmRecord[]>()
				: lookup(sides.own.connector, sides.own.objectType, ownField, wanted, key.normalize, [
						ownField,
					]),
		]);
		// Two records of this page with one canonical value (what the own-side look-up finds too, when it is made).
		const inPage = new Map<string, Set<string>>();
		for (const w of wanted) {
			const ids = inPage.get(w.canonical) ?? new Set<string>();
			inPage.set(w.canonical, ids.add(records[w.i].id as string));
		}
		const single = wanted
			.map((w) => candidates.get(w.canonical) ?? [])
			.filter((c) => c.length === 1)
			.map((c) => c[0].id as string);
		const taken = single.length ? await sides.linksOfOther(single) : new Map<string, SyncLink>();
		const next: number[] = [];
		for (const w of wanted) {
			const found = upserted.has(w.i) ? [] : (candidates.get(w.canonical) ?? []);
			const own = new Set((peers.get(w.canonical) ?? []).map((r) => r.id));
			for (const id of inPage.get(w.canonical) ?? []) own.add(id);
			const value = w.canonical;
			const ambiguous = (reason: string, ids: string[]) =>
				(out[w.i] = { kind: 'ambiguous', key, value, reason, candidates: ids });
			if (found.length > 1)
				ambiguous(
					`${found.length} records on side ${other(ownSide)} have ${otherField} "${value}"`,
					found.map((r) => r.id as string),
				);
			else if (own.size > 1)
				ambiguous(
					`${own.size} records on side ${ownSide} have ${ownField} "${value}"`,
					[...own].map(String),
				);
			else if (upserted.has(w.i)) out[w.i] = { kind: 'upsert', key, value };
			else if (found.length === 1) {
				const partner = found[0];
				const id = partner.id as string;
				const link = taken.get(id);
				if ((link && link.status !== 'pending') || claimed.has(id))
					ambiguous(
						`the record with ${otherField} "${value}" on side ${other(ownSide)} is already linked to another record`,
						[id],
					);
				else {
					claimed.add(id);
					out[w.i] = {
						kind: 'matched',
						partner,
						key,
						value,
						...(link?.status === 'pending' ? { pendingLinkId: link.linkId } : {}),
					};
				}
			}
		}
		const decided = new Set(wanted.filter((w) => out[w.i].kind !== 'none').map((w) => w.i));
		for (const i of open) if (!decided.has(i)) next.push(i);
		open = next;
	}
	return out;
}

/** The first match-key value a record has for a create on side `target` (the written-ahead lookup key). */
export function pendingKeyFor(
	fieldsOnTarget: Record<string, unknown>,
	keys: MatchKey[],
	target: Side,
): { field: string; value: string } | undefined {
	for (const key of keys) {
		const value = fieldsOnTarget[key[target]];
		if (value !== null && value !== undefined && String(value).trim() !== '')
			return { field: key[target], value: String(value).trim() };
	}
	return undefined;
}
