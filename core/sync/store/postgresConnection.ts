/**
 * What the PostgreSQL store says about its connection: where it is (never the password) and which secrets in
 * it every error message must mask.
 */
import type { PoolConfig } from 'pg';
import { redactString, registerSecret } from '../../http/redact';

/** An error of the PostgreSQL store; `code` is PostgreSQL's SQLSTATE or Node's error code when there is one. */
export class PostgresStoreError extends Error {
	code?: string;
	constructor(message: string, code?: string) {
		super(message);
		this.name = 'PostgresStoreError';
		if (code) this.code = code;
	}
}

/** `user@host:port/database` (or the redacted connection string); never the password. */
export function describeConnection(c: PoolConfig): string {
	if (c.connectionString) return redactString(c.connectionString);
	return `${c.user ?? process.env.PGUSER ?? 'postgres'}@${c.host ?? process.env.PGHOST ?? 'localhost'}:${
		c.port ?? process.env.PGPORT ?? 5432
	}/${c.database ?? process.env.PGDATABASE ?? c.user ?? 'postgres'}`;
}

export function registerConnectionSecrets(c: PoolConfig): void {
	if (typeof c.password === 'string') registerSecret(c.password);
	if (c.connectionString) {
		try {
			const url = new URL(c.connectionString);
			if (url.password) registerSecret(decodeURIComponent(url.password));
		} catch {
			// not a URL (key=value form): its password=… is masked by the pattern redaction
		}
	}
}
