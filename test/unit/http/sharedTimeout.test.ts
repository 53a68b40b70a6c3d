/**
 * A Redis command's time limit counts time the event loop could have read the answer: a worker whose loop was busy
 * (n8n handling a large execution) must not call a healthy Redis "down" and fall back to per-process budgets — in the
 * queue-mode e2e that fallback let two workers together overshoot HubSpot's 10 s window.
 */
import {
	clearRateBudgets,
	closeSharedRateBudgets,
	configureSharedRateBudgets,
	getRateBudget,
} from '../../../core/http';
import { patientTimeout } from '../../../core/http/sharedRedis';

/** Keeps the event loop busy (no timers, no I/O) for `ms`. */
function block(ms: number): void {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		/* busy */
	}
}

describe('patientTimeout', () => {
	it('rejects once the time has passed with nothing answering', async () => {
		const t0 = Date.now();
		const { promise } = patientTimeout(100);
		await expect(promise).rejects.toThrow('no answer within 100 ms');
		expect(Date.now() - t0).toBeGreaterThanOrEqual(99);
	});

	it('a loop blocked past the deadline gets one more wait, so an answer coming right after the block wins', async () => {
		const { promise, cancel } = patientTimeout(100);
		block(400);
		const answer = new Promise<string>((resolve) => setTimeout(() => resolve('answer'), 30));
		await expect(Promise.race([answer, promise])).resolves.toBe('answer');
		cancel();
	});

	it('cancel stops it', async () => {
		const { promise, cancel } = patientTimeout(20);
		cancel();
		const outcome = await Promise.race([
			promise.then(
				() => 'resolved',
				() => 'rejected',
			),
			new Promise((resolve) => setTimeout(() => resolve('still pending'), 100)),
		]);
		expect(outcome).toBe('still pending');
	});
});

describe('a shared budget on a busy event loop', () => {
	afterEach(async () => {
		clearRateBudgets();
		configureSharedRateBudgets(undefined);
		await closeSharedRateBudgets();
	});

	it('stays shared when the loop is blocked longer than the Redis timeout while a command is out', async () => {
		const prefix = `crm-connectors-test:${process.pid}-${Date.now()}-busy:`;
		// A limit far above Redis's answer time even on a loaded machine (at 100 ms a full jest run on 2 cores missed it).
		configureSharedRateBudgets({ url: 'redis://127.0.0.1:6379/0', timeoutMs: 500, prefix });
		const warnings: string[] = [];
		const budget = getRateBudget('busy', {
			maxRequests: 50,
			intervalMs: 1000,
			logger: { warn: (m) => warnings.push(m) },
		});
		await budget.schedule(() => 'connected');
		// The acquire's time limit starts now; the loop is then busy for eight times the limit before the command's
		// answer can be read.
		const job = budget.schedule(() => 'ran');
		block(4000);
		await expect(job).resolves.toBe('ran');
		expect(warnings).toEqual([]);
		expect(budget.stats()).toMatchObject({ shared: true, completed: 2 });
		budget.dispose();
	});
});
