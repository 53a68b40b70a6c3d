/**
 * The example workflows of `examples/` through n8n's real engine against the Salesforce and HubSpot simulators.
 *
 * Every `examples/*.json` (picked up by file, so a new example needs no change here): it is a workflow n8n can
 * import (name, description, a sticky note, known node types and versions, connections between its own nodes,
 * credentials of our types, a Manual Trigger for `n8n execute`), and run from its Manual Trigger over contacts on
 * Salesforce only, on HubSpot only and on both, it leaves every contact exactly once on each side; the next run
 * (from its Schedule Trigger when it has one) writes nothing.
 * Then what each example promises, counted in the simulators: the two-way sync every 15 minutes, and the migration
 * (the dry run writes nothing, the bulk upsert is 100 contacts per call, the sync after it links every contact
 * by e-mail without a write, and the scheduled runs after that are incremental).
 */
import type { IDataObject } from 'n8n-workflow';

import { loadPackage } from '../helpers/engine';
import { expectOnceEach, toSf, type Values } from '../sync/world';
import {
	CRM_SYNC,
	exampleFiles,
	ExampleWorld,
	MANUAL,
	nodeOfType,
	SCHEDULE,
	STICKY,
} from './examples/harness';

const TWO_WAY = 'salesforce-hubspot-two-way.json';
const MIGRATION = 'migration-then-incremental.json';

const person = (prefix: string, i: number): Values => ({
	email: `${prefix}.${i}@examples.example`,
	lastname: `Last ${prefix} ${i}`,
	firstname: `First ${i}`,
	jobtitle: `Title ${i}`,
	phone: `+1 555 ${String(i).padStart(6, '0')}`,
});

/** Contacts on Salesforce only, on HubSpot only and on both (`stale`: HubSpot's copy has another last name). */
function seed(
	world: ExampleWorld,
	counts: { sf: number; hs: number; both: number },
	stale = false,
): Map<string, Values> {
	const model = new Map<string, Values>();
	const add = (p: Values) => model.set(p.email as string, p);
	for (let i = 0; i < counts.sf; i++) {
		add(person('sf', i));
		world.sfInsert(toSf(person('sf', i)));
	}
	for (let i = 0; i < counts.hs; i++) {
		add(person('hs', i));
		world.hsInsert(person('hs', i));
	}
	for (let i = 0; i < counts.both; i++) {
		const p = person('both', i);
		add(p);
		world.sfInsert(toSf(p));
		world.hsInsert(stale ? { ...p, lastname: `Old ${i}` } : p);
	}
	return model;
}

const reportOf = (run: { json(node: string, output?: number): IDataObject[] }, node: string) =>
	run.json(node, 0)[0] as IDataObject & { counts: IDataObject };
const noWrites = { sf: [], hs: [] };

