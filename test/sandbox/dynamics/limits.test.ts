import http from 'node:http';
import { ManualClock } from '../../../sandbox/kit';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { fetchToken } from './helpers';

const T0 = Date.UTC(2024, 4, 1, 9, 0, 0);

/** A raw GET with a bearer token; returns status, headers and the parsed body. */
async function get(c: DynamicsSimContract, token: string, path = '/WhoAmI()') {
	const res = await fetch(`${c.apiUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
	const text = await res.text();
	return {
		status: res.status,
		headers: res.headers,
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies navigated in assertions
		body: (text ? JSON.parse(text) : undefined) as any,
		at: Date.now(),
	};
}

/** A raw `$batch` of `n` contact creates, each its own change set (as the connector sends them). */
async function batchCreate(c: DynamicsSimContract, token: string, n: number, from = 0) {
	const parts = Array.from({ length: n }, (_, i) =>
		[
			'--batch_L',
			'Content-Type: multipart/mixed; boundary=changeset_' + i,
			'',
			'--changeset_' + i,
			'Content-Type: application/http',
			'Content-Transfer-Encoding: binary',
			'Content-ID: 1',
			'',
			'POST contacts HTTP/1.1',
			'Content-Type: application/json',
			'',
			JSON.stringify({ lastname: `Op ${from + i}` }),
			'--changeset_' + i + '--',
		].join('\r\n'),
	);
	const res = await fetch(`${c.apiUrl}/$batch`, {
		method: 'POST',
		headers: {
			Authorization: `Bearer ${token}`,
			'Content-Type': 'multipart/mixed; boundary=batch_L',
		},
		body: [...parts, '--batch_L--', ''].join('\r\n'),
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, text };
}

async function started(options: ConstructorParameters<typeof DynamicsSimulator>[0]) {
	const sim = new DynamicsSimulator(options);
	const contract = await sim.start();
	return { sim, contract, token: await fetchToken(contract) };
}

describe('Dataverse simulator: service protection limits', () => {
	it('answers the 6,001st request in 300 s with 429 0x80072322 + Retry-After, and admits again when the window slides', async () => {
		const clock = new ManualClock(T0);
		const { sim, contract, token } = await started({ clock });
		try {
			for (let i = 0; i < 120; i++) {
				const replies = await Promise.all(Array.from({ length: 50 }, () => get(contract, token)));
				expect(replies.every((r) => r.status === 200)).toBe(true);
				if (i === 0)
					expect(
						replies.map((r) => r.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests')),
					).toContain('5950');
				if (i === 59) clock.advance(100_000); // the second half arrives 100 s later
			}
			expect(sim.protection.usage(sim.identity.appUserId).requests).toBe(6000);
			const limited = await get(contract, token);
			expect(limited.status).toBe(429);
			expect(limited.body).toEqual({
				error: {
					code: '0x80072322',
					message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
				},
			});
			// The first 3,000 requests leave the window 300 s after T0: 200 s from now.
			expect(limited.headers.get('retry-after')).toBe('200');
			expect(sim.log.count({ kind: 'whoami', status: 429 })).toBe(1);
			clock.advance(199_000);
			expect((await get(contract, token)).status).toBe(429);
			clock.advance(1000);
			const again = await get(contract, token);
			expect(again.status).toBe(200);
			expect(again.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests')).toBe('2999');
		} finally {
			await sim.stop();
		}
	}, 60_000);

	it('answers the 53rd concurrent request with 429 0x80072326 at once', async () => {
		const clock = new ManualClock(T0);
		const { sim, contract, token } = await started({ clock });
		try {
			// 52 creates held in flight: their bodies arrive only when released.
			const held = Array.from({ length: 52 }, () => {
				const req = http.request(`${contract.apiUrl}/accounts`, {
					method: 'POST',
					headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
				});
				const done = new Promise<number>((resolve, reject) => {
					req.on('response', (res) => {
						res.resume();
						resolve(res.statusCode ?? 0);
					});
					req.on('error', reject);
				});
				req.write('{"name":');
				return { req, done };
			});
			const user = sim.identity.appUserId;
			for (let i = 0; i < 200 && sim.protection.usage(user).inFlight < 52; i++)
				await new Promise((r) => setTimeout(r, 10));
			expect(sim.protection.usage(user).inFlight).toBe(52);
			const limited = await get(contract, token);
			expect(limited.status).toBe(429);
			expect(limited.body.error).toEqual({
				code: '0x80072326',
				message: 'Number of concurrent requests exceeded the limit of 52.',
			});
			expect(limited.headers.get('retry-after')).toBe('1');
			for (const h of held) h.req.end('"Held"}');
			expect(await Promise.all(held.map((h) => h.done))).toEqual(Array(52).fill(204));
			expect(sim.collection('account').count()).toBe(52);
			expect(sim.protection.usage(user)).toMatchObject({ requests: 52, inFlight: 0 });
			expect((await get(contract, token)).status).toBe(200);
		} finally {
			await sim.stop();
		}
	});

	it('charges the configured latency as execution time when the clock does not move', async () => {
		const clock = new ManualClock(T0);
		const { sim, contract, token } = await started({ clock, latency: 20 });
		try {
			await get(contract, token);
			await get(contract, token);
			expect(sim.protection.usage(sim.identity.appUserId).executionMs).toBe(40);
		} finally {
			await sim.stop();
		}
	});

	it('limits combined execution time (configured per-request cost) with 0x80072321', async () => {
		const clock = new ManualClock(T0);
		const { sim, contract, token } = await started({
			clock,
			serviceProtection: { costPerRequestMs: 500_000 },
		});
		try {
			const first = await get(contract, token);
			expect(first.headers.get('x-ms-ratelimit-time-remaining-xrm-requests')).toBe('1,200,000.00');
			clock.advance(60_000);
			const second = await get(contract, token);
			expect(second.headers.get('x-ms-ratelimit-time-remaining-xrm-requests')).toBe('700,000.00');
			expect((await get(contract, token)).status).toBe(200); // 1,000,000 ms used before it
			const limited = await get(contract, token); // 1,500,000 ms used
			expect(limited.status).toBe(429);
			expect(limited.body.error).toEqual({
				code: '0x80072321',
				message:
					'Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.',
			});
			// Once the first request (T0) leaves the window, 1,000,000 ms remain: 240 s from now.
			expect(limited.headers.get('retry-after')).toBe('240');
			clock.advance(240_000);
			expect((await get(contract, token)).status).toBe(200);
			expect(sim.log.count({ status: 429 })).toBe(1);
		} finally {
			await sim.stop();
		}
	});

	it('counts per user: a second application user has its own window', async () => {
		const clock = new ManualClock(T0);
		const { sim, contract, token } = await started({ clock, serviceProtection: { requests: 3 } });
		try {
			sim.oauth.addClient({
				clientId: 'second-app',
				clientSecret: 'second-secret',
				grants: ['client_credentials'],
				subject: sim.userIds[1],
			});
			const token2 = await fetchToken({
				...contract,
				clientId: 'second-app',
				clientSecret: 'second-secret',
			});
			for (let i = 0; i < 3; i++) expect((await get(contract, token)).status).toBe(200);
			expect((await get(contract, token)).status).toBe(429);
			const other = await get(contract, token2);
			expect(other.status).toBe(200);
			expect(other.body.UserId).toBe(sim.userIds[1]);
			expect(sim.protection.usage(sim.userIds[1]).requests).toBe(1);
			expect(sim.protection.usage(sim.identity.appUserId).requests).toBe(3);
		} finally {
			await sim.stop();
		}
	});

	it('is configured through the admin endpoint and can be turned off', async () => {
		const clock = new ManualClock(T0);
		const { sim, contract, token } = await started({ clock });
		const admin = `${contract.serverUrl}/__sandbox/rate-limit`;
		try {
			const put = await fetch(admin, {
				method: 'PUT',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ requests: 2 }),
			});
			expect(
				((await put.json()) as { serviceProtection: unknown }).serviceProtection,
			).toMatchObject({
				requests: 2,
				executionMs: 1_200_000,
				concurrent: 52,
				windowMs: 300_000,
			});
			await get(contract, token);
			await get(contract, token);
			expect((await get(contract, token)).status).toBe(429);
			expect(((await (await fetch(admin)).json()) as { usage: unknown }).usage).toMatchObject({
				requests: 2,
			});
			await fetch(admin, {
				method: 'PUT',
				body: JSON.stringify({ enabled: false }),
				headers: { 'Content-Type': 'application/json' },
			});
			const free = await get(contract, token);
			expect(free.status).toBe(200);
			expect(free.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests')).toBeNull();
		} finally {
			await sim.stop();
		}
	});

	describe('per-operation cost (costPerOperationMs)', () => {
		it('defaults to 25 ms per operation: charged per write and per inner request of a $batch, not per read', async () => {
			const clock = new ManualClock(T0);
			const { sim, contract, token } = await started({ clock });
			try {
				const user = sim.identity.appUserId;
				expect(sim.protection.get()).toMatchObject({ costPerOperationMs: 25 });
				await get(contract, token);
				expect(sim.protection.usage(user).executionMs).toBe(0); // a read on a still clock, no latency
				const single = await fetch(`${contract.apiUrl}/contacts`, {
					method: 'POST',
					headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
					body: JSON.stringify({ lastname: 'Single' }),
				});
				expect(single.status).toBe(204);
				expect(sim.protection.usage(user).executionMs).toBe(25);
				const batch = await batchCreate(contract, token, 40);
				expect(batch.status).toBe(200);
				expect(sim.collection('contact').count()).toBe(41);
				// One request for the request-count limit, 40 operations for the execution-time limit.
				expect(sim.protection.usage(user)).toMatchObject({
					requests: 3,
					executionMs: 25 + 40 * 25,
				});
			} finally {
				await sim.stop();
			}
		});

		it('batches of many operations reach the execution-time limit (429 0x80072321) with an honest Retry-After', async () => {
			const clock = new ManualClock(T0);
			// 1,000 creates at 300 ms each = 300,000 ms of execution time per batch: four fill the 1,200,000 ms window.
			const { sim, contract, token } = await started({
				clock,
				serviceProtection: { costPerOperationMs: 300 },
			});
			try {
				const user = sim.identity.appUserId;
				const remaining: Array<string | null> = [];
				for (let i = 0; i < 4; i++) {
					const ok = await batchCreate(contract, token, 1000, i * 1000);
					expect(ok.status).toBe(200);
					remaining.push(ok.headers.get('x-ms-ratelimit-time-remaining-xrm-requests'));
					clock.advance(10_000);
				}
				// Execution time left at each batch's arrival; the request-count header barely moves (4 of 6,000).
				expect(remaining).toEqual(['1,200,000.00', '900,000.00', '600,000.00', '300,000.00']);
				expect(sim.protection.usage(user)).toMatchObject({ requests: 4, executionMs: 1_200_000 });
				expect(sim.collection('contact').count()).toBe(4000);

				const limited = await batchCreate(contract, token, 1000, 4000);
				expect(limited.status).toBe(429);
				expect(JSON.parse(limited.text).error.code).toBe('0x80072321');
				// The first batch (booked at T0) leaves the 300 s window at T0 + 300 s; it is now T0 + 40 s.
				expect(limited.headers.get('retry-after')).toBe('260');
				expect(sim.collection('contact').count()).toBe(4000); // refused before any part ran

				clock.advance(259_000);
				expect((await batchCreate(contract, token, 1, 9000)).status).toBe(429);
				clock.advance(1000);
				const again = await batchCreate(contract, token, 1000, 4000);
				expect(again.status).toBe(200);
				expect(again.headers.get('x-ms-ratelimit-time-remaining-xrm-requests')).toBe('300,000.00');
				expect(sim.collection('contact').count()).toBe(5000);
				expect(sim.log.count({ kind: 'batch', status: 429 })).toBe(2);
			} finally {
				await sim.stop();
			}
		}, 60_000);

		it('is validated like the other limits', async () => {
			const sim = new DynamicsSimulator({ clock: new ManualClock(T0) });
			expect(() => sim.protection.set({ costPerOperationMs: -1 })).toThrow(
				'costPerOperationMs must be >= 0',
			);
		});
	});
});
