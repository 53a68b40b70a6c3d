import {
	type BatchItemResult,
	defaultClassifyBatchError,
	type ItemOutcome,
	runBatches,
	runBatchesStream,
	Semaphore,
} from '../../../core/batching';

class HttpishError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly code?: string,
	) {
		super(message);
	}
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const okAll = <T>(chunk: T[]): Array<ItemOutcome<string>> =>
	chunk.map((item) => ({ ok: true, value: `saved ${String(item)}` }));

describe('runBatches()', () => {
	it('isolates the one bad record of an all-or-nothing batch by splitting, keeping order and counting calls', async () => {
		const sent: number[][] = [];
		const send = jest.fn(async (chunk: number[]) => {
			sent.push(chunk);
			if (chunk.includes(7))
				throw new HttpishError(
					'Record 7: Email: invalid email address: bob@',
					400,
					'INVALID_EMAIL_ADDRESS',
				);
			return okAll(chunk);
		});
		const { results, stats } = await runBatches({ items: ids(10), maxCount: 10, send });

		expect(results).toHaveLength(10);
		expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(results.filter((r) => r.ok)).toHaveLength(9);
		expect(results[6]).toEqual({
			index: 6,
			ok: false,
			error: {
				message: 'Record 7: Email: invalid email address: bob@',
				code: 'INVALID_EMAIL_ADDRESS',
			},
		});
		expect(results[0]).toEqual({ index: 0, ok: true, value: 'saved 1' });
		expect(results[9]).toEqual({ index: 9, ok: true, value: 'saved 10' });
		// 10 → [1-5] ok + [6-10] ✗ → [6,7,8] ✗ + [9,10] ok → [6,7] ✗ + [8] ok → [6] ok + [7] ✗
		expect(sent).toEqual([
			ids(10),
			[1, 2, 3, 4, 5],
			[6, 7, 8, 9, 10],
			[6, 7, 8],
			[9, 10],
			[6, 7],
			[8],
			[6],
			[7],
		]);
		expect(stats).toEqual({ chunks: 1, calls: 9, splits: 4, retries: 0, succeeded: 9, failed: 1 });
	});

	it('isolates several bad records across chunks', async () => {
		const bad = new Set([2, 3, 11]);
		const { results, stats } = await runBatches({
			items: ids(12),
			maxCount: 4,
			concurrency: 2,
			send: async (chunk: number[]) => {
				const culprit = chunk.find((id) => bad.has(id));
				if (culprit !== undefined) throw new HttpishError(`bad record ${culprit}`, 422);
				return okAll(chunk);
			},
		});
		expect(results.map((r) => r.ok)).toEqual(ids(12).map((id) => !bad.has(id)));
		expect(results[1]).toMatchObject({ ok: false, error: { message: 'bad record 2' } });
		expect(results[2]).toMatchObject({ ok: false, error: { message: 'bad record 3' } });
		expect(results[10]).toMatchObject({ ok: false, error: { message: 'bad record 11' } });
		expect(stats).toMatchObject({ chunks: 3, succeeded: 9, failed: 3 });
	});

	it('passes through per-record outcomes of a partially successful batch', async () => {
		const { results, stats } = await runBatches({
			items: ['a', 'b', 'c'],
			maxCount: 3,
			send: async (chunk: string[]) =>
				chunk.map(
					(x): ItemOutcome<string> =>
						x === 'b'
							? {
									ok: false,
									error: {
										message: 'Required field missing: LastName',
										code: 'REQUIRED_FIELD_MISSING',
										details: { fields: ['LastName'] },
									},
								}
							: { ok: true, value: `id-${x}` },
				),
		});
		expect(results).toEqual([
			{ index: 0, ok: true, value: 'id-a' },
			{
				index: 1,
				ok: false,
				error: {
					message: 'Required field missing: LastName',
					code: 'REQUIRED_FIELD_MISSING',
					details: { fields: ['LastName'] },
				},
			},
			{ index: 2, ok: true, value: 'id-c' },
		]);
		expect(stats).toMatchObject({ calls: 1, succeeded: 2, failed: 1 });
	});

	it('chunks by count and by payload size, and fails an oversized record on its own', async () => {
		const items = [
			{ id: 1, text: 'a'.repeat(30) },
			{ id: 2, text: 'b'.repeat(30) },
			{ id: 3, text: 'c'.repeat(30) },
			{ id: 4, text: 'd'.repeat(500) }, // too large for any batch
			{ id: 5, text: 'e' },
			{ id: 6, text: 'f' },
			{ id: 7, text: 'g' },
		];
		const sizes = items.map((item) => Buffer.byteLength(JSON.stringify(item)));
		expect(sizes.slice(0, 3)).toEqual([48, 48, 48]);
		const sent: number[][] = [];
		const { results, stats } = await runBatches({
			items,
			maxCount: 3,
			maxBytes: 120, // [48,48] = 2 + 48 + 1 + 48 = 99; a third would make 148
			send: async (chunk: Array<{ id: number }>) => {
				sent.push(chunk.map((c) => c.id));
				return okAll(chunk.map((c) => c.id));
			},
		});
		expect(sent).toEqual([[1, 2], [3, 5, 6], [7]]);
		expect(results[3]).toEqual({
			index: 3,
			ok: false,
			error: {
				message:
					'item at index 3 is 518 bytes, more than the 118-byte limit for one record in a 120-byte batch request — it was not sent; shorten its largest fields (long text, attachments) or raise maxBytes',
				code: 'ITEM_TOO_LARGE',
				details: { size: 518, maxBytes: 120 },
			},
		});
		expect(results.filter((r) => r.ok)).toHaveLength(6);
		expect(stats).toMatchObject({ chunks: 3, calls: 3, succeeded: 6, failed: 1 });
	});

	it('honours a custom sizeOf and envelope, and reports unserializable records', async () => {
		const circular: Record<string, unknown> = { id: 'loop' };
		circular.self = circular;
		const sent: unknown[][] = [];
		const { results } = await runBatches<unknown, string>({
			items: ['aaaa', circular, 'bbbb', 'cccc'],
			maxCount: 10,
			maxBytes: 20,
			envelopeBytes: 10,
			separatorBytes: 0,
			sizeOf: (item) => {
				if (typeof item !== 'string') return Buffer.byteLength(JSON.stringify(item));
				return item.length;
			},
			send: async (chunk) => {
				sent.push(chunk);
				return chunk.map(() => ({ ok: true, value: 'ok' }));
			},
		});
		expect(sent).toEqual([['aaaa', 'bbbb'], ['cccc']]);
		expect(results[1]).toMatchObject({ ok: false, error: { code: 'ITEM_NOT_SERIALIZABLE' } });
		expect((results[1] as Extract<BatchItemResult<string>, { ok: false }>).error.message).toMatch(
			/^item at index 1 cannot be measured for the batch size limit: .*circular.* — make the record JSON-serializable/i,
		);
	});

	it('never has more than `concurrency` send() calls in flight, splits included', async () => {
		let inFlight = 0;
		let peak = 0;
		const { results, stats } = await runBatches({
			items: ids(40),
			maxCount: 4,
			concurrency: 3,
			send: async (chunk: number[]) => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				// Vary completion order.
				for (let i = 0; i < (chunk[0] % 5) + 1; i++)
					await new Promise<void>((resolve) => setImmediate(resolve));
				inFlight--;
				if (chunk.includes(13) || chunk.includes(27)) throw new HttpishError('bad', 400);
				return okAll(chunk);
			},
		});
		expect(peak).toBe(3);
		expect(results.map((r) => r.index)).toEqual(ids(40).map((id) => id - 1));
		expect(results.filter((r) => !r.ok).map((r) => r.index)).toEqual([12, 26]);
		expect(stats.splits).toBeGreaterThan(0);
	});

	it('fails the whole chunk without splitting when isolation is off or the error is not splittable', async () => {
		const sends: number[][] = [];
		const send = async (chunk: number[]) => {
			sends.push(chunk);
			if (chunk.includes(2)) throw new HttpishError('Bad Request', 400);
			return okAll(chunk);
		};
		const off = await runBatches({
			items: ids(4),
			maxCount: 2,
			send,
			isolateOnBatchFailure: false,
		});
		expect(off.results.map((r) => r.ok)).toEqual([false, false, true, true]);
		expect(off.stats).toMatchObject({ calls: 2, splits: 0, failed: 2 });

		const notFound = await runBatches({
			items: ids(2),
			maxCount: 2,
			send: async () => {
				throw new HttpishError('The requested resource does not exist', 404, 'NOT_FOUND');
			},
		});
		expect(notFound.results).toEqual([
			{
				index: 0,
				ok: false,
				error: { message: 'The requested resource does not exist', code: 'NOT_FOUND' },
			},
			{
				index: 1,
				ok: false,
				error: { message: 'The requested resource does not exist', code: 'NOT_FOUND' },
			},
		]);
		expect(notFound.stats).toMatchObject({ calls: 1, splits: 0 });
	});

	it('stops sending after a fatal error and marks every remaining record NOT_SENT', async () => {
		const send = jest.fn(async (chunk: number[]) => {
			if (chunk[0] === 3)
				throw new HttpishError('Session expired or invalid', 401, 'INVALID_SESSION_ID');
			return okAll(chunk);
		});
		const { results, stats } = await runBatches({
			items: ids(8),
			maxCount: 2,
			concurrency: 1,
			send,
		});
		expect(send).toHaveBeenCalledTimes(2);
		expect(results.map((r) => r.ok)).toEqual([
			true,
			true,
			false,
			false,
			false,
			false,
			false,
			false,
		]);
		expect(results[2]).toEqual({
			index: 2,
			ok: false,
			error: { message: 'Session expired or invalid', code: 'INVALID_SESSION_ID' },
		});
		expect(results[5]).toMatchObject({
			ok: false,
			error: {
				code: 'NOT_SENT',
				message:
					'not sent: an earlier batch failed with an error that stops the run (Session expired or invalid) — fix that and re-run these records',
			},
		});
		expect(stats).toMatchObject({ calls: 2, succeeded: 2, failed: 6 });
	});

	it('retries a retryable chunk with the configured delays, then gives up with the attempt count', async () => {
		const delays: number[] = [];
		const sleep = jest.fn(async (ms: number) => {
			delays.push(ms);
		});
		let calls = 0;
		const flaky = await runBatches({
			items: ids(3),
			maxCount: 3,
			classifyBatchError: () => 'retryable',
			sleep,
			send: async (chunk: number[]) => {
				calls++;
				if (calls < 3) throw new Error('socket hang up');
				return okAll(chunk);
			},
		});
		expect(flaky.results.every((r) => r.ok)).toBe(true);
		expect(delays).toEqual([1000, 2000]);
		expect(flaky.stats).toMatchObject({ calls: 3, retries: 2 });

		const attempts: number[] = [];
		const down = await runBatches({
			items: ids(1),
			maxCount: 1,
			classifyBatchError: () => 'retryable',
			maxRetries: 1,
			retryDelayMs: () => 5,
			sleep,
			send: async (_chunk: number[], context) => {
				attempts.push(context.attempt);
				throw new Error('503 Service Unavailable');
			},
		});
		expect(attempts).toEqual([1, 2]);
		expect(down.results[0]).toEqual({
			index: 0,
			ok: false,
			error: { message: '503 Service Unavailable (gave up after 2 attempts)' },
		});
	});

	it('retries with real timers through the default sleep (fake clock)', async () => {
		jest.useFakeTimers();
		try {
			let calls = 0;
			const promise = runBatches({
				items: ids(1),
				maxCount: 1,
				classifyBatchError: () => 'retryable',
				send: async (chunk: number[]) => {
					calls++;
					if (calls === 1) throw new Error('temporary');
					return okAll(chunk);
				},
			});
			await jest.advanceTimersByTimeAsync(999);
			expect(calls).toBe(1);
			await jest.advanceTimersByTimeAsync(1);
			const { results } = await promise;
			expect(calls).toBe(2);
			expect(results[0].ok).toBe(true);
		} finally {
			jest.useRealTimers();
		}
	});

	it('reports a send() that returns the wrong number of outcomes as a connector bug for each record', async () => {
		const { results } = await runBatches({
			items: ids(3),
			maxCount: 3,
			send: async () => [{ ok: true as const, value: 'x' }],
		});
		expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
			'BAD_BATCH_RESPONSE',
			'BAD_BATCH_RESPONSE',
			'BAD_BATCH_RESPONSE',
		]);
		expect((results[0] as Extract<BatchItemResult<string>, { ok: false }>).error.message).toBe(
			"the connector's send() returned 1 results for a batch of 3 records, so no record's outcome is known — this is a connector bug; the records may or may not have been written",
		);
	});

	it('gives the send context the input indexes and whether the chunk is an isolation half', async () => {
		const contexts: Array<{ indexes: readonly number[]; isolating: boolean }> = [];
		await runBatches({
			items: ids(4),
			maxCount: 4,
			send: async (chunk: number[], context) => {
				contexts.push({ indexes: context.indexes, isolating: context.isolating });
				if (chunk.includes(4)) throw new HttpishError('bad', 400);
				return okAll(chunk);
			},
		});
		expect(contexts).toEqual([
			{ indexes: [0, 1, 2, 3], isolating: false },
			{ indexes: [0, 1], isolating: true },
			{ indexes: [2, 3], isolating: true },
			{ indexes: [2], isolating: true },
			{ indexes: [3], isolating: true },
		]);
	});

	it('validates its options', async () => {
		await expect(runBatches({ items: [], maxCount: 0, send: async () => [] })).rejects.toThrow(
			'runBatches(): maxCount must be a positive integer, got 0',
		);
		await expect(
			runBatches({ items: [], maxCount: 1, concurrency: 1.5, send: async () => [] }),
		).rejects.toThrow('runBatches(): concurrency must be a positive integer, got 1.5');
		const empty = await runBatches({ items: [], maxCount: 5, send: async () => [] });
		expect(empty).toEqual({
			results: [],
			stats: { chunks: 0, calls: 0, splits: 0, retries: 0, succeeded: 0, failed: 0 },
		});
	});
});

