/**
 * The report's per-stage timings (read, plan, write, commit, other): present on every run, non-negative, adding up
 * to the run's wall time (`totalMs`), which is within the time measured around `runSync`; each stage counted where
 * its calls happen (a run with writes has write time, a run without any has none; a stage inside another is
 * counted once).
 */
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { StageClock, type SyncTimings } from '../../core/sync/timings';
import { World } from './world';

const world = new World();
const now = () => world.clock.now();

beforeAll(async () => {
	await world.start();
});
afterAll(async () => {
	await world.stop();
});

const STAGES = ['readMs', 'planMs', 'writeMs', 'commitMs', 'otherMs'] as const;

function expectConsistent(t: SyncTimings, wallMs: number): void {
	for (const k of [...STAGES, 'totalMs'] as const) {
		expect(typeof t[k]).toBe('number');
		expect(t[k]).toBeGreaterThanOrEqual(0);
	}
	const sum = STAGES.reduce((s, k) => s + t[k], 0);
	// Rounded to the microsecond each: the sum may differ from the total by a few of them.
	expect(Math.abs(sum - t.totalMs)).toBeLessThan(0.01);
	expect(t.totalMs).toBeLessThanOrEqual(wallMs);
}

it('a backfill with creates on both sides, then a run with nothing to do: stages timed, summing to the run', async () => {
	for (let i = 0; i < 30; i++) world.sfInsert({ LastName: `S${i}`, Email: `s${i}@example.com` });
	for (let i = 0; i < 20; i++) world.hsInsert({ lastname: `H${i}`, email: `h${i}@example.com` });
	world.advance();
	const store = new MemorySyncStore(now);
	let t0 = performance.now();
	const first = await runSync(world.config(), store, { now });
	expectConsistent(first.timings, performance.now() - t0);
	expect(first.counts.created).toEqual({ a: 20, b: 30 });
	for (const k of ['readMs', 'planMs', 'writeMs', 'commitMs'] as const)
		expect(first.timings[k]).toBeGreaterThan(0);

	world.advance();
	t0 = performance.now();
	const second = await runSync(world.config(), store, { now });
	expectConsistent(second.timings, performance.now() - t0);
	expect(second.counts.created).toEqual({ a: 0, b: 0 });
	expect(second.counts.updated).toEqual({ a: 0, b: 0 });
	// Nothing written: no write time at all.
	expect(second.timings.writeMs).toBe(0);
	expect(second.timings.readMs).toBeGreaterThan(0);
});

it('StageClock: a stage inside another counts once; a feed wrapper times the waits for its pages', async () => {
	const tick = () => new Promise((r) => setTimeout(r, 5));
	const nested = new StageClock();
	await nested.time('plan', async () => {
		await tick();
		await nested.time('read', tick); // inside the plan: part of it, not read as well
	});
	expect(nested.totals()).toMatchObject({ readMs: 0, writeMs: 0, commitMs: 0 });
	expect(nested.totals().planMs).toBeGreaterThan(0);

	const feed = new StageClock();
	let closed = false;
	async function* source() {
		try {
			for (let i = 0; i < 3; i++) {
				await tick();
				yield i;
			}
		} finally {
			closed = true;
		}
	}
	const seen: number[] = [];
	for await (const page of feed.pages(source())) {
		seen.push(page);
		if (page === 1) break;
	}
	expect(seen).toEqual([0, 1]);
	expect(closed).toBe(true); // leaving the loop closes the source
	const t = feed.totals();
	expect(t).toMatchObject({ planMs: 0, writeMs: 0, commitMs: 0 });
	expect(t.readMs).toBeGreaterThan(0);
	expect(Math.abs(STAGES.reduce((s, k) => s + t[k], 0) - t.totalMs)).toBeLessThan(0.01);
});
