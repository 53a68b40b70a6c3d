/**
 * The review loop of examples/blocks-with-review.json, through n8n's real engine, next to the CRM Sync node in a twin
 * world (same seeds, same clock moves, same edits by e-mail): Sync Plan's Conflicts → Conflict Resolver, whose custom
 * rules settle a conflict where one side blanked the field (→ Sync State › Resolve Conflicts in the same run) and send
 * the rest to the person (the No-Op "Review by a person"). The person's decision is recorded by a second workflow
 * (Manual Trigger → Code node emitting the conflict item with `winner` → Sync State › Resolve Conflicts); the next
 * blocks run writes the decided values (counted in the Salesforce simulator's requests and their bodies), the
 * conflicts are no longer on the Conflicts output nor in the store. The CRM Sync world, given the same decisions
 * through CRM Sync › Resolve Conflicts, ends in the same state (snapshot by e-mail, see blocksWorld.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { person, toSalesforce } from './model';
import {
	advance,
	blocksWorkflow,
	decide,
	PLAN,
	RESOLVER,
	REVIEW,
	salesforceBodies,
	Twin,
	twins,
} from './blocksWorld';
import { SYNC } from './world';

const [crm, blocks] = twins(new Twin('crmSync'), new Twin('blocks'));
const all = [crm, blocks];
const N = 10;
const email = (i: number) => `rv${i}@example.com`;

/** Salesforce write requests with the records each sent (its body), in the blocks world. */
let sfBodies: ReturnType<typeof salesforceBodies> = [];
beforeAll(() => {
	sfBodies = salesforceBodies(blocks.world);
});

/** Runs both worlds (the blocks one with its review branch), after the same clock move. */
async function runBoth() {
	advance(all);
	const x = await crm.run();
	const y = await blocks.run(blocksWorkflow(blocks.file));
	return { crm: x, blocks: y };
}

it('backfill: the contacts on both sides are linked, nothing in conflict', async () => {
	for (const t of all)
		for (let i = 0; i < N; i++) {
			t.world.sfInsert(toSalesforce(person('rv', i)));
			t.world.hsInsert(person('rv', i));
		}
	const { crm: x, blocks: y } = await runBoth();
	expect(y.run.json(PLAN, 6)).toEqual([]);
	expect(y.run.runData[RESOLVER]).toBeUndefined();
	expect([x.writes, y.writes]).toEqual([
		{ sf: 0, hs: 0 },
		{ sf: 0, hs: 0 },
	]);
	expect(await blocks.snapshot()).toEqual(await crm.snapshot());
});

let review: IDataObject[] = [];
let crmConflicts: IDataObject[] = [];

it('conflicts on FirstName: the Conflict Resolver settles the blanked one, the person gets the other', async () => {
	for (const t of all) {
		t.world.sfEdit(t.id('a', email(0)), { FirstName: 'Ann' });
		t.world.hsEdit(t.id('b', email(0)), { firstname: 'Anna' });
		t.world.sfEdit(t.id('a', email(1)), { FirstName: null });
		t.world.hsEdit(t.id('b', email(1)), { firstname: 'Bob' });
	}
	const { crm: x, blocks: y } = await runBoth();
	const conflicts = y.run.json(PLAN, 6);
	expect(conflicts.map((c) => [c.fieldA, c.a, c.b])).toEqual(
		expect.arrayContaining([
			['FirstName', 'Ann', 'Anna'],
			['FirstName', null, 'Bob'],
		]),
	);
	expect(conflicts).toHaveLength(2);
	expect(y.run.json(RESOLVER, 0)).toEqual([
		expect.objectContaining({ a: null, b: 'Bob', winner: 'b' }),
	]);
	review = y.run.json(REVIEW);
	expect(review).toEqual([expect.objectContaining({ a: 'Ann', b: 'Anna' })]);
	expect(y.run.json('Resolve Conflicts', 0)).toHaveLength(1);
	expect(y.writes).toEqual({ sf: 0, hs: 0 }); // nothing written for a conflict until it is decided
	// The CRM Sync world gets the Conflict Resolver's decision through its own Resolve Conflicts.
	crmConflicts = x.run.json(SYNC, 1);
	expect(crmConflicts).toHaveLength(2);
	await decide(
		crm,
		crmConflicts.filter((c) => c.a === null).map((c) => ({ ...c, winner: 'b' })),
	);
	const state = await blocks.snapshot();
	expect(state).toEqual(await crm.snapshot());
	expect(state.decisions).toBe(1);
	expect(state.conflicts).toHaveLength(2); // open until the next run applies the decision
});

it("the person's decision, recorded by a second workflow, is written by the next run; no conflict is left", async () => {
	const person = (items: IDataObject[]) =>
		items.filter((c) => c.a === 'Ann').map((c) => ({ ...c, winner: 'b' }));
	const recorded = await decide(blocks, person(review));
	expect(recorded.json('Decide', 0)).toHaveLength(1);
	await decide(crm, person(crmConflicts));
	expect((await blocks.snapshot()).decisions).toBe(2);
	const from = sfBodies.length;
	const { crm: x, blocks: y } = await runBoth();
	// Both decisions go to Salesforce in one update request: Anna (the person) and Bob (the Conflict Resolver).
	expect(y.writes).toEqual({ sf: 1, hs: 0 });
	expect(x.writes).toEqual({ sf: 1, hs: 0 });
	expect(sfBodies.slice(from).map((b) => b.records.map((r) => r.FirstName).sort())).toEqual([
		['Anna', 'Bob'],
	]);
	expect(y.run.json(PLAN, 6)).toEqual([]);
	expect(y.run.runData[RESOLVER]).toBeUndefined();
	const state = await blocks.snapshot();
	expect(state).toEqual(await crm.snapshot());
	expect(state).toMatchObject({ conflicts: [], decisions: 0 });
	for (const i of [0, 1])
		expect(blocks.world.sfAll().find((r) => r.fields.Email === email(i))?.fields.FirstName).toBe(
			i ? 'Bob' : 'Anna',
		);

	// And the run after that: nothing to write, nothing on Conflicts.
	const again = await runBoth();
	expect(again.blocks.writes).toEqual({ sf: 0, hs: 0 });
	expect(again.blocks.run.json(PLAN, 6)).toEqual([]);
	expect(await blocks.snapshot()).toEqual(await crm.snapshot());
});
