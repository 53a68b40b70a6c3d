/** Dataverse types emailaddress1 as e-mail (FormatName Email): an e-mail differing only in case pairs without conflict or write, whichever side Dynamics is. */
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { DvSyncWorld } from '../sync/dvWorld';

const world = new DvSyncWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

test.each([
	['hs', 'dv'],
	['dv', 'hs'],
] as const)(
	'%s (A) ↔ %s (B): e-mails differing only in case pair without conflict or write',
	async (a, b) => {
		world.reset();
		const store = new MemorySyncStore(() => world.clock.now());
		const p = {
			email: 'both.1@example.com',
			lastname: 'L',
			firstname: 'F',
			jobtitle: null,
			phone: null,
		};
		world.insert('hs', { ...p, email: p.email.toUpperCase() });
		world.insert('dv', p);
		world.advance();
		const report = await runSync(world.pairConfig(a, b, { conflict: 'review' }), store, {
			now: () => world.clock.now(),
		});
		expect({ conflicts: report.counts.conflicts, updated: report.counts.updated }).toEqual({
			conflicts: 0,
			updated: { a: 0, b: 0 },
		});
	},
);
