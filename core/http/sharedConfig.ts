/**
 * Where the rate budgets shared across processes keep their windows: the Redis connection settings, read once
 * per process from the environment (or set explicitly with `configureSharedRateBudgets`).
 *
 * - `CRM_CONNECTORS_REDIS_URL` wins: `redis://[user:pass@]host:port/db`, `rediss://…` for TLS; `off` (or
 *   `false`, `0`, `none`) turns sharing off even in queue mode.
 * - Otherwise, when `EXECUTIONS_MODE=queue`, the queue's own Redis (the variables n8n's scaling mode reads,
 *   checked against @n8n/config's `scaling-mode.config`): `QUEUE_BULL_REDIS_HOST` (localhost), `_PORT` (6379),
 *   `_DB` (0), `_USERNAME`, `_PASSWORD` (or `_PASSWORD_FILE`), `_TLS` (`true`), `_TLS_SERVERNAME`,
 *   `_TLS_VALIDATE_CERTIFICATE` (`false` accepts any certificate). `QUEUE_BULL_REDIS_CLUSTER_NODES` set: a
 *   cluster is not supported yet, budgets stay per process (with a warning).
 * - `CRM_CONNECTORS_REDIS_PREFIX`: key prefix (default `crm-connectors:rate:`).
 * - Otherwise nothing is shared: each process keeps its own budget, as before.
 */
import { readFileSync } from 'node:fs';

import { registerSecret } from './redact';

/** Default prefix of the Redis keys (one sorted set and one pause key per budget). */
export const SHARED_KEY_PREFIX = 'crm-connectors:rate:';

/**
 * How long a slot taken by a request that has not reported its end yet counts as in flight. A process that dies
 * mid-request frees its slots this long (plus one interval) after it took them. Above the longest request timeout.
 */
export const SHARED_INFLIGHT_ALLOWANCE_MS = 120_000;

/** After Redis failed, budgets pace per process for this long before trying it again. */
export const SHARED_RETRY_AFTER_MS = 30_000;

/** One shape for every way of configuring the shared windows. */
export interface SharedRateConfig {
	host: string;
	port: number;
	db: number;
	username?: string;
	password?: string;
	/** TLS on (`rediss://`, `QUEUE_BULL_REDIS_TLS=true`), with optional server name and certificate check. */
	tls?: { servername?: string; rejectUnauthorized?: boolean };
	/** Key prefix. Default {@link SHARED_KEY_PREFIX}. */
	prefix: string;
	/** See {@link SHARED_INFLIGHT_ALLOWANCE_MS}. */
	inFlightAllowanceMs: number;
	/** See {@link SHARED_RETRY_AFTER_MS}. */
	retryAfterMs: number;
	/**
	 * Connect and command timeout (ms). Default 5000: a broken Redis must not stall the requests for long, and a
	 * loaded host (a worker busy on both cores) must not fall back to per-process budgets on one slow answer — with
	 * 1000, three loaded processes fell back and together drew 37 × 429 in a test.
	 */
	timeoutMs: number;
	/** Where the settings came from (for messages). */
	source: string;
}

/** What `configureSharedRateBudgets` accepts besides `false`. */
export interface SharedRateOptions {
	/** `redis://[user:pass@]host:port/db` or `rediss://…`. */
	url: string;
	prefix?: string;
	inFlightAllowanceMs?: number;
	retryAfterMs?: number;
	timeoutMs?: number;
}

/** The result of reading the environment: a configuration, or none, and a warning to give once. */
export interface SharedConfigReading {
	config?: SharedRateConfig;
	warning?: string;
}

const OFF = new Set(['off', 'false', '0', 'none', 'disabled']);

