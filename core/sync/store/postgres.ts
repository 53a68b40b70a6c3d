/**
 * The sync store for queue mode across hosts and very large syncs: PostgreSQL through `pg` (a `Pool`).
 * Tables live in their own schema (`crm_sync` unless told otherwise), created and migrated by `open()` under a
 * transaction-scoped advisory lock, so two processes opening at once migrate once. Every time is the database's
 * clock (`now()`): lock leases never depend on the hosts' clocks agreeing.
 *
 * Errors never carry the password: the connection's password is registered for redaction and every error
 * leaving the store is rebuilt from a redacted message (the original, which may hold the config, is dropped).
 */
import type { Pool, PoolClient, PoolConfig, QueryResultRow } from 'pg';
import { redactString } from '../../http/redact';
import { vendor } from '../../vendor';
import {
	PostgresStoreError,
	describeConnection,
	registerConnectionSecrets,
} from './postgresConnection';
import { NewerSchemaError, SCHEMA_VERSION, pendingMigrations } from './schema';
import {
	chunks,
	checkLease,
	checkPageSize,
	conflictData,
	conflictFromRow,
	failureFromRow,
	linkColumn,
	toLink,
	type FailureRow,
	type LinkRow,
} from './rows';
import { checkChanges, checkNoNul, checkSyncId, heldElsewhere, storableIds } from './rules';
import type {
	ConflictDecision,
	Json,
	LockLease,
	OpenConflict,
	Side,
	StateChanges,
	SyncFailure,
	SyncLink,
	SyncMeta,
	SyncStore,
} from './types';

export interface PostgresSyncStoreOptions {
	/** How to connect (host, port, database, user, password, ssl … or connectionString); a pool is made of it. */
	connection?: PoolConfig;
	/** Or an existing pool (not ended by `close()`). */
	pool?: Pool;
	/** The schema the tables live in (created when missing). Default `crm_sync`. */
	schema?: string;
	/** Page size of `listFailures` and default of `listLinks` (default 500). */
	pageSize?: number;
}

/** Class id of the advisory locks this package takes (the other key is the schema name's hash). */
const ADVISORY_LOCK_CLASS = 0x63726d73; // 'crms'

export class PostgresSyncStore implements SyncStore {
	readonly schema: string;
	private readonly q: string;
	private readonly where: string;
	private readonly pageSize: number;
	private readonly connection: PoolConfig;
	private readonly ownPool: boolean;
	private pool: Pool | undefined;

