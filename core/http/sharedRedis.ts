/**
 * The Redis side of the shared rate windows: one connection per process and four small Lua scripts over one
 * sorted set per budget (a sliding-window log of slots) and one pause key.
 *
 * Why Lua on ioredis and not `rate-limiter-flexible`: its Redis limiters count fixed windows, which admit up to
 * twice the limit across a window boundary, and they count a request from its start only — they cannot keep this
 * package's rule that a slot counts until one interval after the request *finished* (see `RateBudget.slots`).
 * A sorted-set log changed by one atomic script can, and it reads the Redis server's clock (`TIME`), so the hosts'
 * own clocks need not agree.
 *
 * Slots: member = a unique id per request, score = when its slot stops counting minus one interval, i.e. its
 * finish time once finished, and `acquire time + in-flight allowance` while in flight (a process that dies
 * mid-request thus frees its slot after the allowance). Keys expire (PEXPIRE) so idle budgets vanish.
 *
 * Failure policy: the connection never queues commands offline and never reconnects on its own; a failed
 * connect or command marks Redis as down for `retryAfterMs`, during which callers fall back to their
 * per-process budget; the next call after that tries again (a new connection).
 */
import { randomBytes } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';

import { redactString } from './redact';
import { describeSharedConfig, type SharedRateConfig } from './sharedConfig';

/** Server time in ms, from inside a script (effects replication, so writes after TIME are allowed). */
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: slots, pause. ARGV: max (0: no request limit, only the pause is checked), intervalMs, allowanceMs, wanted,
 * member id base. Returns {granted, waitMs}: granted > 0 slots were added as `<base>:1..granted`; else wait that
 * long (0 with max 0: not paused).
 */
const ACQUIRE = `${NOW}
local max, interval, allowance, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {0, paused} end
if max <= 0 then return {0, 0} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - interval)
local count = redis.call('ZCARD', KEYS[1])
if count < max then
  local n = math.min(max - count, want)
  for i = 1, n do redis.call('ZADD', KEYS[1], now + allowance, ARGV[5] .. ':' .. i) end
  redis.call('PEXPIRE', KEYS[1], allowance + interval + 1000)
  return {n, 0}
end
local blocking = redis.call('ZRANGE', KEYS[1], count - max, count - max, 'WITHSCORES')
local ends = tonumber(blocking[2])
-- A slot still in flight ends no sooner than one interval from now: ask again then.
if ends > now then return {0, interval} end
return {0, math.max(1, ends + interval - now)}
`;

/** KEYS: slots. ARGV: members that finished now (their window ends one interval from now). */
const FINISH = `${NOW}
for i = 1, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now, ARGV[i]) end
return 0
`;

/** KEYS: pause. ARGV: ms. Lengthens the pause, never shortens it. */
const PAUSE = `
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 0
`;

interface ScriptCommands {
	crmRateAcquire(...args: Array<string | number>): Promise<[number, number]>;
	crmRateFinish(...args: Array<string | number>): Promise<number>;
	crmRatePause(...args: Array<string | number>): Promise<number>;
}

/** Where warnings go (redacted text only). */
export interface SharedLogger {
	warn(message: string): void;
	debug?(message: string): void;
}

/** Node's own warning channel, for a budget created without a logger. */
export const processWarning: SharedLogger = {
	warn: (message) => process.emitWarning(message, { code: 'CRM_CONNECTORS_SHARED_RATE' }),
};

/** A reply of {@link SharedRedis.acquire}. */
export interface AcquireReply {
	/** Slot ids granted (empty when the caller must wait). */
	members: string[];
	/** How long to wait before asking again (0 when granted). */
	waitMs: number;
}

let sequence = 0;
const PROCESS_TAG = `${process.pid}-${randomBytes(4).toString('hex')}`;

/** The process-wide connection to the Redis that holds the shared windows. */
export class SharedRedis {
	private client?: Redis & ScriptCommands;
	private ready?: Promise<Redis & ScriptCommands>;
	private downUntil = 0;
	private warned = false;
	private closed = false;
	/** The connection's last error event (e.g. `connect ECONNREFUSED …`), more telling than "Connection is closed". */
	private lastError?: string;
	private readonly outstanding = new Set<Promise<unknown>>();