/** n8n trims values and strips one pair of enclosing quotes; so do we. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
	let raw = env[name];
	if (raw === undefined) {
		const file = env[`${name}_FILE`];
		if (!file) return undefined;
		raw = readFileSync(file, 'utf8');
	}
	const value = raw.trim().replace(/^(['"])(.*)\1$/, '$2');
	return value === '' ? undefined : value;
}

function defaults(
	source: string,
	prefix: string | undefined,
): Omit<SharedRateConfig, 'host' | 'port' | 'db'> {
	return {
		prefix: prefix ?? SHARED_KEY_PREFIX,
		inFlightAllowanceMs: SHARED_INFLIGHT_ALLOWANCE_MS,
		retryAfterMs: SHARED_RETRY_AFTER_MS,
		timeoutMs: 5000,
		source,
	};
}

function integer(value: string | undefined, fallback: number, what: string): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0)
		throw new Error(`${what} must be a non-negative integer, got "${value}"`);
	return n;
}

/** Parses a `redis://` / `rediss://` URL (the password is registered as a secret, so no message shows it). */
export function parseRedisUrl(url: string, source = 'url', prefix?: string): SharedRateConfig {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error(`${source}: not a redis:// URL`);
	}
	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
		throw new Error(
			`${source}: the URL must start with redis:// or rediss://, not ${parsed.protocol}//`,
		);
	const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
	const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
	registerSecret(password);
	const dbPath = parsed.pathname.replace(/^\//, '');
	return {
		host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
		port: integer(parsed.port || undefined, 6379, `${source} port`),
		db: integer(dbPath || undefined, 0, `${source} database`),
		...(username ? { username } : {}),
		...(password ? { password } : {}),
		...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
		...defaults(source, prefix),
	};
}

/** The settings for an explicit `{ url }`. */
export function sharedConfigFromOptions(options: SharedRateOptions): SharedRateConfig {
	const config = parseRedisUrl(options.url, 'configureSharedRateBudgets', options.prefix);
	if (options.inFlightAllowanceMs !== undefined)
		config.inFlightAllowanceMs = options.inFlightAllowanceMs;
	if (options.retryAfterMs !== undefined) config.retryAfterMs = options.retryAfterMs;
	if (options.timeoutMs !== undefined) config.timeoutMs = options.timeoutMs;
	return config;
}

/** Reads the settings from the environment (see the module comment). A malformed value is a warning, not a crash. */
export function sharedConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SharedConfigReading {
	try {
		const prefix = envValue(env, 'CRM_CONNECTORS_REDIS_PREFIX');
		const url = envValue(env, 'CRM_CONNECTORS_REDIS_URL');
		if (url !== undefined) {
			if (OFF.has(url.toLowerCase())) return {};
			return { config: parseRedisUrl(url, 'CRM_CONNECTORS_REDIS_URL', prefix) };
		}
		if (envValue(env, 'EXECUTIONS_MODE') !== 'queue') return {};
		if (envValue(env, 'QUEUE_BULL_REDIS_CLUSTER_NODES') !== undefined)
			return {
				warning:
					'Shared rate budgets: QUEUE_BULL_REDIS_CLUSTER_NODES is set, and a Redis cluster is not supported yet; each process keeps its own rate budget (set CRM_CONNECTORS_REDIS_URL to a single Redis to share them)',
			};
		const password = envValue(env, 'QUEUE_BULL_REDIS_PASSWORD');
		const username = envValue(env, 'QUEUE_BULL_REDIS_USERNAME');
		registerSecret(password);
		const tlsOn = ['true', '1'].includes(
			(envValue(env, 'QUEUE_BULL_REDIS_TLS') ?? '').toLowerCase(),
		);
		const servername = envValue(env, 'QUEUE_BULL_REDIS_TLS_SERVERNAME');
		const validate = envValue(env, 'QUEUE_BULL_REDIS_TLS_VALIDATE_CERTIFICATE');
		const tls = tlsOn
			? {
					...(servername ? { servername } : {}),
					...(validate !== undefined && ['false', '0'].includes(validate.toLowerCase())
						? { rejectUnauthorized: false }
						: {}),
				}
			: undefined;
		return {
			config: {
				host: envValue(env, 'QUEUE_BULL_REDIS_HOST') ?? 'localhost',
				port: integer(envValue(env, 'QUEUE_BULL_REDIS_PORT'), 6379, 'QUEUE_BULL_REDIS_PORT'),
				db: integer(envValue(env, 'QUEUE_BULL_REDIS_DB'), 0, 'QUEUE_BULL_REDIS_DB'),
				...(username ? { username } : {}),
				...(password ? { password } : {}),
				...(tls ? { tls } : {}),
				...defaults('QUEUE_BULL_REDIS_*', prefix),
			},
		};
	} catch (err) {
		return {
			warning: `Shared rate budgets are off: ${(err as Error).message}; each process keeps its own rate budget`,
		};
	}
}

/** `redis://host:port/db` (or `rediss://`), never the credentials: for messages. */
export function describeSharedConfig(config: SharedRateConfig): string {
	const host = config.host.includes(':') ? `[${config.host}]` : config.host;
	return `${config.tls ? 'rediss' : 'redis'}://${host}:${config.port}/${config.db}`;
}
