/**
 * Sync State › Commit after a write node whose error output carried failures, through n8n's real engine (the blocks
 * workflow of examples/blocks-with-review.json): HubSpot job titles of 200 characters cannot go to Salesforce's
 * Contact.Title (128 at most: the simulator refuses the record with STRING_TOO_LONG, the others of the same request
 * are saved), so "Update in Salesforce" puts exactly those 3 items on its error output. Commit lists every result
 * on Done — the 3 with written: false and the reason, the rest written: true — and stores the 3 for retry. Once the
 * titles are shortened in HubSpot, the next run writes exactly those 3 (counted in the Salesforce request bodies),
 * and nothing else again.
 */
import type { IDataObject } from 'n8n-workflow';

import { person, toSalesforce } from './model';
import { advance, COMMIT, PLAN, salesforceBodies, Twin, twins } from './blocksWorld';

const [blocks] = twins(new Twin('blocks'));
const N = 12;
const email = (i: number) => `cf${i}@example.com`;
const TOO_LONG = (i: number) => `Head of ${'very '.repeat(38)}long titles ${i}`; // 200+ characters
const edited = [0, 1, 2, 3, 4, 5, 6, 7]; // job title edited in HubSpot
const refused = [2, 4, 6]; // ... to one too long for Salesforce

let bodies: ReturnType<typeof salesforceBodies> = [];
beforeAll(() => {
	bodies = salesforceBodies(blocks.world);
});

async function run() {
	advance([blocks]);
	const from = bodies.length;
	const { run: result, writes } = await blocks.run();
	return { run: result, writes, sent: bodies.slice(from) };
}

const sfTitle = (i: number) =>
	blocks.world.sfAll().find((r) => r.fields.Email === email(i))?.fields.Title;

it('backfill: the contacts on both sides are linked without a write', async () => {
	for (let i = 0; i < N; i++) {
		blocks.world.sfInsert(toSalesforce(person('cf', i)));
		blocks.world.hsInsert(person('cf', i));
	}
	const { writes } = await run();
	expect(writes).toEqual({ sf: 0, hs: 0 });
	expect((await blocks.snapshot()).links).toHaveLength(N);
});

it('three updates refused by Salesforce: Commit lists them written: false, the rest written: true, and keeps the three', async () => {
	expect(TOO_LONG(0).length).toBeGreaterThan(128);
	for (const i of edited)
		blocks.world.hsEdit(blocks.id('b', email(i)), {
			jobtitle: refused.includes(i) ? TOO_LONG(i) : `New title ${i}`,
		});
	const { run: result, writes, sent } = await run();
	expect(result.json(PLAN, 1)).toHaveLength(edited.length);
	// One request with the 8 records; Salesforce saved 5 and refused 3 (per record, allOrNone false).
	expect(writes).toEqual({ sf: 1, hs: 0 });
	expect(sent.map((b) => b.records.length)).toEqual([edited.length]);
	const failed = result.json('Update in Salesforce', 1);
	expect(failed).toHaveLength(3);
	const done = result.json(COMMIT, 0);
	expect(done).toHaveLength(edited.length);
	expect(result.json(COMMIT, 1)).toEqual([]);
	const ids = (list: number[]) => list.map((i) => blocks.id('a', email(i))).sort();
	const by = (written: boolean) =>
		done
			.filter((d) => d.written === written)
			.map((d) => String(d.id))
			.sort();
	expect(by(false)).toEqual(ids(refused));
	expect(by(true)).toEqual(ids(edited.filter((i) => !refused.includes(i))));
	for (const d of done.filter((x: IDataObject) => x.written === false))
		expect(d).toEqual(
			expect.objectContaining({ side: 'a', op: 'update', reason: expect.stringMatching(/Title/) }),
		);
	for (const i of edited)
		expect(sfTitle(i)).toBe(refused.includes(i) ? 'Title ' + i : `New title ${i}`);
	const state = await blocks.snapshot();
	expect(state.failures).toHaveLength(3);
	expect(state.failures.every((f) => f.includes('"attempts":1') && !f.includes('awaiting'))).toBe(
		true,
	);
});

it('the titles fixed in HubSpot: the next run writes exactly those three, nothing else again', async () => {
	for (const i of refused)
		blocks.world.hsEdit(blocks.id('b', email(i)), { jobtitle: `Short title ${i}` });
	const { run: result, writes, sent } = await run();
	expect(writes).toEqual({ sf: 1, hs: 0 });
	expect(sent.map((b) => b.records.map((r) => r.Title).sort())).toEqual([
		refused.map((i) => `Short title ${i}`),
	]);
	const done = result.json(COMMIT, 0);
	expect(done).toHaveLength(3);
	expect(done.every((d) => d.written === true)).toBe(true);
	for (const i of refused) expect(sfTitle(i)).toBe(`Short title ${i}`);
	const state = await blocks.snapshot();
	expect(state.failures).toEqual([]);

	// And then nothing at all.
	const again = await run();
	expect(again.writes).toEqual({ sf: 0, hs: 0 });
	expect(again.sent).toEqual([]);
});