	constructor(readonly config: SharedRateConfig) {}

	/** Whether to try Redis now (false while it is considered down, or after `close`). */
	get available(): boolean {
		return !this.closed && Date.now() >= this.downUntil;
	}

	/** `redis://host:port/db`, never the credentials. */
	get description(): string {
		return describeSharedConfig(this.config);
	}

	/** The Redis keys of a budget. */
	keys(budgetKey: string): { slots: string; pause: string } {
		return {
			slots: `${this.config.prefix}${budgetKey}`,
			pause: `${this.config.prefix}${budgetKey}:pause`,
		};
	}

	/** Asks for up to `want` slots of a window of `max` per `intervalMs` (`max` 0: only whether a pause holds). */
	async acquire(
		budgetKey: string,
		want: number,
		max: number,
		intervalMs: number,
		logger: SharedLogger,
	): Promise<AcquireReply> {
		const keys = this.keys(budgetKey);
		const base = `${PROCESS_TAG}-${++sequence}`;
		const [granted, waitMs] = await this.run(logger, (c) =>
			c.crmRateAcquire(
				keys.slots,
				keys.pause,
				max,
				Math.ceil(intervalMs),
				this.config.inFlightAllowanceMs,
				Math.max(1, want),
				base,
			),
		);
		return {
			members: Array.from({ length: granted }, (_, i) => `${base}:${i + 1}`),
			waitMs: granted > 0 ? 0 : waitMs,
		};
	}

	/** Marks slots finished now (server time). */
	async finish(budgetKey: string, members: string[], logger: SharedLogger): Promise<void> {
		if (members.length === 0) return;
		await this.run(logger, (c) => c.crmRateFinish(this.keys(budgetKey).slots, ...members));
	}

	/** Gives back slots that were granted but never used. */
	async release(budgetKey: string, members: string[], logger: SharedLogger): Promise<void> {
		if (members.length === 0) return;
		await this.run(logger, (c) => c.zrem(this.keys(budgetKey).slots, ...members));
	}

	/** Pauses the budget for every process for `ms` (after a 429). */
	async pause(budgetKey: string, ms: number, logger: SharedLogger): Promise<void> {
		const wait = Math.max(1, Math.ceil(ms));
		await this.run(logger, (c) => c.crmRatePause(this.keys(budgetKey).pause, wait));
	}

	/** Closes the connection (pending commands are answered first). Later calls fail over to per process. */
	async close(): Promise<void> {
		this.closed = true;
		await Promise.allSettled([...this.outstanding]);
		const client = this.client;
		this.client = undefined;
		this.ready = undefined;
		if (!client) return;
		try {
			await client.quit();
		} catch {
			client.disconnect();
		}
	}

	/** Runs a command on a ready connection, bounded by the timeout; any failure marks Redis down. */
	private run<T>(
		logger: SharedLogger,
		command: (c: Redis & ScriptCommands) => Promise<T>,
	): Promise<T> {
		if (!this.available) return Promise.reject(new Error('shared rate window unavailable'));
		const done = this.exec(logger, command);
		this.outstanding.add(done);
		const forget = () => this.outstanding.delete(done);
		done.then(forget, forget);
		return done;
	}

	private async exec<T>(
		logger: SharedLogger,
		command: (c: Redis & ScriptCommands) => Promise<T>,
	): Promise<T> {
		// A ref'd timer keeps the process alive while a command is outstanding (the socket itself is unref'd).
		const { promise: timeout, cancel } = patientTimeout(this.config.timeoutMs * 2);
		try {
			const client = await Promise.race([this.connect(), timeout]);
			const value = await Promise.race([command(client), timeout]);
			if (this.warned) {
				this.warned = false;
				logger.debug?.(`Shared rate budgets: Redis at ${this.description} answers again`);
			}
			return value;
		} catch (err) {
			this.fail(err, logger);
			throw err;
		} finally {
			cancel();
		}
	}

