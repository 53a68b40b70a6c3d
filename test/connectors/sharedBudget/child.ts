/**
 * A child process of processes.test.ts (compiled with swc, run by the project's Node), standing for one n8n
 * process of a queue-mode setup: sets its environment as a worker would have it, says `ready`, waits for `go`,
 * then sends `requests` GETs at once through an `HttpClient` whose rate budget allows `maxRequests` per
 * `intervalMs` (no retries: a refused request is a failure), and prints what it got and its budget's stats.
 */
import { createInterface } from 'node:readline';

import {
	ApiKeyAuth,
	AxiosTransport,
	clearRateBudgets,
	closeSharedRateBudgets,
	HttpClient,
	isCrmError,
} from '../../../core/http';

interface ChildConfig {
	baseUrl: string;
	apiKey: string;
	requests: number;
	maxRequests: number;
	intervalMs: number;
	/** The environment of the process (e.g. `CRM_CONNECTORS_REDIS_URL`, `EXECUTIONS_MODE`). */
	env: Record<string, string>;
}

const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
	const config = JSON.parse(process.argv[2]) as ChildConfig;
	Object.assign(process.env, config.env);
	const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
	const warnings: string[] = [];
	const transport = new AxiosTransport();
	const client = new HttpClient({
		transport,
		baseUrl: config.baseUrl,
		auth: new ApiKeyAuth({ key: config.apiKey }),
		rateLimit: {
			maxRequests: config.maxRequests,
			intervalMs: config.intervalMs,
			maxConcurrent: 5,
			logger: { warn: (m) => warnings.push(m) },
		},
		retry: { maxAttempts: 1 },
	});
	say('ready');
	const { value } = await lines.next();
	if (value !== 'go') throw new Error(`expected go on stdin, got ${String(value)}`);
	const statuses: number[] = [];
	await Promise.all(
		Array.from({ length: config.requests }, async () => {
			try {
				statuses.push(
					(await client.request({ method: 'GET', url: '/contacts', qs: { limit: 1 } })).status,
				);
			} catch (err) {
				statuses.push(isCrmError(err) ? (err.status ?? -1) : -1);
			}
		}),
	);
	say({ statuses, stats: client.budgetStats(), warnings });
	clearRateBudgets();
	await closeSharedRateBudgets();
	transport.close();
	lines.return?.();
	process.stdin.destroy();
}

main().catch((err: unknown) => {
	process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
	process.exit(1);
});
