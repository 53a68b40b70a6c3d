/**
 * Import this module before anything from `n8n-core`: n8n's services read `N8N_USER_FOLDER` when first
 * constructed and write config (`.n8n/config`, instance id) there, so tests must point it at a throw-away
 * directory instead of the developer's home. `engine.ts` imports it first; so must any test that imports
 * `n8n-core` directly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

if (!process.env.N8N_USER_FOLDER?.includes('crm-connectors-n8n-')) {
	const folder = mkdtempSync(path.join(tmpdir(), 'crm-connectors-n8n-'));
	process.env.N8N_USER_FOLDER = folder;
	process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
}
// Keep n8n quiet and offline in tests.
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
process.env.N8N_VERSION_NOTIFICATIONS_ENABLED ??= 'false';
process.env.N8N_TEMPLATES_ENABLED ??= 'false';
process.env.N8N_LOG_LEVEL ??= 'silent';

/** The temporary n8n user folder of this test process. */
export const N8N_USER_FOLDER = process.env.N8N_USER_FOLDER;
