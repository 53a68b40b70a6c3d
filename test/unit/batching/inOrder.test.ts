/**
 * `inOrder` (core/batching/inOrder.ts): jobs with up to `limit` in flight, results handed out in job order; a failing
 * job thrown at its turn with no job started after it; a consumer leaving early lets the running jobs settle.
 */
import { inOrder } from '../../../core/batching/inOrder';

/** A job that resolves (or rejects) when told, logging when it started. */
function controlled(n: number) {
	const started: number[] = [];
	const settle: Array<{ ok: (v: number) => void; fail: (e: Error) => void }> = [];
	const task = (job: number) =>
		new Promise<number>((ok, fail) => {
			started.push(job);
			settle[job] = { ok, fail };
		});
	return { jobs: Array.from({ length: n }, (_, i) => i), started, settle, task };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

it('keeps `limit` jobs in flight and hands results out in job order, whatever order they finish in', async () => {
	const c = controlled(6);
	const out: number[] = [];
	const done = (async () => {
		for await (const v of inOrder(c.jobs, 3, c.task)) out.push(v);
	})();
	await tick();
	expect(c.started).toEqual([0, 1, 2]);
	c.settle[2].ok(20);
	c.settle[1].ok(10);
	await tick();
	expect(out).toEqual([]); // job 0 still running: nothing handed out, nothing more started
	expect(c.started).toEqual([0, 1, 2]);
	c.settle[0].ok(0);
	await tick();
	expect(out).toEqual([0, 10, 20]);
	expect(c.started).toEqual([0, 1, 2, 3, 4, 5]);
	for (const j of [5, 4, 3]) c.settle[j].ok(j * 10);
	await done;
	expect(out).toEqual([0, 10, 20, 30, 40, 50]);
});

it('a failing job is thrown at its turn; none starts after it; the others running settle first', async () => {
	const c = controlled(6);
	const out: number[] = [];
	const done = (async () => {
		for await (const v of inOrder(c.jobs, 2, c.task)) out.push(v);
	})();
	const failed = expect(done).rejects.toThrow('job 1 failed');
	await tick();
	c.settle[1].fail(new Error('job 1 failed')); // fails while job 0 runs: observed, not an unhandled rejection
	await tick();
	c.settle[0].ok(0);
	await tick();
	expect(c.started).toEqual([0, 1, 2]); // job 2 started when job 0 was handed out
	c.settle[2].ok(20);
	await failed;
	expect(out).toEqual([0]);
	expect(c.started).toEqual([0, 1, 2]);
});

it('a consumer leaving early waits for the jobs running, and starts no more', async () => {
	const c = controlled(5);
	let settled = false;
	const done = (async () => {
		for await (const v of inOrder(c.jobs, 3, c.task)) if (v === 0) break;
		settled = true;
	})();
	await tick();
	c.settle[0].ok(0);
	await tick();
	expect(settled).toBe(false); // jobs 1–3 still running
	c.settle[1].ok(1);
	c.settle[2].fail(new Error('ignored: the consumer left'));
	c.settle[3].ok(3);
	await done;
	expect(settled).toBe(true);
	expect(c.started).toEqual([0, 1, 2, 3]);
});