	private connect(): Promise<Redis & ScriptCommands> {
		this.ready ??= this.open();
		return this.ready;
	}

	private async open(): Promise<Redis & ScriptCommands> {
		const { Redis: RedisClient } = await import('ioredis');
		const { config } = this;
		const options: RedisOptions = {
			host: config.host,
			port: config.port,
			db: config.db,
			...(config.username ? { username: config.username } : {}),
			...(config.password ? { password: config.password } : {}),
			...(config.tls ? { tls: config.tls } : {}),
			lazyConnect: true,
			enableOfflineQueue: false,
			maxRetriesPerRequest: 1,
			connectTimeout: config.timeoutMs,
			// No `commandTimeout`: its timer fires before the event loop reads the socket, so a worker whose loop was
			// busy for a few seconds (n8n handling a large execution) found an answer waiting and called Redis down —
			// a fallback to per-process budgets that let two workers overshoot a CRM's 10 s window in the queue-mode e2e.
			// `patientTimeout` bounds the commands instead.
			retryStrategy: () => null,
			connectionName: 'crm-connectors-rate',
		};
		const client = new RedisClient(options) as Redis & ScriptCommands;
		// Errors surface through the commands (the socket's own error is kept for the warning); without a listener
		// an 'error' event would crash the process.
		client.on('error', (err: Error) => {
			this.lastError = err.message;
		});
		client.on('end', () => {
			if (this.client === client) {
				this.client = undefined;
				this.ready = undefined;
			}
		});
		client.defineCommand('crmRateAcquire', { numberOfKeys: 2, lua: ACQUIRE });
		client.defineCommand('crmRateFinish', { numberOfKeys: 1, lua: FINISH });
		client.defineCommand('crmRatePause', { numberOfKeys: 1, lua: PAUSE });
		this.client = client;
		await client.connect();
		this.lastError = undefined;
		client.stream?.unref();
		if (this.closed) {
			client.disconnect();
			throw new Error('closed');
		}
		return client;
	}

	private fail(err: unknown, logger: SharedLogger): void {
		if (this.closed) return;
		this.downUntil = Date.now() + this.config.retryAfterMs;
		const client = this.client;
		this.client = undefined;
		this.ready = undefined;
		client?.disconnect();
		if (this.warned) return;
		this.warned = true;
		const message = err instanceof Error ? err.message : String(err);
		const reason = this.lastError ?? message;
		this.lastError = undefined;
		logger.warn(
			redactString(
				`Shared rate budgets: Redis at ${this.description} failed (${reason}); each process paces on its own rate budget until it answers again (next try in ${Math.round(this.config.retryAfterMs / 1000)} s)`,
			),
		);
	}
}

/**
 * Rejects once `ms` have passed — counted as time the event loop could have read an answer: a timer that fires late
 * (the loop was busy, e.g. n8n serialising a large execution) starts one more wait instead of failing, and the
 * rejection itself waits for `setImmediate`, after the loop's I/O poll, so a reply already in the socket wins.
 */
export function patientTimeout(ms: number): { promise: Promise<never>; cancel: () => void } {
	let timer: ReturnType<typeof setTimeout> | undefined;
	let immediate: ReturnType<typeof setImmediate> | undefined;
	let extended = false;
	const promise = new Promise<never>((_, reject) => {
		const arm = () => {
			const due = performance.now() + ms;
			timer = setTimeout(() => {
				const late = performance.now() - due;
				if (late > ms / 2 && !extended) {
					extended = true;
					arm();
					return;
				}
				immediate = setImmediate(() => reject(new Error(`no answer within ${ms} ms`)));
			}, ms);
		};
		arm();
	});
	// The caller races it; a rejection nobody awaits any more must not surface as unhandled.
	promise.catch(() => undefined);
	return {
		promise,
		cancel: () => {
			clearTimeout(timer);
			if (immediate) clearImmediate(immediate);
		},
	};
}
