/**
 * The must-show of the building blocks, through n8n's real engine: two SyncWorlds seeded identically (same
 * simulator seeds, same clock moves, the same edits applied by e-mail), one synced by a CRM Sync workflow, the other
 * by the blocks workflow of examples/blocks-with-review.json (Sync State Read → Salesforce / HubSpot change reads →
 * Sync Plan → six write nodes → Merge → Sync State Commit), its review branch left out (test/workflows/sync/
 * review.test.ts runs it). CRM Sync gets the example's Sync Plan parameters: the scenario's MAPPINGS with every
 * strategy, the custom RULES, deletes propagated.
 * Scenario: a backfill of 300 contacts (120 Salesforce only, 80 HubSpot only, 100 on both — 30 of them with other
 * values in HubSpot, 5 of those with another first name: review —, one e-mail on two Salesforce contacts and one
 * HubSpot contact: ambiguous), a run with no edits, edits on both sides (one-sided, the same value on both, 12
 * contacts edited on both sides under every strategy with FirstName sent to review, 3 new contacts per side), deletes
 * on both sides (propagated), and a last run with no edits.
 * After every run both worlds hold the same: both CRMs field by field, and the sync state — links as e-mail pairs with
 * status and base, failures (side, e-mail, category, code, attempts), open conflicts (e-mails, field, values,
 * strategy), decisions — compared by e-mail because record ids differ between the worlds; times (link updatedAt,
 * failure and conflict times, watermarks) and ids are left out. Write requests are counted in the simulators per run.
 */
import { contents, expected, Model, person, toSalesforce, type Person } from './model';
import { conflictEdits } from './edits';
import { advance, crmSyncParameters, Twin, twins, type Writes } from './blocksWorld';
import { MAPPINGS, RULES } from './world';

const SF_ONLY = 120;
const HS_ONLY = 80;
const BOTH = 100;
const STALE = 30; // on both, HubSpot's copy with other values
const DUP = 'dup@example.com';

const [crm, blocks] = twins(new Twin('crmSync'), new Twin('blocks'));
const all = [crm, blocks];
const model = new Model();
const figures: string[] = [];

afterAll(() => console.log(`Write requests per run (CRM Sync | blocks):\n${figures.join('\n')}`));

/** Runs both worlds after the same clock move; both must end identical, field by field. */
async function runBoth(label: string): Promise<{ crm: Writes; blocks: Writes }> {
	advance(all);
	const x = await crm.run();
	const y = await blocks.run();
	figures.push(
		`  ${label}: sf ${x.writes.sf} | ${y.writes.sf}, hs ${x.writes.hs} | ${y.writes.hs}`,
	);
	const want = await crm.snapshot();
	expect(await blocks.snapshot()).toEqual(want);
	expect(contents(blocks.world, [DUP])).toEqual(expected(model));
	return { crm: x.writes, blocks: y.writes };
}

/** The same change in both worlds, record ids found by e-mail in each. */
function onBoth(fn: (t: Twin) => void): void {
	all.forEach(fn);
}

/** Linked e-mails in a stable order (the ambiguous one and the backfill's review conflicts apart). */
const linked = () => model.emails().filter((e) => e !== DUP && !/^both[0-4]@/.test(e));

it("uses the example's mapping: CRM Sync's scenario (every strategy, custom rules), deletes propagated", () => {
	const p = crmSyncParameters('');
	expect(p.fieldMappings).toEqual({ mappings: MAPPINGS });
	expect(p.customRules).toEqual({ rules: RULES });
	expect(p).toMatchObject({ conflictStrategy: 'aWins', deletes: 'propagate' });
});

it('backfill: the same links, creates, first-link settlements, review conflicts and ambiguity in both', async () => {
	onBoth(({ world }) => {
		for (let i = 0; i < SF_ONLY; i++) world.sfInsert(toSalesforce(person('sf', i)));
		for (let i = 0; i < HS_ONLY; i++) world.hsInsert(person('hs', i));
		for (let i = 0; i < BOTH; i++) {
			const p = person('both', i);
			world.sfInsert(toSalesforce(p));
			const other: Partial<Person> =
				i < STALE
					? {
							lastname: `HS last ${i}`,
							jobtitle: i % 2 ? `Chief ${i}` : `HS title ${i}`,
							mobilephone: `+1 777 ${i}`,
							city: i % 3 ? null : `HS city ${i}`,
							firstname: i < 5 ? `HS first ${i}` : p.firstname,
						}
					: {};
			world.hsInsert({ ...p, ...other, email: (p.email as string).toUpperCase() });
		}
		world.sfInsert(toSalesforce({ ...person('dup', 1), email: DUP }));
		world.sfInsert(toSalesforce({ ...person('dup', 2), email: DUP }));
		world.hsInsert({ ...person('dup', 3), email: DUP });
	});
	for (let i = 0; i < SF_ONLY; i++) model.both(person('sf', i));
	for (let i = 0; i < HS_ONLY; i++) model.both(person('hs', i));
	for (let i = 0; i < BOTH; i++) {
		const p = person('both', i);
		model.both(p);
		if (i >= STALE) continue;
		// First link: A wins LastName; Title by the custom rules; B wins MobilePhone; A unless blank City.
		const settled = { jobtitle: i % 2 ? `Chief ${i}` : p.jobtitle, mobilephone: `+1 777 ${i}` };
		model.set('a', p.email as string, settled);
		model.set('b', p.email as string, settled);
		if (i < 5) model.set('b', p.email as string, { firstname: `HS first ${i}` });
	}
	const { crm: x, blocks: y } = await runBoth('backfill');
	expect(y).toEqual(x); // a create node and an update node per side, as the engine's batches
	const state = await blocks.snapshot();
	expect(state.links).toHaveLength(SF_ONLY + HS_ONLY + BOTH);
	expect(state.conflicts).toHaveLength(5);
	expect(state.failures.filter((f) => f.includes('"ambiguous"'))).toHaveLength(3);
	expect(y.sf).toBeGreaterThan(0);
	expect(y.hs).toBeGreaterThan(0);
});

