/**
 * Adversarial engine scenarios against the simulators (Salesforce Contact ↔ HubSpot contacts): races with the
 * backfill, delete-vs-edit, value representations across typed fields (no echo ping-pong), refused values,
 * match-key changes, ambiguity resolved later, scope exits, many changes in one second across a page boundary,
 * and HubSpot's search-index lag during first-contact matching. Each test starts from empty simulators and a new
 * store, and counts what the simulators really hold and the write requests they answered.
 */
import { runSync, type SyncOptions } from '../../core/sync/engine';
import type { SyncConfig } from '../../core/sync/config';
import type { SyncReport } from '../../core/sync/report';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { World } from './world';

const world = new World();
const now = () => world.clock.now();
let store: MemorySyncStore;

beforeAll(() => world.start());
afterAll(() => world.stop());
beforeEach(() => {
	world.reset();
	store = new MemorySyncStore(now);
});

const run = (over: Partial<SyncConfig> = {}, options: SyncOptions = {}): Promise<SyncReport> =>
	runSync(world.config(over), store, { now, ...options });
const hsBy = (email: string) =>
	world.hsAll().filter((r) => String(r.fields.email).toLowerCase() === email.toLowerCase());
const sfBy = (email: string) =>
	world.sfAll().filter((r) => String(r.fields.Email).toLowerCase() === email.toLowerCase());
const writes = () => world.writeRequests();

/** Creates a HubSpot contact property through the simulator's API (as an admin would). */
async function hsProperty(spec: Record<string, unknown>): Promise<void> {
	const c = world.contracts().hs;
	const res = await fetch(`${c.baseUrl}/crm/v3/properties/contacts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${c.accessToken}`, 'content-type': 'application/json' },
		body: JSON.stringify({ groupName: 'contactinformation', label: spec.name, ...spec }),
	});
	if (res.status !== 201 && res.status !== 409)
		throw new Error(`property ${String(spec.name)}: ${res.status} ${await res.text()}`);
}

