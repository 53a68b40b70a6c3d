/**
 * Sync State › Look Up Links through n8n's real engine, on the state a run of examples/blocks-with-review.json leaves
 * against the Salesforce and HubSpot simulators (blocksWorld.ts): contacts on both sides (matched by e-mail), only in
 * Salesforce (created in HubSpot), only in HubSpot (created in Salesforce). By Record finds each record's partner
 * (checked against the simulators' records, found by e-mail) and its last-synced values, reading the store once per
 * side; an unknown id or a bad side goes to Failed; every item ends on exactly one output. All returns every link the
 * store holds (countLinks), one Status, or up to Limit.
 */
import path from 'node:path';

import type { IDataObject, INode } from 'n8n-workflow';

import { excludeRecord } from '../../../core/sync/admin';
import { nodeTypeName, PACKAGE_ROOT, runWorkflow, type WorkflowRun } from '../../helpers/engine';
import { person, toSalesforce } from './model';
import { advance, Twin, twins } from './blocksWorld';

const [twin] = twins(new Twin('blocks'));
const LOOK = 'Look Up Links';
const email = (i: number) => `lk${i}@example.com`;
const BOTH = [0, 1, 2, 3];
const ONLY_A = [4, 5, 6];
const ONLY_B = [7, 8];

/** Manual Trigger → Code node emitting `items` → Sync State › Look Up Links with `parameters`. */
async function lookUp(parameters: IDataObject, items: IDataObject[] = [{}]): Promise<WorkflowRun> {
	const at = (name: string, type: string, x: number, p: INode['parameters']): INode => ({
		id: name.toLowerCase().replace(/\W+/g, '-'),
		name,
		type,
		typeVersion: type.endsWith('.code') ? 2 : 1,
		position: [x, 0],
		parameters: p,
	});
	const to = (node: string) => [[{ node, type: 'main' as const, index: 0 }]];
	const run = await runWorkflow({
		id: 'look-up-links',
		nodes: [
			at('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
			at('Records', 'n8n-nodes-base.code', 200, { jsCode: `return ${JSON.stringify(items)};` }),
			at(LOOK, nodeTypeName('syncState'), 400, {
				operation: 'getLinks',
				syncId: twin.syncId,
				sqliteFile: twin.file,
				...parameters,
			}),
		],
		connections: { Start: { main: to('Records') }, Records: { main: to(LOOK) } },
	});
	expect(run.error).toBeUndefined();
	return run;
}

/** Spies (calling through) on the node's SQLite store methods `names`. */
function spyOnStore(names: string[]): jest.SpyInstance[] {
	// The engine loads the package from dist/: spy on the class it uses, not on the TypeScript source's.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const built = require(path.join(PACKAGE_ROOT, 'dist/core/sync/store/sqlite.js')) as {
		SqliteSyncStore: { prototype: object };
	};
	return names.map((name) => jest.spyOn(built.SqliteSyncStore.prototype as never, name as never));
}

beforeAll(async () => {
	for (const i of [...BOTH, ...ONLY_A]) twin.world.sfInsert(toSalesforce(person('lk', i)));
	for (const i of [...BOTH, ...ONLY_B]) twin.world.hsInsert(person('lk', i));
	advance([twin]);
	await twin.run();
	expect(await twin.withStore((s) => s.countLinks(twin.syncId, 'linked'))).toBe(9);
});

