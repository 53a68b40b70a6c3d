/**
 * Conflict Resolver fed by a real CRM Sync Conflicts output, through n8n's engine: Manual Trigger → CRM Sync
 * (strategy Review) → Conflicts → Conflict Resolver → Resolved → CRM Sync (Resolve Conflicts). The next run writes
 * the decisions (read back from the simulators); what the resolver left open stays open.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { nodeTypeName, runWorkflow } from '../../helpers/engine';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { person, toSalesforce } from './model';
import { idsByEmail } from './edits';
import { MAPPINGS, SYNC, SyncWorld, syncNode } from './world';

const world = new SyncWorld();
const RESOLVER = 'Conflict Resolver';
const DECIDE = 'Resolve Conflicts';

beforeAll(async () => {
	await world.start();
	world.reset();
});
afterAll(async () => {
	await world.stop();
});

/** Every field pair as the sync's strategy: Review. */
const reviewSync = () =>
	syncNode({
		conflictStrategy: 'review',
		fieldMappings: { mappings: MAPPINGS.map((m) => ({ ...m, conflict: 'default' })) },
	});

const resolverNode: INode = {
	id: 'resolver',
	name: RESOLVER,
	type: nodeTypeName('conflictResolver'),
	typeVersion: 1,
	position: [600, 0],
	parameters: {
		inputShape: 'conflicts',
		strategy: 'aUnlessBlank',
		fieldStrategies: {
			rules: [
				{ field: 'firstname', strategy: 'bWins' },
				{ field: 'LastName', strategy: 'review' },
			],
		},
	},
};

async function run(withResolver: boolean) {
	world.advance();
	clearRateBudgets();
	const trigger: INode = {
		id: 'trigger',
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const decide: INode = {
		id: 'decide',
		name: DECIDE,
		type: nodeTypeName('crmSync'),
		typeVersion: 1,
		position: [900, 0],
		parameters: { operation: 'resolveConflicts' },
	};
	const result = await runWorkflow(
		{
			id: 'conflict-resolver-sync',
			nodes: [trigger, reviewSync(), ...(withResolver ? [resolverNode, decide] : [])],
			connections: {
				Start: { main: [[{ node: SYNC, type: 'main', index: 0 }]] },
				...(withResolver
					? {
							[SYNC]: { main: [[], [{ node: RESOLVER, type: 'main', index: 0 }], []] },
							[RESOLVER]: { main: [[{ node: DECIDE, type: 'main', index: 0 }], []] },
						}
					: {}),
			},
		},
		{ credentials: world.credentials() },
	);
	expect(result.error).toBeUndefined();
	return result;
}

const emails = Array.from({ length: 3 }, (_, i) => `cr${i}@example.com`);

describe('Conflict Resolver on a CRM Sync Conflicts output', () => {
	it('resolves the conflicts of a review sync by its strategies; Resolve Conflicts stores them; the next run writes them', async () => {
		emails.forEach((_, i) => world.sfInsert(toSalesforce(person('cr', i))));
		await run(false); // backfill: the pairs are linked, nothing in conflict
		const ids = idsByEmail(world);
		const [e0, e1, e2] = emails;
		world.sfEdit(ids.a.get(e0) as string, { FirstName: 'SfFirst 0' });
		world.hsEdit(ids.b.get(e0) as string, { firstname: 'HsFirst 0' });
		world.sfEdit(ids.a.get(e1) as string, { LastName: 'SfLast 1' });
		world.hsEdit(ids.b.get(e1) as string, { lastname: 'HsLast 1' });
		world.sfEdit(ids.a.get(e2) as string, { Phone: null });
		world.hsEdit(ids.b.get(e2) as string, { phone: '+49 1' });

		const found = await run(true);
		const conflicts = found.json(SYNC, 1);
		expect(conflicts.map((c) => [c.fieldA, c.a, c.b])).toEqual(
			expect.arrayContaining([
				['FirstName', 'SfFirst 0', 'HsFirst 0'],
				['LastName', 'SfLast 1', 'HsLast 1'],
				['Phone', null, '+49 1'],
			]),
		);
		expect(conflicts).toHaveLength(3);

		const resolved = found.json(RESOLVER, 0);
		const review = found.json(RESOLVER, 1);
		const byField = (items: IDataObject[]) =>
			Object.fromEntries(items.map((r) => [String(r.fieldA), r]));
		expect(byField(resolved)).toEqual({
			FirstName: expect.objectContaining({
				conflictId: conflicts.find((c) => c.fieldA === 'FirstName')?.conflictId,
				winner: 'b',
				resolvedValue: 'HsFirst 0',
				resolvedBy: 'bWins',
			}),
			Phone: expect.objectContaining({
				winner: 'b',
				resolvedValue: '+49 1',
				resolvedBy: 'aUnlessBlank',
				reason: "A Unless Blank: A is blank, B's value kept",
			}),
		});
		expect(review.map((r) => [r.fieldA, r.resolvedBy])).toEqual([['LastName', 'review']]);
		expect(found.json(DECIDE, 0).map((d) => [d.fieldA, d.status, d.decision])).toEqual(
			expect.arrayContaining([
				['FirstName', 'decided', { winner: 'b' }],
				['Phone', 'decided', { winner: 'b' }],
			]),
		);

		const applied = await run(false);
		const sf = (email: string) => world.sfAll().find((r) => r.id === ids.a.get(email))?.fields;
		expect(sf(e0)?.FirstName).toBe('HsFirst 0');
		expect(sf(e2)?.Phone).toBe('+49 1');
		expect(sf(e1)?.LastName).toBe('SfLast 1'); // left to review: untouched
		expect(applied.json(SYNC, 1).map((c) => c.fieldA)).toEqual(['LastName']);
	});
});