describe('runBatchesStream()', () => {
	it('reads an async input lazily, with bounded buffering, and yields results per chunk', async () => {
		let produced = 0;
		async function* source() {
			for (let i = 1; i <= 1000; i++) {
				produced++;
				yield i;
			}
		}
		const run = runBatchesStream({
			items: source(),
			maxCount: 10,
			concurrency: 2,
			send: async (chunk: number[]) => okAll(chunk),
		});
		const iterator = run[Symbol.asyncIterator]();
		const first = await iterator.next();
		expect(first.done).toBe(false);
		expect(first.value).toHaveLength(10);
		expect(first.value?.[0]).toEqual({ index: 0, ok: true, value: 'saved 1' });
		// Two chunks in flight plus at most one being filled: nowhere near the 1000 items.
		expect(produced).toBeLessThanOrEqual(30);
		let count = first.value?.length ?? 0;
		for (;;) {
			const step = await iterator.next();
			if (step.done) break;
			count += step.value.length;
		}
		expect(count).toBe(1000);
		expect(produced).toBe(1000);
		expect(run.stats).toMatchObject({ chunks: 100, calls: 100, succeeded: 1000, failed: 0 });
	});

	it('closes the input when the consumer stops early', async () => {
		let closed = false;
		let produced = 0;
		async function* source() {
			try {
				for (let i = 1; i <= 1000; i++) {
					produced++;
					yield i;
				}
			} finally {
				closed = true;
			}
		}
		const run = runBatchesStream({
			items: source(),
			maxCount: 5,
			send: async (chunk: number[]) => okAll(chunk),
		});
		for await (const chunkResults of run) {
			expect(chunkResults).toHaveLength(5);
			break;
		}
		expect(closed).toBe(true);
		expect(produced).toBeLessThan(20);
		expect(() => run[Symbol.asyncIterator]()).toThrow('a batch run can be iterated only once');
	});

	it('throws the abort reason and stops sending when the signal fires', async () => {
		const controller = new AbortController();
		const send = jest.fn(async (chunk: number[]) => {
			controller.abort(new Error('workflow cancelled'));
			return okAll(chunk);
		});
		const run = runBatchesStream({ items: ids(10), maxCount: 2, send, signal: controller.signal });
		const seen: number[] = [];
		await expect(
			(async () => {
				for await (const chunkResults of run) seen.push(...chunkResults.map((r) => r.index));
			})(),
		).rejects.toThrow('workflow cancelled');
		expect(send).toHaveBeenCalledTimes(1);
	});
});