describe('adversarial sync scenarios', () => {
	it('edits made while the backfill reads (between pages, on both sides) come in the next run: nothing lost', async () => {
		for (let i = 0; i < 120; i++) world.sfInsert({ LastName: `L${i}`, Email: `b${i}@example.com` });
		world.advance();
		// After the first page of Salesforce is committed, edit a record already read (page 1) on both CRMs.
		const commit = store.commit.bind(store);
		let edited = false;
		let hsEdited = '';
		store.commit = async (syncId, changes) => {
			await commit(syncId, changes);
			if (!edited && (changes.upsertLinks ?? []).some((l) => l.status === 'linked' && l.bId)) {
				edited = true;
				world.clock.advance(1000);
				const first = (changes.upsertLinks ?? []).filter((l) => l.status === 'linked' && l.bId)[0];
				world.sfEdit(first.aId as string, { Title: 'edited during backfill' });
				hsEdited = first.bId ?? '';
				if (first.bId) world.hsEdit(first.bId, { lastname: 'HsDuringBackfill' });
			}
		};
		const r1 = await run();
		store.commit = commit;
		expect(edited).toBe(true);
		expect(r1.counts.created.b).toBe(120);
		expect(world.hsAll()).toHaveLength(120);
		world.advance();
		const r2 = await run();
		world.advance();
		const r3 = await run();
		const titled = world.hsAll().filter((r) => r.fields.jobtitle === 'edited during backfill');
		expect(titled).toHaveLength(1);
		const sfTitled = world.sfAll().filter((r) => r.fields.Title === 'edited during backfill');
		expect(sfTitled).toHaveLength(1);
		expect(hsEdited).not.toBe('');
		expect(titled[0].id).toBe(hsEdited);
		expect(titled[0].fields.lastname).toBe('HsDuringBackfill');
		expect(sfTitled[0].fields.LastName).toBe('HsDuringBackfill');
		expect(r2.counts.updated.a + r2.counts.updated.b).toBeGreaterThan(0);
		expect(r3.counts.updated).toEqual({ a: 0, b: 0 });
		expect(world.sfAll()).toHaveLength(120);
		expect(world.hsAll()).toHaveLength(120);
	});

	it('deleted in Salesforce and edited in HubSpot in the same interval (deletes: propagate): DESIGN — the delete wins, the edit goes with the record, reported as a delete; no resurrection on later runs', async () => {
		const sfId = world.sfInsert({ LastName: 'Del', Email: 'del@example.com' });
		world.sfInsert({ LastName: 'Keep', Email: 'keep@example.com' });
		world.advance();
		await run();
		world.advance();
		const hsId = hsBy('del@example.com')[0].id;
		world.sfDelete(sfId);
		world.hsEdit(hsId, { jobtitle: 'Edited while deleted elsewhere' });
		world.advance();
		const r = await run({}, { recordPlan: true });
		expect(r.counts.deleted).toEqual({ a: 0, b: 1 });
		// Reported: the pair, and the partner's fields whose edits went with it.
		expect(r.counts.deletedOverEdits).toBe(1);
		expect(r.deletedOverEdits).toEqual([
			{ deleted: { side: 'a', id: sfId }, partner: { side: 'b', id: hsId }, fields: ['jobtitle'] },
		]);
		expect(r.warnings.filter((w) => w.includes(`a:${sfId} was deleted`))).toEqual([
			`a:${sfId} was deleted while its partner b:${hsId} was edited since the last run (jobtitle): the delete won — b:${hsId} was deleted and those edits discarded`,
		]);
		expect(hsBy('del@example.com')).toHaveLength(0);
		expect(sfBy('del@example.com')).toHaveLength(0);
		expect(r.plan.filter((p) => p.action === 'delete')).toHaveLength(1);
		for (let i = 0; i < 2; i++) {
			world.advance();
			const again = await run();
			expect(again.counts.created).toEqual({ a: 0, b: 0 });
			expect(again.counts.deleted).toEqual({ a: 0, b: 0 });
		}
		expect(world.sfAll()).toHaveLength(1);
		expect(world.hsAll()).toHaveLength(1);
	});

	it('deleted in HubSpot and edited in Salesforce in the same interval: the same rule the other way round', async () => {
		world.sfInsert({ LastName: 'Del', Email: 'del@example.com' });
		world.advance();
		await run();
		world.advance();
		const hsId = hsBy('del@example.com')[0].id;
		const sfId = sfBy('del@example.com')[0].id;
		world.hsDelete(hsId);
		world.sfEdit(sfId, { Title: 'Edited while deleted elsewhere' });
		world.advance();
		const r = await run();
		expect(r.counts.deleted).toEqual({ a: 1, b: 0 });
		expect(r.deletedOverEdits).toEqual([
			{ deleted: { side: 'b', id: hsId }, partner: { side: 'a', id: sfId }, fields: ['Title'] },
		]);
		expect(r.counts.deletedOverEdits).toBe(1);
		for (let i = 0; i < 2; i++) {
			world.advance();
			const again = await run();
			expect(again.counts.created).toEqual({ a: 0, b: 0 });
		}
		expect(world.sfAll()).toHaveLength(0);
		expect(world.hsAll()).toHaveLength(0);
	});

	it('typed fields (date, boolean, picklist), e-mail case and padded text: after the round trip the next runs write NOTHING', async () => {
		await hsProperty({ name: 'birthdate', type: 'date', fieldType: 'date' });
		await hsProperty({
			name: 'optout',
			type: 'bool',
			fieldType: 'booleancheckbox',
			options: [
				{ label: 'Yes', value: 'true' },
				{ label: 'No', value: 'false' },
			],
		});
		await hsProperty({
			name: 'leadsource',
			type: 'enumeration',
			fieldType: 'select',
			options: ['Web', 'Phone Inquiry', 'Other'].map((v) => ({ label: v, value: v })),
		});
		const config: Partial<SyncConfig> = {
			fields: [
				{ a: 'Email', b: 'email' },
				{ a: 'LastName', b: 'lastname' },
				{ a: 'Title', b: 'jobtitle' },
				{ a: 'Birthdate', b: 'birthdate' },
				{ a: 'HasOptedOutOfEmail', b: 'optout' },
				{ a: 'LeadSource', b: 'leadsource' },
			],
		};
		world.sfInsert({
			LastName: 'Typed',
			Email: 'Mixed.Case@Example.COM',
			Title: '  Padded title  ',
			Birthdate: '1980-02-29',
			HasOptedOutOfEmail: true as unknown as string,
			LeadSource: 'Web',
		});
		world.hsInsert({
			lastname: 'FromHs',
			email: 'hs@example.com',
			birthdate: '1990-12-31',
			optout: 'true',
			leadsource: 'Phone Inquiry',
			jobtitle: 'Trailing ',
		});
		world.hsInsert({
			lastname: 'Epoch',
			email: 'epoch@example.com',
			birthdate: String(Date.UTC(1975, 5, 15)),
		});
		world.advance();
		const r1 = await run(config);
		expect(r1.failures).toEqual([]);
		expect(r1.counts.created).toEqual({ a: 2, b: 1 });
		const sfHs = sfBy('hs@example.com')[0].fields;
		expect([sfHs.Birthdate, sfHs.HasOptedOutOfEmail, sfHs.LeadSource]).toEqual([
			'1990-12-31',
			true,
			'Phone Inquiry',
		]);
		expect(sfBy('epoch@example.com')[0].fields.Birthdate).toBe('1975-06-15');
		const hsSf = hsBy('mixed.case@example.com')[0].fields;
		expect([hsSf.birthdate, hsSf.optout, hsSf.leadsource]).toEqual(['1980-02-29', 'true', 'Web']);
		for (let i = 0; i < 3; i++) {
			world.advance();
			const before = writes();
			const calls = { ...world.writeCalls };
			const r = await run(config);
			expect({ i, w: writes(), calls: world.writeCalls }).toEqual({ i, w: before, calls });
			expect(r.counts.updated).toEqual({ a: 0, b: 0 });
			expect(r.conflicts).toEqual([]);
		}
		expect(world.sfAll()).toHaveLength(3);
		expect(world.hsAll()).toHaveLength(3);
		// A change of a typed value flows once, then quiet again.
		world.hsEdit(hsBy('hs@example.com')[0].id, { optout: 'false', birthdate: '1991-01-01' });
		world.advance();
		const r = await run(config);
		expect(r.counts.updated).toEqual({ a: 1, b: 0 });
		expect(sfBy('hs@example.com')[0].fields.HasOptedOutOfEmail).toBe(false);
		expect(sfBy('hs@example.com')[0].fields.Birthdate).toBe('1991-01-01');
		world.advance();
		const before = writes();
		await run(config);
		expect(writes()).toEqual(before);
	});

	it('numbers (Salesforce int and currency ↔ HubSpot number properties, sent back as strings): after the round trip the next runs write NOTHING', async () => {
		const config: Partial<SyncConfig> = {
			syncId: 'accounts',
			a: { connector: world.salesforce(), objectType: 'Account' },
			b: { connector: world.hubspot(), objectType: 'companies' },
			matchKeys: [{ a: 'Name', b: 'name', normalize: 'text' }],
			fields: [
				{ a: 'Name', b: 'name' },
				{ a: 'NumberOfEmployees', b: 'numberofemployees' },
				{ a: 'AnnualRevenue', b: 'annualrevenue' },
			],
		};
		world.sf
			.table('Account')
			.insert({ Name: 'Acme', NumberOfEmployees: 250, AnnualRevenue: 1500000 });
		world.hs.insertDirect('companies', {
			name: 'Globex',
			numberofemployees: '42',
			annualrevenue: '1000000.0',
		});
		world.advance();
		const r1 = await run(config);
		expect(r1.failures).toEqual([]);
		expect(r1.counts.created).toEqual({ a: 1, b: 1 });
		const globex = world.sf
			.table('Account')
			.collection.list()
			.find((x) => x.fields.Name === 'Globex');
		expect([globex?.fields.NumberOfEmployees, globex?.fields.AnnualRevenue]).toEqual([42, 1000000]);
		const acme = world.hs
			.collection('companies')
			.list()
			.find((x) => x.fields.name === 'Acme');
		expect(Number(acme?.fields.numberofemployees)).toBe(250);
		for (let i = 0; i < 2; i++) {
			world.advance();
			const before = writes();
			const r = await run(config);
			expect({ i, w: writes(), updated: r.counts.updated }).toEqual({
				i,
				w: before,
				updated: { a: 0, b: 0 },
			});
		}
	});

	it('a value too long for the target field and a value not in the target picklist: those records fail with a category, the others go through; retried next run, created once fixed', async () => {
		await hsProperty({
			name: 'leadsrc',
			type: 'enumeration',
			fieldType: 'select',
			options: ['Web', 'Phone Inquiry'].map((v) => ({ label: v, value: v })),
		});
		const config: Partial<SyncConfig> = {
			fields: [
				{ a: 'Email', b: 'email' },
				{ a: 'LastName', b: 'lastname' },
				{ a: 'Title', b: 'jobtitle' },
				{ a: 'LeadSource', b: 'leadsrc' },
			],
		};
		const long = world.hsInsert({
			lastname: 'Long',
			email: 'long@example.com',
			jobtitle: 'x'.repeat(200),
		});
		world.hsInsert({ lastname: 'Fine', email: 'fine@example.com', jobtitle: 'ok' });
		const bad = world.sfInsert({
			LastName: 'Pick',
			Email: 'pick@example.com',
			LeadSource: 'Other',
		});
		world.sfInsert({ LastName: 'Good', Email: 'good@example.com', LeadSource: 'Web' });
		world.advance();
		const r1 = await run(config);
		expect(r1.failures.map((f) => [f.side, f.recordId, f.category, f.attempts]).sort()).toEqual([
			['a', bad, 'validation', 1],
			['b', long, 'validation', 1],
		]);
		const message = (side: string) => r1.failures.find((f) => f.side === side)?.message;
		expect(message('a')).toMatch(/Other was not one of the allowed options/);
		expect(message('b')).toMatch(/Title/);
		expect(sfBy('fine@example.com')).toHaveLength(1);
		expect(hsBy('good@example.com')).toHaveLength(1);
		expect(sfBy('long@example.com')).toHaveLength(0);
		expect(hsBy('pick@example.com')).toHaveLength(0);
		world.advance();
		const r2 = await run(config);
		expect(r2.failures.map((f) => f.attempts)).toEqual([2, 2]);
		world.hsEdit(long, { jobtitle: 'short now' });
		world.sfEdit(bad, { LeadSource: 'Phone Inquiry' });
		world.advance();
		const r3 = await run(config);
		expect(r3.failures).toEqual([]);
		expect(r3.counts.created).toEqual({ a: 1, b: 1 });
		expect(sfBy('long@example.com')).toHaveLength(1);
		expect(hsBy('pick@example.com')[0].fields.leadsrc).toBe('Phone Inquiry');
		expect(world.sfAll()).toHaveLength(4);
		expect(world.hsAll()).toHaveLength(4);
	});

	it('a linked pair whose e-mail (the match key) changes on one side stays linked; the new e-mail flows, nothing created', async () => {
		const sfId = world.sfInsert({ LastName: 'Mover', Email: 'old@example.com' });
		world.advance();
		await run();
		const hsId = hsBy('old@example.com')[0].id;
		world.advance();
		world.hsEdit(hsId, { email: 'new@example.com' });
		world.advance();
		const r = await run();
		expect(r.counts.created).toEqual({ a: 0, b: 0 });
		expect(world.sfAll().map((x) => [x.id, x.fields.Email])).toEqual([[sfId, 'new@example.com']]);
		expect(world.hsAll().map((x) => x.id)).toEqual([hsId]);
		world.advance();
		world.sfEdit(sfId, { Email: 'Third@Example.com' });
		world.advance();
		await run();
		expect(world.hsAll().map((x) => [x.id, x.fields.email])).toEqual([[hsId, 'third@example.com']]);
		world.advance();
		const before = writes();
		await run();
		expect(writes()).toEqual(before);
		expect(world.sfAll()).toHaveLength(1);
	});

	it('two Salesforce records matching one HubSpot record (ambiguous): none linked or created, all three kept for a retry; one deleted → the next run links the other pair by the deletion alone, no duplicate', async () => {
		const d1 = world.sfInsert({ LastName: 'Dup1', Email: 'dup@example.com' });
		const d2 = world.sfInsert({ LastName: 'Dup2', Email: 'dup@example.com' });
		const hsId = world.hsInsert({ lastname: 'DupHs', email: 'dup@example.com' });
		world.advance();
		const r1 = await run();
		expect(r1.ambiguous.map((x) => x.side).sort()).toEqual(['a', 'a', 'b']);
		expect(r1.counts.created).toEqual({ a: 0, b: 0 });
		expect(r1.failures).toEqual([]); // reported as ambiguous, not as failed records
		expect(world.sfAll()).toHaveLength(2);
		expect(world.hsAll()).toHaveLength(1);
		expect(await store.countLinks('contacts', 'linked')).toBe(0);
		const stored = async () => {
			const out: string[] = [];
			for await (const page of store.listFailures('contacts'))
				for (const f of page) out.push(`${f.side}:${f.recordId}:${f.category}:${f.attempts}`);
			return out.sort();
		};
		expect(await stored()).toEqual(
			[`a:${d1}:ambiguous:1`, `a:${d2}:ambiguous:1`, `b:${hsId}:ambiguous:1`].sort(),
		);
		// Nothing changed: read again by id, still ambiguous (attempts counted), still nothing written.
		world.advance();
		const again = await run();
		expect(again.counts.ambiguous).toBe(3);
		expect(again.counts.created).toEqual({ a: 0, b: 0 });
		expect(await stored()).toEqual(
			[`a:${d1}:ambiguous:2`, `a:${d2}:ambiguous:2`, `b:${hsId}:ambiguous:2`].sort(),
		);
		world.advance();
		world.sfDelete(d1);
		world.advance();
		// No edit anywhere: the deletion alone lets the retry link the remaining pair.
		const r2 = await run();
		const link = (await store.getLinksByIds('contacts', 'a', [d2])).get(d2);
		expect({ linked: r2.counts.linkedByMatch, bId: link?.bId, created: r2.counts.created }).toEqual(
			{
				linked: 1,
				bId: hsId,
				created: { a: 0, b: 0 },
			},
		);
		expect(r2.ambiguous).toEqual([]);
		expect(await stored()).toEqual([]);
		expect(world.sfAll()).toHaveLength(1);
		expect(world.hsAll()).toHaveLength(1);
		// Linked: edits flow from now on.
		world.hsEdit(hsId, { jobtitle: 'Touched' });
		world.advance();
		const r3 = await run();
		expect(r3.counts.updated).toEqual({ a: 1, b: 0 });
		expect(world.sfAll().map((x) => x.fields.Title)).toEqual(['Touched']);
		expect(world.hsAll()).toHaveLength(1);
	});

	it('a linked record going out of scope: DESIGN — scope gates first contact only; the linked pair keeps syncing (edits flow), nothing created or deleted', async () => {
		const config: Partial<SyncConfig> = {
			scope: { a: [{ field: 'Title', op: 'notEquals', value: 'Internal' }] },
		};
		const sfId = world.sfInsert({
			LastName: 'Scoped',
			Email: 'scoped@example.com',
			Title: 'Buyer',
		});
		world.advance();
		await run(config);
		const hsId = hsBy('scoped@example.com')[0].id;
		world.advance();
		world.sfEdit(sfId, { Title: 'Internal', LastName: 'Hidden' });
		world.advance();
		const r = await run(config);
		expect(r.counts.deleted).toEqual({ a: 0, b: 0 });
		expect(r.counts.skippedOutOfScope).toBe(0);
		expect(world.hsAll().map((x) => [x.id, x.fields.lastname, x.fields.jobtitle])).toEqual([
			[hsId, 'Hidden', 'Internal'],
		]);
		world.advance();
		world.hsEdit(hsId, { lastname: 'BackFromHs' });
		world.advance();
		const again = await run(config);
		expect(again.counts.created).toEqual({ a: 0, b: 0 });
		expect(world.sfAll().map((x) => [x.id, x.fields.LastName])).toEqual([[sfId, 'BackFromHs']]);
		expect(world.hsAll()).toHaveLength(1);
	});

	it('150 edits in the same second across Salesforce page boundaries (page size 50): each applied exactly once', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 150; i++)
			ids.push(world.sfInsert({ LastName: `P${i}`, Email: `s${i}@example.com` }));
		world.advance();
		await run();
		world.advance();
		for (let i = 0; i < 150; i++) world.sfEdit(ids[i], { Title: `same second ${i}` });
		world.advance();
		const calls = { ...world.writeCalls };
		const r = await run();
		expect(r.counts.updated).toEqual({ a: 0, b: 150 });
		expect(world.writeCalls.b - calls.b).toBe(150);
		expect(
			world.hsAll().filter((x) => String(x.fields.jobtitle).startsWith('same second')),
		).toHaveLength(150);
		world.advance();
		const before = writes();
		const quiet = await run();
		expect(quiet.counts.updated).toEqual({ a: 0, b: 0 });
		expect(writes()).toEqual(before);
		expect(world.hsAll()).toHaveLength(150);
	});

	it('HubSpot search-index lag: a contact created in HubSpot moments before the run is not duplicated by a create from Salesforce', async () => {
		world.sfInsert({ LastName: 'Race', Email: 'race@example.com' });
		world.advance();
		await run();
		expect(world.hsAll()).toHaveLength(1);
		world.advance();
		// Someone creates in HubSpot and, a moment later, a matching Salesforce contact appears; the run starts at once.
		world.hs.setSearchIndexDelay(120_000);
		const hsId = world.hsInsert({ lastname: 'HsFirst', email: 'lag@example.com' });
		world.clock.advance(500);
		world.sfInsert({ LastName: 'SfSecond', Email: 'lag@example.com' });
		world.clock.advance(61_000); // past Salesforce's feed lag only: HubSpot's search index still shows nothing new
		const r = await run();
		expect(hsBy('lag@example.com')).toHaveLength(1);
		world.hs.setSearchIndexDelay(2000);
		world.advance();
		const r2 = await run();
		world.advance();
		await run();
		expect(hsBy('lag@example.com').map((x) => x.id)).toEqual([hsId]);
		expect(sfBy('lag@example.com')).toHaveLength(1);
		expect(r.counts.created.b + r2.counts.created.b).toBe(0);
		expect(await store.countLinks('contacts', 'linked')).toBe(2);
	});
});
