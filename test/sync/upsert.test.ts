/**
 * First contact without look-ups (core/sync/firstContact.ts), counted in the simulators: a one-way sync towards a
 * CRM with a unique key upserts by it (no batch/read on HubSpot), with the same outcome as the look-up path
 * (blanks cleared, one record per e-mail, links for all); an upsert that lands on a record of another pair is
 * reported ambiguous and that pair's values are written back; a lost upsert answer is settled by its key; two-way
 * syncs and keys the CRM does not keep unique keep the look-ups; an own side that keeps the key unique is not
 * looked up for ambiguity.
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { common, World, type Values } from './world';

const world = new World();
const now = () => world.clock.now();
let store: MemorySyncStore;

beforeAll(() => world.start());
afterAll(() => world.stop());
beforeEach(() => {
	world.reset();
	store = new MemorySyncStore(now);
});

/** HubSpot requests by kind since `from` (an index into its log). */
function hsKinds(from = 0): Record<string, number> {
	const out: Record<string, number> = {};
	for (const e of world.hs.log.entries().slice(from))
		out[e.kind ?? '?'] = (out[e.kind ?? '?'] ?? 0) + 1;
	return out;
}
const hsByEmail = (email: string) =>
	world.hsAll().filter((r) => String(r.fields.email) === email.toLowerCase());
const oneWay = (over: Parameters<World['config']>[0] = {}) =>
	world.config({ direction: 'aToB', deletes: 'ignore', ...over });

