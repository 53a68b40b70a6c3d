/**
 * What first-contact matching (match.ts) may leave out, decided once per run from both sides' schemas and
 * capabilities — never from the CRM's name.
 *
 * 1. The OWN-side look-up of a key (which exists only to see two records of the record's own side with the same
 *    key value) is skipped when such two records cannot exist: the own field is one the CRM keeps unique
 *    (`describe` → `unique`, or one of `capabilities().upsertKeys`), AND the key's normalize mode cannot merge two
 *    values the CRM holds apart: `none` (our canonical value is the text itself: two distinct stored values stay
 *    two canonical values), or `email` on a field the CRM compares case-insensitively (`caseInsensitiveKeys`: the
 *    CRM's uniqueness already treats `A@x.com` and `a@x.com` as one value, as `email` does; both trim). `text`,
 *    `phone` and `domain` merge values a unique constraint holds apart ("+1 555" / "1555", "www.x.com" / "x.com"),
 *    and `email` on a case-sensitive field merges "A@x.com" / "a@x.com": those keep the look-up. Two records of the
 *    same page with the same canonical value are still reported ambiguous (in memory, no call).
 * 2. A one-way sync's first contact is an UPSERT by the key on the target instead of a look-up there followed by a
 *    create: when the sync and every mapped field flow towards the target, the key's target field is one of the
 *    target's `upsertKeys`, the key's mode makes the CRM's own comparison of that key agree with ours (`email` on a
 *    case-insensitive key; `none` on a key compared exactly), and the key's target field, when it is mapped, is
 *    mapped from the key's own field without a transform (the value written to it is the one matched on). Not in blocks mode (the workflow's own write
 *    nodes send the writes there) — those keep the look-up.
 */
import type { CrmConnector } from '../connectors/contract';
import type { ResolvedConfig, MatchKey } from './config';
import type { Side } from './store/types';

export interface KeyRules {
	/** Per side and match key (by index): the own-side ambiguity look-up is skipped (rule 1). */
	uniqueOwn: Record<Side, boolean[]>;
	/** Per TARGET side and match key: a record whose first key with a value is this one is upserted (rule 2). */
	upsertTo: Record<Side, boolean[]>;
}

interface SideInfo {
	connector: CrmConnector;
	objectType: string;
}

const flowTowards = (to: Side) => (to === 'b' ? 'aToB' : 'bToA');

/** The rules of a run (`upserts: false` in blocks mode). */
export async function keyRules(
	cfg: ResolvedConfig,
	sides: Record<Side, SideInfo>,
	upserts: boolean,
): Promise<KeyRules> {
	const info = async (s: Side) => {
		const { connector, objectType } = sides[s];
		const [schema, caps] = await Promise.all([
			connector.describe(objectType),
			connector.capabilities(objectType),
		]);
		return {
			unique: new Set(schema.fields.filter((f) => f.unique).map((f) => f.name)),
			upsertKeys: new Set(caps.upsertKeys),
			caseless: new Set(caps.caseInsensitiveKeys),
		};
	};
	const both = { a: await info('a'), b: await info('b') };
	const uniqueOwn = (s: Side, k: MatchKey) => {
		const field = k[s];
		const i = both[s];
		if (!i.unique.has(field) && !i.upsertKeys.has(field)) return false;
		return k.normalize === 'none' || (k.normalize === 'email' && i.caseless.has(field));
	};
	const upsertTo = (to: Side, k: MatchKey) => {
		if (!upserts || cfg.direction !== flowTowards(to)) return false;
		if (cfg.fields.some((f) => f.direction !== cfg.direction)) return false;
		const field = k[to];
		const i = both[to];
		if (!i.upsertKeys.has(field)) return false;
		const agrees =
			(k.normalize === 'email' && i.caseless.has(field)) ||
			(k.normalize === 'none' && !i.caseless.has(field));
		const from: Side = to === 'b' ? 'a' : 'b';
		// Mapped from another field, or transformed: the value written to the key field is not the one matched on.
		const other = cfg.fields.some(
			(f) => f[to] === field && (f[from] !== k[from] || !!(to === 'b' ? f.toB : f.toA)?.length),
		);
		return agrees && !other;
	};
	return {
		uniqueOwn: {
			a: cfg.matchKeys.map((k) => uniqueOwn('a', k)),
			b: cfg.matchKeys.map((k) => uniqueOwn('b', k)),
		},
		upsertTo: {
			a: cfg.matchKeys.map((k) => upsertTo('a', k)),
			b: cfg.matchKeys.map((k) => upsertTo('b', k)),
		},
	};
}
