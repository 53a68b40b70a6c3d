/**
 * A HubSpot backfill through the engine: read through the list API (100 a page, no search), resumed from the list
 * cursor the engine stored after a crash (nothing skipped, nothing created twice), and the records changed while it
 * was read picked up by the next run from the backfill's start watermark. HubSpot contacts flow one way into
 * Salesforce; every feed page is planned and committed alone (`gatherLimit`), so each commit stores a cursor.
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import type { StateChanges } from '../../core/sync/store/types';
import { expectOnceEach, World, type Values } from './world';

const N = 250;
const world = new World();
const now = () => world.clock.now();

class CrashingStore extends MemorySyncStore {
	calls = 0;
	crashAt = 0;
	async commit(syncId: string, changes: StateChanges): Promise<void> {
		if (++this.calls === this.crashAt) throw new Error(`crash at commit ${this.calls}`);
		return super.commit(syncId, changes);
	}
}

const person = (i: number): Values => ({
	email: `b${i}@example.com`,
	lastname: `L${i}`,
	firstname: `F${i}`,
	jobtitle: `T${i}`,
	phone: `${100 + i}`,
});

function seed(): { model: Map<string, Values>; ids: string[] } {
	const model = new Map<string, Values>();
	const ids: string[] = [];
	for (let i = 0; i < N; i++) {
		model.set(`b${i}@example.com`, person(i));
		ids.push(world.hsInsert(person(i)));
	}
	world.advance();
	return { model, ids };
}

const config = (b: CrmConnector = world.hubspot()) =>
	world.config({ b: { connector: b, objectType: 'contacts' }, direction: 'bToA' });
const options = { now, gatherLimit: 100 };
/** Pages of live HubSpot contacts read through the list API, and searches, so far. */
const reads = () => ({
	lists: world.hs.log
		.entries({ kind: 'list' })
		.filter((e) => String(e.query.limit) === '100' && e.query.archived !== 'true').length,
	searches: world.hs.log.count({ kind: 'search' }),
});

beforeAll(() => world.start());
afterAll(() => world.stop());

describe('HubSpot backfill', () => {
	it(`reads ${N} records in ${Math.ceil(N / 100)} list requests and no search`, async () => {
		world.reset();
		const { model } = seed();
		const before = reads();
		const report = await runSync(config(), new MemorySyncStore(now), options);
		expect(report.failures).toEqual([]);
		expect(reads()).toEqual({
			lists: before.lists + Math.ceil(N / 100),
			searches: before.searches,
		});
		expectOnceEach(world, model);
	});

	it('a crash at any commit of the backfill: the next run resumes from the stored list cursor, nothing skipped or doubled', async () => {
		world.reset();
		seed();
		const clean = new CrashingStore(now);
		await runSync(config(), clean, options);
		expect(clean.calls).toBeGreaterThanOrEqual(3);
		let resumedMidway = 0;
		for (let k = 1; k <= clean.calls; k++) {
			world.reset();
			const { model } = seed();
			const store = new CrashingStore(now);
			store.crashAt = k;
			await expect(runSync(config(), store, options)).rejects.toThrow(`crash at commit ${k}`);
			const before = reads();
			const next = await runSync(config(), store, options);
			expect({ k, failures: next.failures }).toEqual({ k, failures: [] });
			if (reads().lists - before.lists < Math.ceil(N / 100)) resumedMidway++;
			try {
				expectOnceEach(world, model);
			} catch (error) {
				throw new Error(`crash at commit ${k}: ${(error as Error).message}`);
			}
		}
		expect(resumedMidway).toBeGreaterThan(0);
	});

	it('records edited or created while the backfill is read come with the next run', async () => {
		world.reset();
		const { model, ids } = seed();
		const b = world.hubspot();
		const feed = b.changesSince.bind(b);
		let pages = 0;
		b.changesSince = async function* (...args) {
			for await (const page of feed(...args)) {
				if (++pages === 2) {
					// One record already handed out, one ahead of the reader, and a new one.
					world.hsEdit(ids[5], { jobtitle: 'Edited behind' });
					world.hsEdit(ids[240], { jobtitle: 'Edited ahead' });
					world.hsInsert({ ...person(N), email: 'new@example.com' });
				}
				yield page;
			}
		};
		const store = new MemorySyncStore(now);
		await runSync(config(b), store, options);
		expect(pages).toBe(Math.ceil(N / 100));
		model.set('b5@example.com', { ...person(5), jobtitle: 'Edited behind' });
		model.set('b240@example.com', { ...person(240), jobtitle: 'Edited ahead' });
		model.set('new@example.com', { ...person(N), email: 'new@example.com' });
		world.advance();
		const next = await runSync(config(), store, options);
		expect(next.failures).toEqual([]);
		expectOnceEach(world, model);
	});
});
