/**
 * Owner mapping between the two sides of a sync: the users of side a and side b (`CrmConnector.listUsers`) matched
 * by e-mail, as a value map for owner fields (Salesforce `OwnerId` ↔ HubSpot `hubspot_owner_id`) that the sync puts
 * into a field pair's `toB` / `toA` transforms as a core/records `lookup`.
 *
 * - E-mails are compared canonically (trimmed, lower-case).
 * - An e-mail held by two or more users on one side is ambiguous: none of its users is mapped, in either direction,
 *   and the case is reported (guessing would hand records to the wrong person).
 * - Users without an e-mail, or whose e-mail the other side lacks, are unmatched (reported, not mapped).
 * - Inactive users are mapped all the same (records still point at them) and the pairs are listed in `inactive`;
 *   {@link ownerTransform} can leave out pairs whose target user is inactive (a CRM usually refuses to assign a
 *   record to a deactivated user).
 */
import type { CrmConnector, CrmUser } from '../connectors/contract';
import type { Transform } from '../records/types';

/** A user of side a and a user of side b with one e-mail. */
export interface OwnerPair {
	/** The canonical e-mail (trimmed, lower-case). */
	email: string;
	a: CrmUser;
	b: CrmUser;
}

/** An e-mail that several users of one side share: none of them is mapped. */
export interface AmbiguousOwner {
	email: string;
	a: CrmUser[];
	b: CrmUser[];
}

/** The owner map between side a and side b. */
export interface OwnerMap {
	/** Side a user id → side b user id. */
	aToB: Map<string, string>;
	/** Side b user id → side a user id. */
	bToA: Map<string, string>;
	/** Every mapped pair, in the order of side a's users. */
	pairs: OwnerPair[];
	/** The mapped pairs where either user is inactive. */
	inactive: OwnerPair[];
	/** Users with no partner: no e-mail, or an e-mail the other side does not have (ambiguous ones excluded). */
	unmatched: { a: CrmUser[]; b: CrmUser[] };
	/** The users of `unmatched` that have no e-mail at all. */
	withoutEmail: { a: CrmUser[]; b: CrmUser[] };
	/** E-mails held by more than one user of a side: not mapped. */
	ambiguous: AmbiguousOwner[];
}

/** Which way a value goes. */
export type OwnerDirection = 'aToB' | 'bToA';

/** Options of {@link ownerTransform}. */
export interface OwnerTransformOptions {
	/**
	 * An owner id with no partner (unmatched, ambiguous, or not a user at all, e.g. a Salesforce queue):
	 * `error` (default) fails the field, so the record is reported instead of written with a wrong owner;
	 * `keep` leaves the target's owner as it is (the field is not written); `blank` clears it (null).
	 */
	onMissing?: 'error' | 'keep' | 'blank';
	/** Treat pairs whose target user is inactive as missing (default false: map them). */
	skipInactive?: boolean;
}

/** An e-mail in the form users are matched by (undefined when there is none). */
export function canonicalEmail(email: string | undefined | null): string | undefined {
	const canonical = typeof email === 'string' ? email.trim().toLowerCase() : '';
	return canonical === '' ? undefined : canonical;
}

/** The users of one side by canonical e-mail, and those without one. */
function byEmail(users: CrmUser[]): { groups: Map<string, CrmUser[]>; none: CrmUser[] } {
	const groups = new Map<string, CrmUser[]>();
	const none: CrmUser[] = [];
	for (const user of users) {
		const email = canonicalEmail(user.email);
		if (email === undefined) {
			none.push(user);
			continue;
		}
		const group = groups.get(email);
		if (group) group.push(user);
		else groups.set(email, [user]);
	}
	return { groups, none };
}

/** Matches two lists of users by canonical e-mail (see the module notes for the rules). */
export function matchOwners(aUsers: CrmUser[], bUsers: CrmUser[]): OwnerMap {
	const a = byEmail(aUsers);
	const b = byEmail(bUsers);
	const map: OwnerMap = {
		aToB: new Map(),
		bToA: new Map(),
		pairs: [],
		inactive: [],
		unmatched: { a: [...a.none], b: [...b.none] },
		withoutEmail: { a: [...a.none], b: [...b.none] },
		ambiguous: [],
	};
	for (const [email, aGroup] of a.groups) {
		const bGroup = b.groups.get(email);
		if (!bGroup) {
			if (aGroup.length > 1) map.ambiguous.push({ email, a: aGroup, b: [] });
			else map.unmatched.a.push(aGroup[0]);
			continue;
		}
		if (aGroup.length > 1 || bGroup.length > 1) {
			map.ambiguous.push({ email, a: aGroup, b: bGroup });
			continue;
		}
		const pair: OwnerPair = { email, a: aGroup[0], b: bGroup[0] };
		map.pairs.push(pair);
		map.aToB.set(pair.a.id, pair.b.id);
		map.bToA.set(pair.b.id, pair.a.id);
		if (!pair.a.active || !pair.b.active) map.inactive.push(pair);
	}
	for (const [email, bGroup] of b.groups) {
		if (a.groups.has(email)) continue;
		if (bGroup.length > 1) map.ambiguous.push({ email, a: [], b: bGroup });
		else map.unmatched.b.push(bGroup[0]);
	}
	return map;
}

/** A side's `listUsers`, or the error that says it has none. */
function usersOf(side: 'a' | 'b', connector: CrmConnector): NonNullable<CrmConnector['listUsers']> {
	if (!connector.listUsers)
		throw new Error(
			`Side ${side} (${connector.system}) cannot list its users, so owners cannot be mapped — leave the owner field out of the sync, or map it with a fixed lookup table`,
		);
	return connector.listUsers.bind(connector);
}

/** Reads the users of both sides (`listUsers`) and matches them by e-mail. Both sides are checked before any read. */
export async function buildOwnerMap(
	a: CrmConnector,
	b: CrmConnector,
	options: { signal?: AbortSignal } = {},
): Promise<OwnerMap> {
	const listA = usersOf('a', a);
	const listB = usersOf('b', b);
	const aUsers = await listA({ signal: options.signal });
	const bUsers = await listB({ signal: options.signal });
	return matchOwners(aUsers, bUsers);
}

/**
 * The owner map of one direction as a core/records `lookup` transform (for a field pair's `toB` with `aToB`, its
 * `toA` with `bToA`). An empty owner ("" or null) stays empty: it is no missing owner.
 */
export function ownerTransform(
	map: OwnerMap,
	direction: OwnerDirection,
	options: OwnerTransformOptions = {},
): Transform {
	const onMissing = options.onMissing ?? 'error';
	const table: Record<string, unknown> = { '': null };
	for (const pair of map.pairs) {
		const [from, to] = direction === 'aToB' ? [pair.a, pair.b] : [pair.b, pair.a];
		if (options.skipInactive && !to.active) continue;
		table[from.id] = to.id;
	}
	const transform: Transform = { type: 'lookup', table, strict: onMissing === 'error' };
	if (onMissing === 'blank') transform.fallback = null;
	return transform;
}

/** Both directions at once, to spread into a field pair: `{ a: 'OwnerId', b: 'hubspot_owner_id', ...ownerTransforms(map) }`. */
export function ownerTransforms(
	map: OwnerMap,
	options: OwnerTransformOptions = {},
): { toB: Transform[]; toA: Transform[] } {
	return {
		toB: [ownerTransform(map, 'aToB', options)],
		toA: [ownerTransform(map, 'bToA', options)],
	};
}
