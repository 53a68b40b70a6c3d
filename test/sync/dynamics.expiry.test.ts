/**
 * A deletion feed whose position the CRM no longer honours: Dataverse's change-tracking delta tokens expire after 7
 * days. A sync that has not run for 8 days must not fail for ever on it: the feed starts again from now, the run
 * goes on (creates and updates still flow), and the report says that deletions of that gap were not propagated.
 */
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { DvSyncWorld } from './dvWorld';

const world = new DvSyncWorld();
const store = new MemorySyncStore(() => world.clock.now());
const run = () => runSync(world.pairConfig('sf', 'dv'), store, { now: () => world.clock.now() });
const DAY = 24 * 3600_000;

beforeAll(() => world.start());
afterAll(() => world.stop());

test('an expired delta token restarts the deletion feed with a warning; the sync goes on and later deletions flow', async () => {
	for (let i = 0; i < 4; i++)
		world.insert('sf', {
			email: `x${i}@example.com`,
			lastname: `X${i}`,
			firstname: 'F',
			jobtitle: null,
			phone: null,
		});
	world.advance();
	const first = await run();
	expect(first.counts.created.b).toBe(4);

	// Eight days without a run: one record deleted in Dynamics meanwhile, one edited in Salesforce.
	world.clock.advance(8 * DAY);
	world.remove('dv', world.idOf('dv', 'x0@example.com'));
	world.edit('sf', world.idOf('sf', 'x1@example.com'), { lastname: 'X1 edited' });
	world.advance();
	const second = await run();
	expect(second.warnings.join('\n')).toMatch(
		/side b \(contacts\): the deletion feed's position expired/,
	);
	expect(second.counts.deleted).toEqual({ a: 0, b: 0 }); // the gap's deletion is said, not propagated
	expect(second.counts.updated.b).toBe(1);
	expect(world.all('dv').find((r) => r.v.email === 'x1@example.com')?.v.lastname).toBe('X1 edited');

	// From the new position on, deletions flow again.
	world.remove('dv', world.idOf('dv', 'x2@example.com'));
	world.advance();
	const third = await run();
	expect(third.warnings.join('\n')).not.toMatch(/expired/);
	expect(third.counts.deleted.a).toBe(1);
	expect(
		world
			.all('sf')
			.map((r) => r.v.email)
			.sort(),
	).toEqual(['x0@example.com', 'x1@example.com', 'x3@example.com']);
});