describe('helpers', () => {
	it('defaultClassifyBatchError reads statuses and explicit classes', () => {
		expect(defaultClassifyBatchError(new HttpishError('x', 400))).toBe('splittable');
		expect(defaultClassifyBatchError(new HttpishError('x', 413))).toBe('splittable');
		expect(defaultClassifyBatchError({ response: { status: 422 } })).toBe('splittable');
		expect(defaultClassifyBatchError({ statusCode: 403 })).toBe('fatal');
		expect(defaultClassifyBatchError(new HttpishError('x', 503))).toBe('failChunk');
		expect(
			defaultClassifyBatchError(Object.assign(new Error('x'), { batchErrorClass: 'retryable' })),
		).toBe('retryable');
		expect(defaultClassifyBatchError('boom')).toBe('failChunk');
	});

	it('Semaphore hands slots over in order and never exceeds its limit', async () => {
		const semaphore = new Semaphore(2);
		const order: string[] = [];
		const r1 = await semaphore.acquire();
		const r2 = await semaphore.acquire();
		const third = semaphore.acquire().then((release) => {
			order.push('third');
			return release;
		});
		expect(semaphore.inUse).toBe(2);
		order.push('release1');
		r1();
		r1(); // double release is a no-op
		const r3 = await third;
		expect(order).toEqual(['release1', 'third']);
		expect(semaphore.inUse).toBe(2);
		r2();
		r3();
		expect(semaphore.inUse).toBe(0);
		expect(() => new Semaphore(0)).toThrow('concurrency must be a positive integer, got 0');
	});
});
