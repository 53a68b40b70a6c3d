/**
 * Import this module before anything from `n8n-core`: n8n's services read `N8N_USER_FOLDER` when first
 * constructed and write config (`.n8n/config`, instance id) there, so tests must point it at a throw-away
 * directory instead of the developer's home. `engine.ts` imports it first; so must any test that imports
 * `n8n-core` directly.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One folder per process under a shared base; folders of processes that are gone are swept on the way in
 * (jest ends its workers without an `exit` event, so cleanup on exit alone leaks a folder per worker). */
const BASE = path.join(tmpdir(), 'crm-connectors-n8n');

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

if (!process.env.N8N_USER_FOLDER?.startsWith(BASE)) {
	mkdirSync(BASE, { recursive: true });
	for (const name of readdirSync(BASE)) {
		const pid = Number(name);
		if (Number.isInteger(pid) && pid !== process.pid && !alive(pid))
			rmSync(path.join(BASE, name), { recursive: true, force: true });
	}
	const folder = path.join(BASE, String(process.pid));
	mkdirSync(folder, { recursive: true });
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

// A shell in n8n's queue mode (or with a shared-budget Redis) must not turn every test's rate budget into a shared
// one: tests that share budgets through Redis configure it themselves (test/unit/http/shared*.test.ts) or hand their
// child processes an environment of their own (test/connectors/sharedBudget).
delete process.env.EXECUTIONS_MODE;
delete process.env.CRM_CONNECTORS_REDIS_URL;