it('a run with no edits: zero writes in both', async () => {
	const { crm: x, blocks: y } = await runBoth('no edits');
	expect(x).toEqual({ sf: 0, hs: 0 });
	expect(y).toEqual({ sf: 0, hs: 0 });
});

it('edits on both sides under every strategy, review conflicts, new records: the same end state', async () => {
	const emails = linked();
	const aOnly = emails.slice(0, 10);
	const bOnly = emails.slice(10, 20);
	const X = emails.slice(20, 26); // Salesforce edited first, HubSpot 5 s later
	const Y = emails.slice(26, 32); // HubSpot first
	const same = emails.slice(32, 35);
	const x = conflictEdits('X', X);
	const y = conflictEdits('Y', Y);
	onBoth((t) => {
		aOnly.forEach((e, k) => t.world.sfEdit(t.id('a', e), { LastName: `Edited A ${k}` }));
		bOnly.forEach((e, k) => t.world.hsEdit(t.id('b', e), { jobtitle: `HS title ${k}` }));
		for (const e of same) {
			t.world.sfEdit(t.id('a', e), { MailingCity: 'Same City' });
			t.world.hsEdit(t.id('b', e), { city: 'Same City' });
		}
		for (const c of x) t.world.sfEdit(t.id('a', c.email), toSalesforce(c.a));
		for (const c of y) t.world.hsEdit(t.id('b', c.email), c.b);
	});
	// The clock is shared by both sides of a world: each world's second round 5 s later, the same in both.
	advance(all, 5000);
	onBoth((t) => {
		for (const c of x) t.world.hsEdit(t.id('b', c.email), c.b);
		for (const c of y) t.world.sfEdit(t.id('a', c.email), toSalesforce(c.a));
		for (let i = 0; i < 3; i++) {
			t.world.sfInsert(toSalesforce(person('newsf', i)));
			t.world.hsInsert(person('newhs', i));
		}
	});
	aOnly.forEach((e, k) => {
		model.set('a', e, { lastname: `Edited A ${k}` });
		model.set('b', e, { lastname: `Edited A ${k}` });
	});
	bOnly.forEach((e, k) => {
		model.set('a', e, { jobtitle: `HS title ${k}` });
		model.set('b', e, { jobtitle: `HS title ${k}` });
	});
	same.forEach((e) => {
		model.set('a', e, { city: 'Same City' });
		model.set('b', e, { city: 'Same City' });
	});
	for (const c of [...x, ...y]) {
		const both = c.expected(X.includes(c.email) ? 'b' : 'a');
		model.set('a', c.email, { ...both, firstname: c.a.firstname });
		model.set('b', c.email, { ...both, firstname: c.b.firstname });
	}
	for (let i = 0; i < 3; i++) {
		model.both(person('newsf', i));
		model.both(person('newhs', i));
	}
	const before = (await blocks.snapshot()).conflicts.length;
	const { crm: cw, blocks: bw } = await runBoth('edits');
	const state = await blocks.snapshot();
	// The review conflicts of the 12 contacts edited on both sides, besides the 5 of the backfill.
	expect(state.conflicts).toHaveLength(before + 12);
	expect(state.conflicts.filter((c) => c.includes('"review"'))).toHaveLength(before + 12);
	// The engine writes page by page (Salesforce's changes come 50 a page), the blocks once per write node.
	expect(bw.sf).toBeLessThanOrEqual(cw.sf);
	expect(bw.hs).toBeLessThanOrEqual(cw.hs);
	expect(bw.sf * bw.hs).toBeGreaterThan(0);
});

it('deletes on both sides propagate: the same end state', async () => {
	const gone = linked().filter((e) => e.startsWith('sf') || e.startsWith('hs'));
	const onA = gone.slice(40, 42);
	const onB = gone.slice(150, 152);
	onBoth((t) => {
		for (const e of onA) t.world.sfDelete(t.id('a', e));
		for (const e of onB) t.world.hsDelete(t.id('b', e));
	});
	[...onA, ...onB].forEach((e) => model.remove(e));
	const { crm: x, blocks: y } = await runBoth('deletes');
	expect(y).toEqual(x); // one delete request per side
	expect(y).toEqual({ sf: 1, hs: 1 });
	expect((await blocks.snapshot()).links).toHaveLength(SF_ONLY + HS_ONLY + BOTH + 6 - 4);
});

it('a run with no edits after all that: zero writes in both', async () => {
	const { crm: x, blocks: y } = await runBoth('no edits again');
	expect(x).toEqual({ sf: 0, hs: 0 });
	expect(y).toEqual({ sf: 0, hs: 0 });
});
