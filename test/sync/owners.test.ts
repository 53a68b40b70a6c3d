/** Owner mapping by e-mail (core/sync/owners.ts): matching rules, and the lookup transform through core/records. */
import type { CrmConnector, CrmUser } from '../../core/connectors/contract';
import { compileMapping } from '../../core/records/mapping';
import type { Transform } from '../../core/records/types';
import {
	buildOwnerMap,
	canonicalEmail,
	matchOwners,
	type OwnerMap,
	ownerTransform,
	ownerTransforms,
} from '../../core/sync/owners';

const user = (id: string, email?: string, active = true): CrmUser => ({
	id,
	active,
	...(email === undefined ? {} : { email }),
});
const ids = (users: CrmUser[]) => users.map((u) => u.id);

/** A connector that only lists users (the rest of the contract is not used by owner mapping), counting its calls. */
function usersOnly(system: string, users: CrmUser[]): CrmConnector & { calls: number } {
	const connector = {
		system,
		calls: 0,
		listUsers: async () => {
			connector.calls++;
			return users;
		},
	};
	return connector as unknown as CrmConnector & { calls: number };
}

describe('matchOwners', () => {
	it('matches by canonical e-mail: trimmed and lower-case on both sides', () => {
		expect(canonicalEmail('  Ada@Example.COM ')).toBe('ada@example.com');
		const map = matchOwners(
			[user('005A', '  Ada@Example.COM '), user('005B', 'grace@example.com')],
			[user('h2', 'GRACE@example.com'), user('h1', 'ada@example.com\t')],
		);
		expect([...map.aToB]).toEqual([
			['005A', 'h1'],
			['005B', 'h2'],
		]);
		expect([...map.bToA]).toEqual([
			['h1', '005A'],
			['h2', '005B'],
		]);
		expect(map.pairs.map((p) => p.email)).toEqual(['ada@example.com', 'grace@example.com']);
		expect(map.unmatched).toEqual({ a: [], b: [] });
		expect(map.ambiguous).toEqual([]);
		expect(map.inactive).toEqual([]);
	});

	it('an e-mail shared by two users of one side is ambiguous: none of them mapped, in either direction, and reported', () => {
		const map = matchOwners(
			[user('005A', 'team@example.com'), user('005B', 'Team@Example.com'), user('005C', 'c@x.io')],
			[
				user('h1', 'team@example.com'),
				user('h3', 'c@x.io'),
				user('h4', 'd@x.io'),
				user('h5', 'D@x.io'),
			],
		);
		expect([...map.aToB]).toEqual([['005C', 'h3']]);
		expect([...map.bToA]).toEqual([['h3', '005C']]);
		expect(map.ambiguous).toEqual([
			{
				email: 'team@example.com',
				a: [user('005A', 'team@example.com'), user('005B', 'Team@Example.com')],
				b: [user('h1', 'team@example.com')],
			},
			{ email: 'd@x.io', a: [], b: [user('h4', 'd@x.io'), user('h5', 'D@x.io')] },
		]);
		// Ambiguous users are reported there only, not also as unmatched.
		expect(map.unmatched).toEqual({ a: [], b: [] });
	});

	it('users without an e-mail (none, empty, blank) and e-mails the other side lacks are unmatched', () => {
		const map = matchOwners(
			[
				user('005A'),
				user('005B', ''),
				user('005C', 'only-a@example.com'),
				user('005D', 'both@x.io'),
			],
			[user('h1', '   '), user('h2', 'only-b@example.com'), user('h3', 'BOTH@x.io')],
		);
		expect([...map.aToB]).toEqual([['005D', 'h3']]);
		expect(ids(map.unmatched.a)).toEqual(['005A', '005B', '005C']);
		expect(ids(map.unmatched.b)).toEqual(['h1', 'h2']);
		expect(ids(map.withoutEmail.a)).toEqual(['005A', '005B']);
		expect(ids(map.withoutEmail.b)).toEqual(['h1']);
		expect(map.ambiguous).toEqual([]);
	});

	it('inactive users are mapped and flagged (either side)', () => {
		const map = matchOwners(
			[user('005A', 'a@x.io', false), user('005B', 'b@x.io'), user('005C', 'c@x.io')],
			[user('h1', 'a@x.io'), user('h2', 'b@x.io', false), user('h3', 'c@x.io')],
		);
		expect([...map.aToB]).toEqual([
			['005A', 'h1'],
			['005B', 'h2'],
			['005C', 'h3'],
		]);
		expect(map.inactive.map((p) => [p.a.id, p.b.id])).toEqual([
			['005A', 'h1'],
			['005B', 'h2'],
		]);
	});
});