describe('one-way first contact as an upsert by the match key', () => {
	it('Salesforce → HubSpot: no look-up on HubSpot, one upsert per 100 records; the target ends as the look-up path leaves it; a second run writes nothing', async () => {
		const N = 250;
		const model = new Map<string, Values>();
		for (let i = 0; i < N; i++) {
			const existing = i % 5 === 0; // already on HubSpot, its e-mail in another case
			const blanks = i % 3 === 0; // blank Title and Phone in Salesforce
			const email = existing ? `Person${i}@Example.COM` : `person${i}@example.com`;
			const v: Values = {
				email: email.toLowerCase(),
				lastname: `L${i}`,
				firstname: `F${i}`,
				jobtitle: blanks ? null : `T${i}`,
				phone: blanks ? null : `${1000 + i}`,
			};
			world.sfInsert({
				Email: email,
				LastName: v.lastname,
				FirstName: v.firstname,
				Title: v.jobtitle,
				Phone: v.phone,
			});
			if (existing)
				world.hsInsert({
					email: email.toLowerCase(),
					lastname: 'old',
					firstname: 'old',
					jobtitle: 'HS title',
					phone: '999',
				});
			model.set(v.email as string, v);
		}
		world.advance();
		const from = world.hs.log.entries().length;
		const report = await runSync(oneWay(), store, { now });
		const kinds = hsKinds(from);
		expect(kinds['batch.read'] ?? 0).toBe(0);
		expect(kinds['search'] ?? 0).toBe(0);
		expect(kinds['batch.upsert']).toBe(Math.ceil(N / 100));
		expect(world.writeRequests().hs).toBe(Math.ceil(N / 100));
		// Nothing else but the schema (properties) was asked of HubSpot.
		expect(Object.keys(kinds).filter((k) => !/^(batch\.upsert|list)$|propert/.test(k))).toEqual([]);
		expect(report.counts.created.b).toBe(N - N / 5);
		expect(report.counts.linkedByMatch).toBe(N / 5);
		expect(report.counts.updated.b).toBe(N / 5);
		expect(report.failures).toEqual([]);
		expect(await store.countLinks('contacts', 'linked')).toBe(N);
		expect(world.hsAll()).toHaveLength(N);
		for (const [email, v] of model) {
			const found = hsByEmail(email);
			expect({ email, got: found.map((r) => common('b', r.fields)) }).toEqual({ email, got: [v] });
		}
		world.advance();
		const writes = world.writeRequests();
		const again = await runSync(oneWay(), store, { now });
		expect(world.writeRequests()).toEqual(writes);
		expect(again.counts.created).toEqual({ a: 0, b: 0 });
		expect(again.counts.updated).toEqual({ a: 0, b: 0 });
	});

	it('an upsert that lands on the partner of another record (its e-mail changed later in the run): ambiguous, written back, then each record on its own partner', async () => {
		const config = () =>
			oneWay({ a: { connector: world.salesforce({ changesPageSize: 1 }), objectType: 'Contact' } });
		const a1 = world.sfInsert({ Email: 'e1@example.com', LastName: 'One', Title: 'First' });
		world.advance();
		await runSync(config(), store, { now });
		const b1 = hsByEmail('e1@example.com')[0].id;
		world.advance();
		const a2 = world.sfInsert({ Email: 'e1@example.com', LastName: 'Two', Title: null });
		world.advance(5000);
		world.sfEdit(a1, { Email: 'e2@example.com', Title: 'Moved' });
		world.advance();
		// Each feed page planned alone (a page of its own per record): the new record is planned before the changed one.
		const second = await runSync(config(), store, { now, gatherLimit: 0 });
		expect(second.ambiguous.map((x) => [x.side, x.id, x.candidates])).toEqual([['a', a2, [b1]]]);
		expect(second.ambiguous[0].reason).toMatch(/matched b:\d+, which is linked to a:/);
		expect(second.warnings.join('\n')).toMatch(/its values are written back/);
		expect((await store.getLinksByIds('contacts', 'b', [b1])).get(b1)?.aId).toBe(a1);
		expect((await store.getLinksByIds('contacts', 'a', [a2])).get(a2)).toBeUndefined();
		// A1's values are back on its partner (written back in this run, when its own page came).
		expect(common('b', world.hsAll().find((r) => r.id === b1)?.fields ?? {})).toMatchObject({
			email: 'e2@example.com',
			lastname: 'One',
			jobtitle: 'Moved',
		});
		world.advance();
		const third = await runSync(config(), store, { now, gatherLimit: 0 });
		expect(third.ambiguous).toEqual([]);
		expect(third.counts.created.b).toBe(1);
		const b2 = (await store.getLinksByIds('contacts', 'a', [a2])).get(a2)?.bId as string;
		expect(b2).toBeDefined();
		expect(b2).not.toBe(b1);
		expect(world.hsAll().map((r) => common('b', r.fields))).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ email: 'e2@example.com', lastname: 'One', jobtitle: 'Moved' }),
				expect.objectContaining({ email: 'e1@example.com', lastname: 'Two', jobtitle: null }),
			]),
		);
		expect(world.hsAll()).toHaveLength(2);
		expect(await store.countLinks('contacts', 'linked')).toBe(2);
		world.advance();
		const fourth = await runSync(config(), store, { now });
		expect(fourth.counts.updated).toEqual({ a: 0, b: 0 });
		expect(fourth.failures).toEqual([]);
	});

	it('an upsert whose answer is lost stays written ahead (pending) and is settled by its key next run: never sent twice, no duplicate', async () => {
		for (let i = 0; i < 5; i++)
			world.sfInsert({ Email: `lost${i}@example.com`, LastName: `L${i}` });
		world.hsInsert({ email: 'lost0@example.com', lastname: 'old' });
		world.advance();
		const losing = (crm: CrmConnector): CrmConnector => {
			const write = crm.write.bind(crm);
			crm.write = async (op, type, inputs, options) => {
				const results = await write(op, type, inputs, options);
				if (op === 'upsert') throw new Error('socket hang up');
				return results;
			};
			return crm;
		};
		const first = await runSync(
			oneWay({ b: { connector: losing(world.hubspot()), objectType: 'contacts' } }),
			store,
			{ now },
		);
		expect(first.counts.created.b).toBe(0);
		expect(await store.countLinks('contacts', 'pending')).toBe(5);
		expect(world.hsAll()).toHaveLength(5);
		world.advance();
		const upserts = hsKinds()['batch.upsert'];
		const second = await runSync(oneWay(), store, { now });
		expect(second.failures).toEqual([]);
		expect(hsKinds()['batch.upsert']).toBe(upserts);
		expect(await store.countLinks('contacts', 'pending')).toBe(0);
		expect(await store.countLinks('contacts', 'linked')).toBe(5);
		expect(world.hsAll()).toHaveLength(5);
		expect(hsByEmail('lost0@example.com').map((r) => r.fields.lastname)).toEqual(['L0']);
	});

	it('a pending upsert settled by its key on a record of another pair (its answer lost after it wrote over it): not linked there, reported ambiguous, the other pair written back', async () => {
		const a1 = world.sfInsert({ Email: 'e1@example.com', LastName: 'One', Title: 'First' });
		world.advance();
		await runSync(oneWay(), store, { now });
		const b1 = hsByEmail('e1@example.com')[0].id;
		// A1 moved to e2 and a new A2 took e1; A2's upsert wrote over B1 (A1's partner) and its answer was lost.
		world.sfEdit(a1, { Email: 'e2@example.com' });
		const a2 = world.sfInsert({ Email: 'e1@example.com', LastName: 'Two', Title: null });
		world.hsEdit(b1, { lastname: 'Two', jobtitle: null });
		await store.commit('contacts', {
			upsertLinks: [
				{
					linkId: `a:${a2}`,
					status: 'pending',
					aId: a2,
					base: {},
					pendingSide: 'b',
					pendingKey: { field: 'email', value: 'e1@example.com', upsert: true },
				},
			],
		});
		world.advance();
		const report = await runSync(oneWay(), store, { now });
		expect(report.ambiguous.map((x) => [x.id, x.candidates])).toEqual([[a2, [b1]]]);
		const linkOf = async (id: string) => (await store.getLinksByIds('contacts', 'a', [id])).get(id);
		expect((await linkOf(a1))?.bId).toBe(b1);
		const b2 = (await linkOf(a2))?.bId as string;
		expect(b2).toBeDefined();
		expect(b2).not.toBe(b1);
		expect(common('b', world.hsAll().find((r) => r.id === b1)?.fields ?? {})).toMatchObject({
			email: 'e2@example.com',
			lastname: 'One',
			jobtitle: 'First',
		});
		expect(common('b', world.hsAll().find((r) => r.id === b2)?.fields ?? {})).toMatchObject({
			email: 'e1@example.com',
			lastname: 'Two',
			jobtitle: null,
		});
		expect(world.hsAll()).toHaveLength(2);
		world.advance();
		const next = await runSync(oneWay(), store, { now });
		expect(next.failures).toEqual([]);
		expect(next.ambiguous).toEqual([]);
		expect(await store.countLinks('contacts', 'linked')).toBe(2);
	});

	it('HubSpot → Salesforce by an External ID field: the upserts go through one Bulk API 2.0 upsert job (sf__Created tells created from updated), blanks cleared', async () => {
		const N = 150;
		for (let i = 0; i < N; i++)
			world.hsInsert({
				email: `bulk${i}@example.com`,
				lastname: `L${i}`,
				jobtitle: i % 2 ? `T${i}` : null,
			});
		for (let i = 0; i < N; i += 5)
			world.sfInsert({
				External_Id__c: `BULK${i}@example.com`,
				LastName: 'old',
				Title: 'SF title',
			});
		world.advance();
		const ops: string[] = [];
		// HubSpot's backfill lists 100 a page: the two pages are gathered to the threshold and written as one job.
		const sf = world.salesforce({ bulkThreshold: N });
		const write = sf.write.bind(sf);
		sf.write = async (op, type, inputs, options) => {
			ops.push(`${op} ${inputs.length} by ${options?.key}`);
			return write(op, type, inputs, options);
		};
		const sfCalls = (kind: RegExp) =>
			world.sf.log.entries().filter((e) => kind.test(e.kind ?? '')).length;
		const report = await runSync(
			world.config({
				direction: 'bToA',
				deletes: 'ignore',
				a: { connector: sf, objectType: 'Contact' },
				matchKeys: [{ a: 'External_Id__c', b: 'email', normalize: 'email' }],
				fields: [
					{ a: 'External_Id__c', b: 'email' },
					{ a: 'LastName', b: 'lastname' },
					{ a: 'Title', b: 'jobtitle' },
				],
			}),
			store,
			{ now },
		);
		expect(ops).toEqual([`upsert ${N} by External_Id__c`]);
		expect(sfCalls(/^bulk\.ingest\.create$/)).toBe(1);
		expect(sfCalls(/^collections\./)).toBe(0);
		// No look-up on Salesforce: its one query is the deletion feed's start.
		expect(sfCalls(/^query/)).toBe(1);
		expect(report.failures).toEqual([]);
		expect(report.counts.created.a).toBe(N - N / 5);
		expect(report.counts.linkedByMatch).toBe(N / 5);
		const all = world.sfAll();
		expect(all).toHaveLength(N);
		for (let i = 0; i < N; i++) {
			const r = all.filter(
				(x) => String(x.fields.External_Id__c).toLowerCase() === `bulk${i}@example.com`,
			);
			expect({ i, got: r.map((x) => [x.fields.LastName, x.fields.Title ?? null]) }).toEqual({
				i,
				got: [[`L${i}`, i % 2 ? `T${i}` : null]],
			});
		}
		expect(await store.countLinks('contacts', 'linked')).toBe(N);
	});

	it('a dry run plans the same upserts (created or matched, as the real run), writing nothing', async () => {
		for (let i = 0; i < 6; i++) world.sfInsert({ Email: `dry${i}@example.com`, LastName: `L${i}` });
		world.hsInsert({ email: 'dry0@example.com', lastname: 'old' });
		world.advance();
		const writes = world.writeRequests();
		const dry = await runSync({ ...oneWay(), dryRun: true }, store, { now });
		expect(world.writeRequests()).toEqual(writes);
		expect(
			dry.plan.filter((p) => p.action === 'upsert').map((p) => p.action === 'upsert' && p.created),
		).toEqual(expect.arrayContaining([true, true, true, true, true, false]));
		expect([dry.counts.created.b, dry.counts.linkedByMatch]).toEqual([5, 1]);
		const real = await runSync(oneWay(), store, { now });
		expect([real.counts.created.b, real.counts.linkedByMatch]).toEqual([5, 1]);
	});

	it('keeps the look-ups: a two-way sync, a key HubSpot does not keep unique, and a normalize mode other than email/none', async () => {
		const seed = () => {
			world.reset();
			store = new MemorySyncStore(now);
			world.sfInsert({ Email: 'k1@example.com', LastName: 'K1' });
			world.hsInsert({ email: 'k2@example.com', lastname: 'K2' });
			world.advance();
		};
		const cases: Array<[string, Parameters<World['config']>[0], string]> = [
			['two-way', { direction: 'both' }, 'batch.read'],
			[
				'not unique',
				{ direction: 'aToB', matchKeys: [{ a: 'LastName', b: 'lastname', normalize: 'none' }] },
				'search',
			],
			[
				'text mode',
				{ direction: 'aToB', matchKeys: [{ a: 'Email', b: 'email', normalize: 'text' }] },
				'batch.read',
			],
		];
		for (const [name, over, lookup] of cases) {
			seed();
			const from = world.hs.log.entries().length;
			await runSync(world.config({ deletes: 'ignore', ...over }), store, { now });
			const kinds = hsKinds(from);
			expect({
				name,
				lookups: (kinds[lookup] ?? 0) > 0,
				upserts: kinds['batch.upsert'] ?? 0,
			}).toEqual({
				name,
				lookups: true,
				upserts: 0,
			});
		}
	});

	it('an own side that keeps the key unique (HubSpot e-mail) is not looked up for ambiguity: HubSpot → Salesforce without HubSpot batch/read', async () => {
		for (let i = 0; i < 150; i++)
			world.hsInsert({ email: `own${i}@example.com`, lastname: `O${i}` });
		world.advance();
		const from = world.hs.log.entries().length;
		const report = await runSync(world.config({ direction: 'bToA', deletes: 'ignore' }), store, {
			now,
		});
		expect(report.counts.created.a).toBe(150);
		expect(hsKinds(from)['batch.read'] ?? 0).toBe(0);
		expect(await store.countLinks('contacts', 'linked')).toBe(150);
	});
});
