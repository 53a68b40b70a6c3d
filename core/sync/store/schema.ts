/**
 * The versioned schema of the SQL sync stores: one list of migrations, each with the statements of both
 * dialects (SQLite, PostgreSQL), applied in order by the store's `open()` and recorded in `schema_migrations`.
 * A migration is never edited once released: a change is a new migration with the next version.
 *
 * PostgreSQL statements name tables `{schema}.table`; the store replaces `{schema}` with its quoted schema name.
 */

export interface Migration {
	version: number;
	name: string;
	sqlite: string[];
	postgres: string[];
}

export const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: 'links, failures, decisions, open conflicts, meta, locks',
		sqlite: [
			`CREATE TABLE links (
				sync_id TEXT NOT NULL,
				link_id TEXT NOT NULL,
				a_id TEXT,
				b_id TEXT,
				status TEXT NOT NULL CHECK (status IN ('linked', 'pending', 'excluded')),
				base TEXT NOT NULL CHECK (json_valid(base)),
				pending_side TEXT CHECK (pending_side IN ('a', 'b')),
				pending_key TEXT CHECK (pending_key IS NULL OR json_valid(pending_key)),
				updated_at TEXT NOT NULL,
				PRIMARY KEY (sync_id, link_id),
				CHECK (status <> 'linked' OR (a_id IS NOT NULL AND b_id IS NOT NULL)),
				CHECK (status <> 'pending' OR (pending_side IS NOT NULL AND pending_key IS NOT NULL))
			) WITHOUT ROWID`,
			// a record is in one link at most (per side and sync)
			'CREATE UNIQUE INDEX links_a_id ON links (sync_id, a_id) WHERE a_id IS NOT NULL',
			'CREATE UNIQUE INDEX links_b_id ON links (sync_id, b_id) WHERE b_id IS NOT NULL',
			'CREATE INDEX links_status ON links (sync_id, status, link_id)',
			`CREATE TABLE failures (
				sync_id TEXT NOT NULL,
				side TEXT NOT NULL CHECK (side IN ('a', 'b')),
				record_id TEXT NOT NULL,
				link_id TEXT,
				category TEXT NOT NULL,
				code TEXT NOT NULL,
				message TEXT NOT NULL,
				attempts INTEGER NOT NULL CHECK (attempts >= 0),
				first_failed_at TEXT NOT NULL,
				last_failed_at TEXT NOT NULL,
				PRIMARY KEY (sync_id, side, record_id)
			) WITHOUT ROWID`,
			`CREATE TABLE decisions (
				sync_id TEXT NOT NULL,
				link_id TEXT NOT NULL,
				field TEXT NOT NULL,
				decision TEXT NOT NULL CHECK (json_valid(decision)),
				decided_at TEXT NOT NULL,
				PRIMARY KEY (sync_id, link_id, field)
			) WITHOUT ROWID`,
			`CREATE TABLE conflicts (
				sync_id TEXT NOT NULL,
				link_id TEXT NOT NULL,
				field TEXT NOT NULL,
				data TEXT NOT NULL CHECK (json_valid(data)),
				open_since TEXT NOT NULL,
				PRIMARY KEY (sync_id, link_id, field)
			) WITHOUT ROWID`,
			`CREATE TABLE meta (
				sync_id TEXT PRIMARY KEY,
				watermarks TEXT NOT NULL CHECK (json_valid(watermarks)),
				backfilled TEXT NOT NULL CHECK (json_valid(backfilled)),
				info TEXT NOT NULL CHECK (json_valid(info)),
				updated_at TEXT NOT NULL
			) WITHOUT ROWID`,
			`CREATE TABLE locks (
				sync_id TEXT PRIMARY KEY,
				owner TEXT NOT NULL,
				expires_at INTEGER NOT NULL
			) WITHOUT ROWID`,
		],
		postgres: [
			`CREATE TABLE {schema}.links (
				sync_id text NOT NULL,
				link_id text COLLATE "C" NOT NULL,
				a_id text,
				b_id text,
				status text NOT NULL CHECK (status IN ('linked', 'pending', 'excluded')),
				base jsonb NOT NULL,
				pending_side text CHECK (pending_side IN ('a', 'b')),
				pending_key jsonb,
				updated_at timestamptz NOT NULL DEFAULT now(),
				PRIMARY KEY (sync_id, link_id),
				CHECK (status <> 'linked' OR (a_id IS NOT NULL AND b_id IS NOT NULL)),
				CHECK (status <> 'pending' OR (pending_side IS NOT NULL AND pending_key IS NOT NULL))
			)`,
			// a record is in one link at most (per side and sync)
			'CREATE UNIQUE INDEX links_a_id ON {schema}.links (sync_id, a_id) WHERE a_id IS NOT NULL',
			'CREATE UNIQUE INDEX links_b_id ON {schema}.links (sync_id, b_id) WHERE b_id IS NOT NULL',
			'CREATE INDEX links_status ON {schema}.links (sync_id, status, link_id)',
			`CREATE TABLE {schema}.failures (
				sync_id text NOT NULL,
				side text NOT NULL CHECK (side IN ('a', 'b')),
				record_id text COLLATE "C" NOT NULL,
				link_id text,
				category text NOT NULL,
				code text NOT NULL,
				message text NOT NULL,
				attempts integer NOT NULL CHECK (attempts >= 0),
				first_failed_at text NOT NULL,
				last_failed_at text NOT NULL,
				PRIMARY KEY (sync_id, side, record_id)
			)`,
			`CREATE TABLE {schema}.decisions (
				sync_id text NOT NULL,
				link_id text COLLATE "C" NOT NULL,
				field text COLLATE "C" NOT NULL,
				decision jsonb NOT NULL,
				decided_at text NOT NULL,
				PRIMARY KEY (sync_id, link_id, field)
			)`,
			`CREATE TABLE {schema}.conflicts (
				sync_id text NOT NULL,
				link_id text COLLATE "C" NOT NULL,
				field text COLLATE "C" NOT NULL,
				data jsonb NOT NULL,
				open_since text NOT NULL,
				PRIMARY KEY (sync_id, link_id, field)
			)`,
			`CREATE TABLE {schema}.meta (
				sync_id text PRIMARY KEY,
				watermarks jsonb NOT NULL DEFAULT '{}',
				backfilled jsonb NOT NULL DEFAULT '{}',
				info jsonb NOT NULL DEFAULT '{}',
				updated_at timestamptz NOT NULL DEFAULT now()
			)`,
			`CREATE TABLE {schema}.locks (
				sync_id text PRIMARY KEY,
				owner text NOT NULL,
				expires_at timestamptz NOT NULL
			)`,
		],
	},
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The migrations still to apply to a database at `current`. */
export function pendingMigrations(current: number): Migration[] {
	return MIGRATIONS.filter((m) => m.version > current);
}

/** Thrown by `open()` on a database written by a newer version of this package (it is never written to). */
export class NewerSchemaError extends Error {
	constructor(where: string, found: number) {
		super(
			`The sync state in ${where} has schema version ${found}, newer than this version of ` +
				`n8n-nodes-crm-connectors knows (${SCHEMA_VERSION}): it was written by a newer version. ` +
				'Update the package on every n8n instance that runs this sync (or point the sync at another store); ' +
				'nothing was changed.',
		);
		this.name = 'NewerSchemaError';
	}
}