describe('By Record', () => {
	it("finds each record's partner on the other side and its last-synced values, one store call per side", async () => {
		const asked = [
			...[0, 4, 7].map((i) => ({ side: 'a', id: twin.id('a', email(i)), email: email(i) })),
			...[1, 5, 8].map((i) => ({ side: 'b', id: twin.id('b', email(i)), email: email(i) })),
		];
		const items = [
			...asked.slice(0, 3),
			{ side: 'b', id: '999999999', email: 'unknown' },
			...asked.slice(3),
			{ side: 'c', id: asked[0].id, email: 'bad side' },
			{ side: 'a', id: '', email: 'no id' },
		];
		const spies = spyOnStore(['getLinksByIds', 'listLinks']);
		let run: WorkflowRun;
		let calls: unknown[][][];
		try {
			run = await lookUp({}, items);
		} finally {
			// (mockRestore clears the calls)
			calls = spies.map((s) => s.mock.calls.map((c) => [c[1], (c[2] as string[]).length]));
			spies.forEach((s) => s.mockRestore());
		}
		// One getLinksByIds per side for the seven ids (the unknown one on side B), not one per item.
		expect(calls).toEqual([
			[
				['a', 3],
				['b', 4],
			],
			[],
		]);

		const done = run.items(LOOK, 0);
		expect(done).toHaveLength(asked.length);
		for (const item of done) {
			const input = items[(item.pairedItem as { item: number }).item];
			const e = String(input.email);
			const sf = twin.world.sfAll().find((r) => r.id === twin.id('a', e));
			const hs = twin.world.hsAll().find((r) => r.id === twin.id('b', e));
			expect(item.json).toEqual({
				syncId: twin.syncId,
				side: input.side,
				recordId: input.id,
				linkId: expect.any(String),
				aId: sf?.id,
				bId: hs?.id,
				status: 'linked',
				lastSynced: expect.objectContaining({
					'Email/email': { a: sf?.fields.Email, b: hs?.fields.email },
					'LastName/lastname': { a: sf?.fields.LastName, b: hs?.fields.lastname },
					'MailingCity/city': { a: sf?.fields.MailingCity, b: hs?.fields.city },
				}),
				updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			});
			expect(sf?.fields.LastName).toBe(`Last ${e.split('@')[0]}`);
		}
		// Every input item on exactly one output, the ones without a link on Failed with the reason.
		const failed = run.items(LOOK, 1);
		expect([...done, ...failed].map((x) => (x.pairedItem as { item: number }).item).sort()).toEqual(
			items.map((_, i) => i).sort(),
		);
		expect(failed.map((x) => [x.json.email, x.json.error])).toEqual([
			[
				'unknown',
				expect.stringContaining(
					`Record ID "999999999": the side B record is not linked in sync "${twin.syncId}"`,
				),
			],
			['bad side', expect.stringContaining('Side: "c" is not a side')],
			['no id', expect.stringContaining('Record ID: empty')],
		]);
	});

	it('an excluded record is found with status "excluded"; another Sync ID finds nothing', async () => {
		const id = twin.id('a', email(2));
		await twin.withStore((store) => excludeRecord(store, twin.syncId, 'a', id));
		const run = await lookUp({}, [{ side: 'a', id }]);
		expect(run.json(LOOK, 0)).toEqual([
			expect.objectContaining({ aId: id, bId: twin.id('b', email(2)), status: 'excluded' }),
		]);
		const other = await lookUp({ syncId: 'another-sync' }, [{ side: 'a', id }]);
		expect(other.json(LOOK, 0)).toEqual([]);
		expect(other.json(LOOK, 1)).toEqual([
			expect.objectContaining({
				error: expect.stringContaining('no sync with this ID has run on this state store'),
			}),
		]);
	});
});

describe('All', () => {
	it('returns every link the store holds, once per run (not per input item)', async () => {
		const count = await twin.withStore((s) => s.countLinks(twin.syncId));
		expect(count).toBe(9);
		const run = await lookUp({ mode: 'all', returnAll: true }, [{}, {}, {}]);
		const links = run.items(LOOK, 0);
		expect(links).toHaveLength(count);
		expect(run.json(LOOK, 1)).toEqual([]);
		expect(links.every((l) => (l.pairedItem as { item: number }).item === 0)).toBe(true);
		const pairs = links.map((l) => [l.json.aId, l.json.bId]);
		const expected = [...BOTH, ...ONLY_A, ...ONLY_B].map((i) => [
			twin.id('a', email(i)),
			twin.id('b', email(i)),
		]);
		expect(pairs.sort()).toEqual(expected.sort());
	});

	it('Status keeps the links with that status; Limit limits', async () => {
		const excluded = await lookUp({ mode: 'all', returnAll: true, linkStatus: 'excluded' });
		expect(excluded.json(LOOK, 0)).toEqual([
			expect.objectContaining({ aId: twin.id('a', email(2)), status: 'excluded' }),
		]);
		const linked = await lookUp({ mode: 'all', returnAll: true, linkStatus: 'linked' });
		expect(linked.json(LOOK, 0)).toHaveLength(8);
		const limited = await lookUp({ mode: 'all', limit: 3 });
		expect(limited.json(LOOK, 0)).toHaveLength(3);
		// The first three in the store's order (linkId).
		const all = await lookUp({ mode: 'all', returnAll: true });
		expect(limited.json(LOOK, 0)).toEqual(all.json(LOOK, 0).slice(0, 3));
	});
});
