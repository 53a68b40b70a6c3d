/**
 * A child process of store.processes.test.ts (compiled with swc, run by the project's Node): opens a store,
 * says `ready`, waits for `go` on stdin, then
 * - `race`: takes the sync's run lock `rounds` times; while holding it, checks in the store that nobody else
 *   holds it (`info.holder`) and increments `info.total` by read-then-write (lost if two ever hold it at once);
 * - `die`: takes the lock for a long lease, prints it, shortens the lease on `shorten`, prints it again and waits
 *   to be killed.
 * Prints one JSON line per result on stdout.
 */
import { createInterface } from 'node:readline';
import { PostgresSyncStore, SqliteSyncStore, type SyncStore } from '../../core/sync/store';

interface ChildConfig {
	store:
		| { kind: 'sqlite'; file: string }
		| { kind: 'postgres'; connection: object; schema: string };
	mode: 'race' | 'die';
	syncId: string;
	owner: string;
	rounds?: number;
	holdMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
	const config = JSON.parse(process.argv[2]) as ChildConfig;
	const store: SyncStore =
		config.store.kind === 'sqlite'
			? new SqliteSyncStore({ file: config.store.file, busyTimeoutMs: 30_000 })
			: new PostgresSyncStore({ connection: config.store.connection, schema: config.store.schema });
	const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
	const expect = async (word: string) => {
		const { value } = await lines.next();
		if (value !== word) throw new Error(`expected ${word} on stdin, got ${String(value)}`);
	};
	await store.open();
	say('ready');
	await expect('go');
	const { syncId, owner } = config;
	if (config.mode === 'race') {
		let acquired = 0;
		let refused = 0;
		let overlaps = 0;
		while (acquired < (config.rounds ?? 10)) {
			if (!(await store.acquireLock(syncId, owner, 30_000))) {
				refused++;
				await sleep(1);
				continue;
			}
			const before = (await store.getMeta(syncId)).info;
			if (before.holder !== undefined && before.holder !== null) overlaps++;
			await store.commit(syncId, { meta: { info: { holder: owner } } });
			await sleep(config.holdMs ?? 10);
			if ((await store.getMeta(syncId)).info.holder !== owner) overlaps++;
			const total = Number(before.total ?? 0) + 1;
			await store.commit(syncId, { meta: { info: { holder: null, total } } });
			await store.releaseLock(syncId, owner);
			acquired++;
			await sleep(2);
		}
		say({ acquired, refused, overlaps });
		await store.close();
		process.exit(0);
	}
	const lease = await store.acquireLock(syncId, owner, 600_000);
	say({ lease });
	await expect('shorten');
	say({ renewed: await store.renewLock(syncId, owner, 300) });
	setInterval(() => undefined, 60_000); // held until killed
}

main().catch((err: Error) => {
	process.stderr.write(`${err.stack ?? err.message}\n`);
	process.exit(1);
});
