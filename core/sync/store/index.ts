/**
 * Sync state stores: the interface (`types.ts`) and its implementations — SQLite through `node:sqlite`
 * (the default, a file under the n8n user folder) and PostgreSQL (queue mode across hosts).
 */
export * from './types';
export { MIGRATIONS, NewerSchemaError, SCHEMA_VERSION } from './schema';
export { SqliteSyncStore, type SqliteSyncStoreOptions } from './sqlite';
export { defaultSyncStateFile, loadNodeSqlite } from './sqliteModule';
export { PostgresSyncStore, type PostgresSyncStoreOptions } from './postgres';
export { PostgresStoreError } from './postgresConnection';