	constructor(options: PostgresSyncStoreOptions = {}) {
		this.schema = options.schema ?? 'crm_sync';
		if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(this.schema)) {
			throw new Error(
				`schema must be a plain identifier (letters, digits, _), got ${JSON.stringify(this.schema)}`,
			);
		}
		this.q = `"${this.schema}"`;
		this.pageSize = checkPageSize(options.pageSize ?? 500);
		this.connection = { connectionTimeoutMillis: 10_000, ...options.connection };
		this.ownPool = !options.pool;
		this.pool = options.pool;
		registerConnectionSecrets(this.connection);
		this.where = describeConnection(this.connection);
	}

	async open(): Promise<void> {
		if (!this.pool) {
			this.pool = new (vendor.pg().Pool)(this.connection);
			// An idle connection dropped by the server must not crash the process; the next query reconnects.
			this.pool.on('error', () => undefined);
		}
		await this.tx(async (c) => {
			await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
				ADVISORY_LOCK_CLASS,
				this.schema,
			]);
			const schema = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
			if (schema.rowCount === 0) await c.query(`CREATE SCHEMA ${this.q}`);
			const table = await c.query('SELECT to_regclass($1) AS t', [`${this.q}.schema_migrations`]);
			if (table.rows[0].t === null) {
				await c.query(
					`CREATE TABLE ${this.q}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
				);
			}
			const current = await this.version(c);
			if (current > SCHEMA_VERSION) {
				throw new NewerSchemaError(
					`the PostgreSQL schema "${this.schema}" (${this.where})`,
					current,
				);
			}
			for (const migration of pendingMigrations(current)) {
				for (const sql of migration.postgres) await c.query(sql.replaceAll('{schema}', this.q));
				await c.query(`INSERT INTO ${this.q}.schema_migrations (version, name) VALUES ($1, $2)`, [
					migration.version,
					migration.name,
				]);
			}
		});
	}

	async close(): Promise<void> {
		const pool = this.pool;
		this.pool = undefined;
		if (pool && this.ownPool) await pool.end();
	}

	/** The schema version of the database. */
	async schemaVersion(): Promise<number> {
		return await this.version();
	}

	private async version(client?: PoolClient): Promise<number> {
		const { rows } = await this.query(
			`SELECT coalesce(max(version), 0) AS v FROM ${this.q}.schema_migrations`,
			[],
			client,
		);
		return Number(rows[0].v);
	}

	async acquireLock(
		syncId: string,
		owner: string,
		leaseMs: number,
	): Promise<LockLease | undefined> {
		checkLease(leaseMs);
		checkSyncId(syncId);
		checkNoNul(owner, 'owner');
		const { rows } = await this.query(
			`INSERT INTO ${this.q}.locks AS l (sync_id, owner, expires_at)
			VALUES ($1, $2, now() + $3::float8 * interval '1 millisecond')
			ON CONFLICT (sync_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
			WHERE l.expires_at < now() OR l.owner = excluded.owner
			RETURNING floor(extract(epoch FROM expires_at) * 1000)::float8 AS expires_at`,
			[syncId, owner, leaseMs],
		);
		return rows.length === 1 ? { syncId, owner, expiresAt: Number(rows[0].expires_at) } : undefined;
	}

	async renewLock(syncId: string, owner: string, leaseMs: number): Promise<boolean> {
		checkLease(leaseMs);
		const { rowCount } = await this.query(
			`UPDATE ${this.q}.locks SET expires_at = now() + $3::float8 * interval '1 millisecond'
			WHERE sync_id = $1 AND owner = $2`,
			[syncId, owner, leaseMs],
		);
		return rowCount === 1;
	}

	async releaseLock(syncId: string, owner: string): Promise<void> {
		await this.query(`DELETE FROM ${this.q}.locks WHERE sync_id = $1 AND owner = $2`, [
			syncId,
			owner,
		]);
	}

	async lockHolder(syncId: string): Promise<LockLease | undefined> {
		const { rows } = await this.query(
			`SELECT owner, floor(extract(epoch FROM expires_at) * 1000)::float8 AS expires_at
			FROM ${this.q}.locks WHERE sync_id = $1 AND expires_at >= now()`,
			[syncId],
		);
		return rows.length === 1
			? { syncId, owner: rows[0].owner, expiresAt: Number(rows[0].expires_at) }
			: undefined;
	}

	async getMeta(syncId: string): Promise<SyncMeta> {
		const { rows } = await this.query(
			`SELECT watermarks, backfilled, info FROM ${this.q}.meta WHERE sync_id = $1`,
			[syncId],
		);
		if (rows.length === 0) return { watermarks: {}, backfilled: {}, info: {} };
		const { watermarks, backfilled, info } = rows[0];
		return { watermarks, backfilled, info };
	}

	async getLinksByIds(syncId: string, side: Side, ids: string[]): Promise<Map<string, SyncLink>> {
		const column = linkColumn(side);
		const result = new Map<string, SyncLink>();
		const storable = storableIds(ids);
		if (storable.length === 0) return result;
		const { rows } = await this.query(
			`SELECT * FROM ${this.q}.links WHERE sync_id = $1 AND ${column} = ANY($2::text[]) ORDER BY link_id`,
			[syncId, storable],
		);
		for (const row of rows) {
			const link = toLink(row as LinkRow<Json>, (v) => v);
			const id = side === 'a' ? link.aId : link.bId;
			if (id !== undefined && !result.has(id)) result.set(id, link);
		}
		return result;
	}

	async *listLinks(
		syncId: string,
		options: { status?: SyncLink['status']; pageSize?: number } = {},
	): AsyncIterable<SyncLink[]> {
		const pageSize = checkPageSize(options.pageSize ?? this.pageSize);
		let after: string | undefined;
		for (;;) {
			const params: unknown[] = [syncId, pageSize];
			let filter = '';
			if (options.status !== undefined) filter += ` AND status = $${params.push(options.status)}`;
			if (after !== undefined) filter += ` AND link_id > $${params.push(after)}`;
			const { rows } = await this.query(
				`SELECT * FROM ${this.q}.links WHERE sync_id = $1${filter} ORDER BY link_id LIMIT $2`,
				params,
			);
			if (rows.length === 0) return;
			const page = rows.map((row) => toLink(row as LinkRow<Json>, (v) => v));
			after = page[page.length - 1].linkId;
			yield page;
			if (rows.length < pageSize) return;
		}
	}

	async countLinks(syncId: string, status?: SyncLink['status']): Promise<number> {
		const { rows } = await this.query(
			`SELECT count(*) AS n FROM ${this.q}.links WHERE sync_id = $1 AND ($2::text IS NULL OR status = $2)`,
			[syncId, status ?? null],
		);
		return Number(rows[0].n);
	}

	async *listFailures(syncId: string): AsyncIterable<SyncFailure[]> {
		let after: [string, string] | undefined;
		for (;;) {
			const { rows } = await this.query(
				`SELECT * FROM ${this.q}.failures WHERE sync_id = $1 ${after ? 'AND (side, record_id) > ($3, $4)' : ''}
				ORDER BY side, record_id LIMIT $2`,
				after ? [syncId, this.pageSize, ...after] : [syncId, this.pageSize],
			);
			if (rows.length === 0) return;
			const page = rows.map((row) => failureFromRow(row as FailureRow));
			const last = page[page.length - 1];
			after = [last.side, last.recordId];
			yield page;
			if (rows.length < this.pageSize) return;
		}
	}

	async listDecisions(syncId: string): Promise<ConflictDecision[]> {
		const { rows } = await this.query(
			`SELECT * FROM ${this.q}.decisions WHERE sync_id = $1 ORDER BY link_id, field`,
			[syncId],
		);
		return rows.map((row) => ({
			linkId: row.link_id,
			field: row.field,
			decision: row.decision,
			decidedAt: row.decided_at,
		}));
	}

	async putDecision(syncId: string, decision: ConflictDecision): Promise<void> {
		checkSyncId(syncId);
		checkNoNul(decision, 'putDecision');
		await this.query(
			`INSERT INTO ${this.q}.decisions (sync_id, link_id, field, decision, decided_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (sync_id, link_id, field) DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at`,
			[
				syncId,
				decision.linkId,
				decision.field,
				JSON.stringify(decision.decision),
				decision.decidedAt,
			],
		);
	}

	async listConflicts(syncId: string): Promise<OpenConflict[]> {
		const { rows } = await this.query(
			`SELECT * FROM ${this.q}.conflicts WHERE sync_id = $1 ORDER BY link_id, field`,
			[syncId],
		);
		return rows.map((row) =>
			conflictFromRow({
				link_id: row.link_id,
				field: row.field,
				open_since: row.open_since,
				data: row.data,
			}),
		);
	}

	async commit(syncId: string, changes: StateChanges): Promise<void> {
		const checked = checkChanges(syncId, changes);
		await this.tx(async (c) => {
			// The final state counts: deleted and replaced links go first, so an id may move between links.
			for (const batch of chunks(checked.replaced)) {
				await this.query(
					`DELETE FROM ${this.q}.links WHERE sync_id = $1 AND link_id = ANY($2::text[])`,
					[syncId, batch],
					c,
				);
			}
			for (const side of ['a', 'b'] as const) {
				const ids = checked.links.map((l) => (side === 'a' ? l.aId : l.bId)).filter((id) => id);
				const column = linkColumn(side);
				for (const batch of chunks(ids)) {
					const { rows } = await this.query(
						`SELECT link_id, ${column} AS id FROM ${this.q}.links WHERE sync_id = $1 AND ${column} = ANY($2::text[])
						ORDER BY link_id LIMIT 1`,
						[syncId, batch],
						c,
					);
					if (rows.length) throw heldElsewhere(side, rows[0].id, rows[0].link_id);
				}
			}
			for (const batch of chunks(checked.links)) {
				const rows = batch.map((l) => ({
					link_id: l.linkId,
					a_id: l.aId ?? null,
					b_id: l.bId ?? null,
					status: l.status,
					base: l.base,
					pending_side: l.pendingSide ?? null,
					pending_key: l.pendingKey ?? null,
				}));
				await this.query(
					`INSERT INTO ${this.q}.links (sync_id, link_id, a_id, b_id, status, base, pending_side, pending_key)
					SELECT $1, link_id, a_id, b_id, status, base, pending_side, pending_key
					FROM jsonb_to_recordset($2::jsonb) AS x(link_id text, a_id text, b_id text, status text,
						base jsonb, pending_side text, pending_key jsonb)
					ON CONFLICT (sync_id, link_id) DO UPDATE SET a_id = excluded.a_id, b_id = excluded.b_id,
					status = excluded.status, base = excluded.base, pending_side = excluded.pending_side,
					pending_key = excluded.pending_key, updated_at = now()`,
					[syncId, JSON.stringify(rows)],
					c,
				);
			}
			const cleared = changes.clearFailures ?? [];
			for (const batch of chunks(cleared)) {
				await this.query(
					`DELETE FROM ${this.q}.failures WHERE sync_id = $1
					AND (side, record_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
					[syncId, batch.map((f) => f.side), batch.map((f) => f.recordId)],
					c,
				);
			}
			const failures = checked.failures;
			for (const batch of chunks(failures)) {
				const rows = batch.map((f) => ({
					side: f.side,
					record_id: f.recordId,
					link_id: f.linkId ?? null,
					category: f.category,
					code: f.code,
					message: f.message,
					attempts: f.attempts,
					first_failed_at: f.firstFailedAt,
					last_failed_at: f.lastFailedAt,
				}));
				await this.query(
					`INSERT INTO ${this.q}.failures (sync_id, side, record_id, link_id, category, code, message,
						attempts, first_failed_at, last_failed_at)
					SELECT $1, side, record_id, link_id, category, code, message, attempts, first_failed_at, last_failed_at
					FROM jsonb_to_recordset($2::jsonb) AS x(side text, record_id text, link_id text, category text,
						code text, message text, attempts integer, first_failed_at text, last_failed_at text)
					ON CONFLICT (sync_id, side, record_id) DO UPDATE SET link_id = excluded.link_id,
					category = excluded.category, code = excluded.code, message = excluded.message,
					attempts = excluded.attempts, first_failed_at = excluded.first_failed_at,
					last_failed_at = excluded.last_failed_at`,
					[syncId, JSON.stringify(rows)],
					c,
				);
			}
			const decisions = changes.clearDecisions ?? [];
			for (const batch of chunks(decisions)) {
				await this.query(
					`DELETE FROM ${this.q}.decisions WHERE sync_id = $1
					AND (link_id, field) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
					[syncId, batch.map((d) => d.linkId), batch.map((d) => d.field)],
					c,
				);
			}
			for (const batch of chunks(changes.clearConflicts ?? [])) {
				await this.query(
					`DELETE FROM ${this.q}.conflicts WHERE sync_id = $1
					AND (link_id, field) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
					[syncId, batch.map((d) => d.linkId), batch.map((d) => d.field)],
					c,
				);
			}
			for (const batch of chunks(checked.conflicts)) {
				const rows = batch.map((o) => ({
					link_id: o.linkId,
					field: o.field,
					data: conflictData(o),
					open_since: o.openSince,
				}));
				await this.query(
					`INSERT INTO ${this.q}.conflicts (sync_id, link_id, field, data, open_since)
					SELECT $1, link_id, field, data, open_since
					FROM jsonb_to_recordset($2::jsonb) AS x(link_id text, field text, data jsonb, open_since text)
					ON CONFLICT (sync_id, link_id, field) DO UPDATE SET data = excluded.data,
					open_since = excluded.open_since`,
					[syncId, JSON.stringify(rows)],
					c,
				);
			}
			if (changes.meta) {
				// jsonb `||` on two objects is the shallow merge: each given key replaces the stored one.
				await this.query(
					`INSERT INTO ${this.q}.meta AS m (sync_id, watermarks, backfilled, info) VALUES ($1, $2, $3, $4)
					ON CONFLICT (sync_id) DO UPDATE SET watermarks = m.watermarks || excluded.watermarks,
					backfilled = m.backfilled || excluded.backfilled, info = m.info || excluded.info, updated_at = now()`,
					[
						syncId,
						JSON.stringify(changes.meta.watermarks ?? {}),
						JSON.stringify(changes.meta.backfilled ?? {}),
						JSON.stringify(changes.meta.info ?? {}),
					],
					c,
				);
			}
		});
	}

	async reset(syncId: string): Promise<void> {
		await this.tx(async (c) => {
			for (const table of ['links', 'failures', 'decisions', 'conflicts', 'meta', 'locks']) {
				await this.query(`DELETE FROM ${this.q}.${table} WHERE sync_id = $1`, [syncId], c);
			}
		});
	}

	private async query<R extends QueryResultRow = QueryResultRow>(
		sql: string,
		params: unknown[],
		client?: PoolClient,
	) {
		try {
			return await (client ?? this.openPool()).query<R>(sql, params);
		} catch (err) {
			throw this.error(err);
		}
	}

	/** Runs `fn` in one transaction on one connection; rolled back when it throws. */
	private async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
		let client: PoolClient;
		try {
			client = await this.openPool().connect();
		} catch (err) {
			throw this.error(err);
		}
		let broken = false;
		try {
			await this.query('BEGIN', [], client);
			const result = await fn(client);
			await this.query('COMMIT', [], client);
			return result;
		} catch (err) {
			await client.query('ROLLBACK').catch(() => (broken = true));
			throw err instanceof NewerSchemaError ? err : this.error(err);
		} finally {
			client.release(broken);
		}
	}

	private openPool(): Pool {
		if (!this.pool) throw new Error('the PostgreSQL sync store is not open (call open() first)');
		return this.pool;
	}

	/** The error to throw for `err`: redacted, with where it happened, without the original object. */
	private error(err: unknown): Error {
		if (err instanceof PostgresStoreError || err instanceof NewerSchemaError) return err;
		const e = err as { message?: string; code?: string };
		const message = redactString(String(e?.message ?? err));
		return new PostgresStoreError(`PostgreSQL sync store (${this.where}): ${message}`, e?.code);
	}
}