describe.each(exampleFiles())('example %s', (file) => {
	const world = new ExampleWorld();
	beforeAll(async () => await world.start());
	afterAll(async () => await world.stop());

	it('is a workflow n8n imports: described, known node types and versions, wired, credentials of our types', async () => {
		const wf = world.prepare(file);
		expect(wf.name).toEqual(expect.stringMatching(/\S/));
		// n8n 2.x keeps a workflow description (IWorkflowBase.description); the sticky note shows on the canvas.
		expect(String((wf as { description?: string }).description).length).toBeGreaterThan(40);
		const note = wf.nodes.find((n) => n.type === STICKY);
		expect(String(note?.parameters.content)).toMatch(/^## \S/);
		const names = wf.nodes.map((n) => n.name);
		expect(new Set(names).size).toBe(names.length);
		expect(new Set(wf.nodes.map((n) => n.id)).size).toBe(names.length);
		const { nodeTypes } = await loadPackage();
		for (const node of wf.nodes)
			expect(() => nodeTypes.getByNameAndVersion(node.type, node.typeVersion)).not.toThrow();
		for (const [from, outputs] of Object.entries(wf.connections)) {
			expect(names).toContain(from);
			for (const target of Object.values(outputs).flat(2)) expect(names).toContain(target?.node);
		}
		const types = wf.nodes.flatMap((n) => Object.keys(n.credentials ?? {}));
		expect(types.length).toBeGreaterThan(0);
		for (const type of types) expect(Object.keys(world.credentials())).toContain(type);
		expect(nodeOfType(wf, MANUAL)).toBeTruthy(); // `n8n execute` (the e2e tier) starts there
	});

	it('run from its Manual Trigger, leaves every contact once on each side; the next run writes nothing', async () => {
		const wf = world.prepare(file);
		const model = seed(world, { sf: 120, hs: 3, both: 4 });
		const first = await world.run(wf, nodeOfType(wf, MANUAL));
		expect(first.run.error).toBeUndefined();
		expectOnceEach(world, model);
		const next = wf.nodes.some((n) => n.type === SCHEDULE) ? SCHEDULE : MANUAL;
		const again = await world.run(wf, nodeOfType(wf, next));
		expect(again.run.error).toBeUndefined();
		expect(again.writes).toEqual(noWrites);
		expectOnceEach(world, model);
	});
});

describe(`${TWO_WAY}: Salesforce Contact ↔ HubSpot contacts every 15 minutes`, () => {
	const world = new ExampleWorld();
	const wf = world.prepare(TWO_WAY);
	const EVERY = 'Every 15 minutes';
	beforeAll(async () => await world.start());
	afterAll(async () => await world.stop());

	it("is triggered every 15 minutes by n8n's Schedule Trigger, which emits one item in a manual run", async () => {
		const trigger = wf.nodes.find((n) => n.name === EVERY);
		expect(trigger).toMatchObject({
			type: SCHEDULE,
			typeVersion: 1.2,
			parameters: { rule: { interval: [{ field: 'minutes', minutesInterval: 15 }] } },
		});
		expect(wf.connections[EVERY].main).toEqual([[{ node: 'CRM Sync', type: 'main', index: 0 }]]);
	});

	it('first scheduled run: one-sided contacts created on the other side, shared ones linked by e-mail', async () => {
		const model = seed(world, { sf: 30, hs: 20, both: 10 });
		const { run, writes } = await world.run(wf, EVERY);
		expect(run.error).toBeUndefined();
		expect(run.json(EVERY)).toEqual([expect.objectContaining({ timestamp: expect.any(String) })]);
		expect(run.executionOrder).toEqual([EVERY, 'CRM Sync']);
		const report = reportOf(run, 'CRM Sync');
		expect(report.counts).toMatchObject({ created: { a: 20, b: 30 }, linkedByMatch: 10 });
		expect(writes.sf.length).toBeGreaterThan(0);
		expect(writes.hs.length).toBeGreaterThan(0);
		expectOnceEach(world, model);

		// The second run writes nothing.
		const again = await world.run(wf, EVERY);
		expect(again.writes).toEqual(noWrites);
		expect(reportOf(again.run, 'CRM Sync').counts).toMatchObject({
			created: { a: 0, b: 0 },
			updated: { a: 0, b: 0 },
		});

		// Edits: one crosses over; a field changed on both sides goes to Review conflicts, untouched.
		const sfId = (email: string) =>
			world.sfAll().find((r) => r.fields.Email === email)?.id as string;
		const hsId = (email: string) =>
			world.hsAll().find((r) => r.fields.email === email)?.id as string;
		world.sfEdit(sfId('sf.1@examples.example'), { Title: 'Edited in Salesforce' });
		world.sfEdit(sfId('both.2@examples.example'), { Phone: '+1 555 111111' });
		world.hsEdit(hsId('both.2@examples.example'), { phone: '+1 555 222222' });
		const edits = await world.run(wf, EVERY);
		expect(edits.run.json('Review conflicts')).toEqual([
			expect.objectContaining({ fieldA: 'Phone', a: '+1 555 111111', b: '+1 555 222222' }),
		]);
		expect(edits.writes).toEqual({ sf: [], hs: [expect.any(String)] });
		model.set('sf.1@examples.example', {
			...(model.get('sf.1@examples.example') as Values),
			jobtitle: 'Edited in Salesforce',
		});
		expect(
			world.hsAll().find((r) => r.fields.email === 'sf.1@examples.example')?.fields.jobtitle,
		).toBe('Edited in Salesforce');
		expect(
			world.hsAll().find((r) => r.fields.email === 'both.2@examples.example')?.fields.phone,
		).toBe('+1 555 222222');
	});
});

describe(`${MIGRATION}: dry run, bulk upsert, then the same sync kept incremental`, () => {
	const world = new ExampleWorld();
	const wf = world.prepare(MIGRATION);
	const SF_ONLY = 250;
	const BOTH = 10;
	beforeAll(async () => await world.start());
	afterAll(async () => await world.stop());

	it('migrates: the dry run plans and writes nothing, 100 contacts per upsert call, the sync then links all without a write', async () => {
		const model = seed(world, { sf: SF_ONLY, hs: 0, both: BOTH }, true);
		const { run, writes } = await world.run(wf, 'Start migration');
		expect(run.error).toBeUndefined();
		expect(run.executionOrder.slice(0, 5)).toEqual([
			'Start migration',
			'Dry run',
			'All Salesforce contacts',
			'Salesforce → HubSpot names',
			'Upsert into HubSpot',
		]);
		const dry = reportOf(run, 'Dry run');
		expect(dry.dryRun).toBe(true);
		expect(dry.counts).toMatchObject({ created: { a: 0, b: SF_ONLY }, linkedByMatch: BOTH });
		// Nothing but the bulk upsert wrote: not the dry run before it, not the sync after it.
		expect(writes).toEqual({
			sf: [],
			hs: Array.from({ length: Math.ceil((SF_ONLY + BOTH) / 100) }, () => 'batch.upsert'),
		});
		expect(run.json('Upsert into HubSpot')).toHaveLength(SF_ONLY + BOTH);
		const sync = reportOf(run, 'Keep in sync');
		expect(sync.dryRun).toBe(false);
		expect(sync.counts).toMatchObject({
			created: { a: 0, b: 0 },
			updated: { a: 0, b: 0 },
			linkedByMatch: SF_ONLY + BOTH,
			conflicts: 0,
			failed: 0,
		});
		expectOnceEach(world, model); // the stale HubSpot copies now hold Salesforce's values
	});

	it('later runs come from the schedule and only run the sync, incrementally', async () => {
		const sfId = world.sfAll().find((r) => r.fields.Email === 'sf.7@examples.example')
			?.id as string;
		const hsId = world.hsAll().find((r) => r.fields.email === 'sf.8@examples.example')
			?.id as string;
		world.sfEdit(sfId, { LastName: 'Renamed in Salesforce' });
		world.hsEdit(hsId, { firstname: 'Renamed in HubSpot' });
		const { run, writes } = await world.run(wf, 'Every 15 minutes');
		expect(run.error).toBeUndefined();
		expect(run.executionOrder).toEqual(['Every 15 minutes', 'Keep in sync']);
		const report = reportOf(run, 'Keep in sync');
		expect(report.backfill).toEqual({ a: false, b: false });
		expect(report.counts).toMatchObject({ updated: { a: 1, b: 1 }, created: { a: 0, b: 0 } });
		expect(writes.sf).toHaveLength(1);
		expect(writes.hs).toHaveLength(1);
		expect(writes.hs).not.toContain('batch.upsert');
		const again = await world.run(wf, 'Every 15 minutes');
		expect(again.writes).toEqual(noWrites);
	});
});

// The CRM Sync nodes of every example name their sync: a scheduled run and a manual one continue the same state.
it.each(exampleFiles())('%s: every CRM Sync node has a Sync ID', (file) => {
	const wf = new ExampleWorld().prepare(file);
	for (const node of wf.nodes.filter((n) => n.type === CRM_SYNC))
		expect(String(node.parameters.syncId ?? '')).toMatch(/\S/);
});
