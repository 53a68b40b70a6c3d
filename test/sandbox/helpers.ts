/** Shared helpers for sandbox tests. */
import axios, { type AxiosInstance } from 'axios';
import http from 'node:http';

/** An axios client that never throws on HTTP status and does not reuse sockets across tests. */
export function client(baseURL: string, headers: Record<string, string> = {}): AxiosInstance {
	return axios.create({
		baseURL,
		headers,
		validateStatus: () => true,
		proxy: false,
		httpAgent: new http.Agent({ keepAlive: false }),
	});
}

/** A gate whose `sleep` blocks until released, so tests observe delays without wall-clock assertions. */
export class SleepGate {
	readonly requested: number[] = [];
	private waiters: Array<() => void> = [];

	readonly sleep = (ms: number): Promise<void> => {
		this.requested.push(ms);
		return new Promise((resolve) => this.waiters.push(resolve));
	};

	/** Releases every pending sleep. */
	release(): void {
		const w = this.waiters.splice(0);
		w.forEach((fn) => fn());
	}

	get pending(): number {
		return this.waiters.length;
	}

	/** Waits (bounded) until `n` sleeps are pending. */
	async waitForPending(n: number, maxTicks = 500): Promise<void> {
		for (let i = 0; i < maxTicks && this.waiters.length < n; i++)
			await new Promise((r) => setImmediate(r));
		if (this.waiters.length < n)
			throw new Error(`expected ${n} pending sleeps, got ${this.waiters.length}`);
	}
}
