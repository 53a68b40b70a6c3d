/**
 * Where the SQLite sync store finds `node:sqlite` and its default file. Loaded when a store is opened, not when
 * the package is: on a Node.js without `node:sqlite` only a sync using this store fails, saying why.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export type SqliteModule = typeof import('node:sqlite');

/** `<n8n user folder>/.n8n/crm-connectors-sync.sqlite`, the user folder being `N8N_USER_FOLDER` or the home folder. */
export function defaultSyncStateFile(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER || homedir(), '.n8n', 'crm-connectors-sync.sqlite');
}

/** Loads `node:sqlite`, or explains which Node.js it needs. `getBuiltin` is replaceable for tests. */
export function loadNodeSqlite(
	getBuiltin: (id: string) => unknown = (id) => process.getBuiltinModule(id),
): SqliteModule {
	let mod: unknown;
	try {
		mod = getBuiltin('node:sqlite');
	} catch {
		mod = undefined;
	}
	if (typeof (mod as Partial<SqliteModule> | undefined)?.DatabaseSync !== 'function') {
		throw new Error(
			`the SQLite sync store needs Node.js ≥ 22.13/24 (its built-in node:sqlite module, without a flag); ` +
				`this is Node.js ${process.versions.node}. Run n8n on Node.js 24 (as n8n 2.x requires), ` +
				'or keep the sync state in PostgreSQL.',
		);
	}
	return mod as SqliteModule;
}