describe('buildOwnerMap', () => {
	it("reads each side's users once and matches them", async () => {
		const a = usersOnly('salesforce', [user('005A', 'Ada@x.io')]);
		const b = usersOnly('hubspot', [user('h1', 'ada@x.io'), user('h2', 'bob@x.io')]);
		const map = await buildOwnerMap(a, b);
		expect([...map.aToB]).toEqual([['005A', 'h1']]);
		expect(ids(map.unmatched.b)).toEqual(['h2']);
		expect([a.calls, b.calls]).toEqual([1, 1]);
	});

	it('a side without listUsers fails with its name, before either side is read', async () => {
		const a = usersOnly('salesforce', [user('005A', 'a@x.io')]);
		const b = { system: 'rest' } as unknown as CrmConnector;
		await expect(buildOwnerMap(a, b)).rejects.toThrow(/Side b \(rest\) cannot list its users/);
		await expect(buildOwnerMap(b, a)).rejects.toThrow(/Side a \(rest\) cannot list its users/);
		expect(a.calls).toBe(0);
	});
});

describe('ownerTransform through the mapping (core/records)', () => {
	const map: OwnerMap = matchOwners(
		[
			user('005A', 'a@x.io'),
			user('005B', 'b@x.io'),
			user('005Z', 'gone@x.io'),
			user('005Q', 'q@x.io'),
		],
		[
			user('h1', 'a@x.io'),
			user('h2', 'b@x.io', false),
			user('h9', 'GONE@x.io'),
			user('h7', 'nobody@x.io'),
		],
	);
	const run = (transform: Transform, owner: unknown) =>
		compileMapping({ rules: [{ source: 'owner', target: 'owner', transforms: [transform] }] }).map(
			{ owner },
			'Contact 1',
		);

	it('maps an owner id to its partner in each direction', () => {
		expect(run(ownerTransform(map, 'aToB'), '005A')).toEqual({ ok: true, value: { owner: 'h1' } });
		expect(run(ownerTransform(map, 'bToA'), 'h9')).toEqual({ ok: true, value: { owner: '005Z' } });
		// Inactive partners are mapped unless skipInactive.
		expect(run(ownerTransform(map, 'aToB'), '005B')).toEqual({ ok: true, value: { owner: 'h2' } });
	});

	it('an empty owner stays empty; a missing one fails, is left out, or is blanked (onMissing)', () => {
		expect(run(ownerTransform(map, 'aToB'), null)).toEqual({ ok: true, value: { owner: null } });
		expect(run(ownerTransform(map, 'aToB'), '')).toEqual({ ok: true, value: { owner: null } });
		const failed = run(ownerTransform(map, 'aToB'), '005Q');
		expect(failed.ok).toBe(false);
		if (!failed.ok) {
			expect(failed.issues).toHaveLength(1);
			expect(failed.issues[0]).toMatchObject({ field: 'owner', code: 'transform' });
			expect(failed.issues[0].message).toMatch(
				/^Contact 1, field "owner": "005Q" is not in the lookup table/,
			);
		}
		expect(run(ownerTransform(map, 'aToB', { onMissing: 'keep' }), '005Q')).toEqual({
			ok: true,
			value: {},
		});
		expect(run(ownerTransform(map, 'aToB', { onMissing: 'blank' }), '005Q')).toEqual({
			ok: true,
			value: { owner: null },
		});
		// A HubSpot owner with no Salesforce partner, the other way.
		expect(run(ownerTransform(map, 'bToA', { onMissing: 'keep' }), 'h7')).toEqual({
			ok: true,
			value: {},
		});
	});

	it('skipInactive: a pair whose target user is inactive counts as missing', () => {
		const keep = ownerTransform(map, 'aToB', { onMissing: 'keep', skipInactive: true });
		expect(run(keep, '005B')).toEqual({ ok: true, value: {} });
		expect(run(keep, '005A')).toEqual({ ok: true, value: { owner: 'h1' } });
		// The source side's inactivity does not matter: h2 → 005B (active) is mapped.
		const back = ownerTransform(map, 'bToA', { skipInactive: true });
		expect(run(back, 'h2')).toEqual({ ok: true, value: { owner: '005B' } });
	});

	it('ownerTransforms: one lookup per direction, to spread into a field pair', () => {
		const both = ownerTransforms(map, { onMissing: 'blank' });
		expect(both.toB).toEqual([ownerTransform(map, 'aToB', { onMissing: 'blank' })]);
		expect(both.toA).toEqual([ownerTransform(map, 'bToA', { onMissing: 'blank' })]);
		expect(both.toB[0]).toEqual({
			type: 'lookup',
			table: { '': null, '005A': 'h1', '005B': 'h2', '005Z': 'h9' },
			strict: false,
			fallback: null,
		});
	});
});
