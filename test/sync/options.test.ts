/**
 * Run options and settings against the simulators: the run lock (held → SyncLockedError naming holder and expiry;
 * waited for), scope, archive on delete, the custom strategy, progress, unknown fields.
 */
import { excludeRecord, includeRecord } from '../../core/sync/admin';
import { SyncConfigError } from '../../core/sync/config';
import { runSync, SyncAbortedError, SyncLockedError } from '../../core/sync/engine';
import type { SyncProgress } from '../../core/sync/report';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { World } from './world';

const world = new World();
const now = () => world.clock.now();
let store: MemorySyncStore;

beforeAll(() => world.start());
afterAll(() => world.stop());
beforeEach(() => {
	world.reset();
	store = new MemorySyncStore(now);
});

const hsByEmail = (email: string) => world.hsAll().find((r) => r.fields.email === email);
const sfByEmail = (email: string) => world.sfAll().find((r) => r.fields.Email === email);

describe('sync run options', () => {
	it('a held lock: SyncLockedError names the holder and until when; nothing is read or written', async () => {
		await store.acquireLock('contacts', 'worker-7', 60_000);
		const requests = world.sf.log.count() + world.hs.log.count();
		const error = await runSync(world.config(), store, { now }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(SyncLockedError);
		expect((error as Error).message).toBe(
			`Sync "contacts" is already running (locked by worker-7 until ${new Date(now() + 60_000).toISOString()}) — wait for it to finish, or raise lockWaitMs`,
		);
		expect(world.sf.log.count() + world.hs.log.count()).toBe(requests);
		// renewed by its holder: the error gives the renewed expiry
		world.clock.advance(30_000);
		expect(await store.renewLock('contacts', 'worker-7', 60_000)).toBe(true);
		await expect(runSync(world.config(), store, { now })).rejects.toThrow(
			`(locked by worker-7 until ${new Date(now() + 60_000).toISOString()})`,
		);
	});

	it('waits for a lock up to lockWaitMs, polling, and runs once the lease has expired; releases it at the end', async () => {
		world.sfInsert({ LastName: 'Lock', Email: 'lock@example.com' });
		world.advance();
		await store.acquireLock('contacts', 'dead-worker', 5_000);
		const sleeps: number[] = [];
		const report = await runSync(world.config(), store, {
			now,
			lockWaitMs: 20_000,
			lockPollMs: 1_000,
			sleep: async (ms) => {
				sleeps.push(ms);
				world.clock.advance(ms);
			},
		});
		// held up to and including its expiry (t + 5000, as in the SQL stores): free at the sixth poll
		expect(sleeps).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
		expect(report.counts.created.b).toBe(1);
		expect(store.lockOf('contacts')).toBeUndefined();
		await store.acquireLock('contacts', 'again', 60_000);
		await expect(
			runSync(world.config(), store, {
				now,
				lockWaitMs: 3_000,
				lockPollMs: 1_000,
				sleep: async (ms) => void world.clock.advance(ms),
			}),
		).rejects.toThrow(/locked by again/);
	});

	it('a run that loses its lock (a renewal refused) stops before its next write', async () => {
		world.sfInsert({ LastName: 'A', Email: 'a@example.com' });
		world.hsInsert({ lastname: 'B', email: 'b@example.com' });
		world.advance();
		let renewed!: () => void;
		const renewal = new Promise<void>((resolve) => (renewed = resolve));
		const lossy = new MemorySyncStore(now);
		let wrote = false;
		lossy.renewLock = async () => {
			if (!wrote) return true;
			setImmediate(renewed);
			return false;
		};
		const config = world.config();
		const write = config.b.connector.write.bind(config.b.connector);
		config.b.connector.write = async (...args) => {
			const result = await write(...args);
			wrote = true;
			await renewal;
			await new Promise((resolve) => setImmediate(resolve));
			return result;
		};
		await expect(runSync(config, lossy, { now, leaseMs: 30 })).rejects.toThrow(
			/lost its run lock \(its lease of 30 ms ran out/,
		);
		expect(hsByEmail('a@example.com')).toBeDefined(); // the write in flight
		expect(sfByEmail('b@example.com')).toBeUndefined(); // nothing after it
	});

	it('aborted (signal): stops at the next write boundary, commits what it wrote; the next run finishes the job', async () => {
		world.sfInsert({ LastName: 'A', Email: 'a@example.com' });
		world.hsInsert({ lastname: 'B', email: 'b@example.com' });
		world.advance();
		const abort = new AbortController();
		const config = world.config();
		const write = config.b.connector.write.bind(config.b.connector);
		config.b.connector.write = async (...args) => {
			const result = await write(...args);
			abort.abort();
			return result;
		};
		await expect(runSync(config, store, { now, signal: abort.signal })).rejects.toThrow(
			SyncAbortedError,
		);
		expect(hsByEmail('a@example.com')).toBeDefined();
		expect(sfByEmail('b@example.com')).toBeUndefined();
		expect(await store.countLinks('contacts', 'linked')).toBe(1); // the written create was committed
		world.advance();
		const next = await runSync(world.config(), store, { now });
		expect(next.counts.created).toEqual({ a: 1, b: 0 });
		expect(world.hsAll()).toHaveLength(2);
		expect(world.sfAll()).toHaveLength(2);
	});

	it('a create written ahead moments ago is not settled yet (a search index may lag); after the grace it is', async () => {
		world.sfInsert({ LastName: 'A', Email: 'a@example.com' });
		world.advance();
		const crashing = new MemorySyncStore(now);
		const commit = crashing.commit.bind(crashing);
		let commits = 0;
		crashing.commit = async (syncId, changes) => {
			// The commit after the create's write (the one that links it) is lost.
			if ((changes.upsertLinks ?? []).some((l) => l.status === 'linked') && !commits++)
				throw new Error('crash');
			return commit(syncId, changes);
		};
		await expect(runSync(world.config(), crashing, { now })).rejects.toThrow('crash');
		expect(await crashing.countLinks('contacts', 'pending')).toBe(1);
		world.advance(10_000);
		const early = await runSync(world.config(), crashing, { now });
		expect(early.counts.created).toEqual({ a: 0, b: 0 });
		expect(await crashing.countLinks('contacts', 'pending')).toBe(1);
		world.advance(60_000);
		await runSync(world.config(), crashing, { now });
		expect(await crashing.countLinks('contacts', 'pending')).toBe(0);
		expect(await crashing.countLinks('contacts', 'linked')).toBe(1);
		expect(world.hsAll()).toHaveLength(1);
	});

	it('planLimit caps the plan of a dry run (the counts stay whole); a real run keeps no plan unless asked', async () => {
		for (let i = 0; i < 5; i++) world.sfInsert({ LastName: `P${i}`, Email: `p${i}@example.com` });
		world.advance();
		const dry = await runSync(world.config({ dryRun: true }), store, { now, planLimit: 2 });
		expect(dry.plan).toHaveLength(2);
		expect(dry.planTruncated).toBe(true);
		expect(dry.counts.created.b).toBe(5);
		const real = await runSync(world.config(), store, { now });
		expect(real.plan).toEqual([]);
		expect(real.counts.created.b).toBe(5);
		expect(world.hsAll()).toHaveLength(5);
	});

	it('a side whose change feed has no deletions is reported as a warning, and its deletions are not read', async () => {
		const config = world.config();
		const caps = config.a.connector.capabilities.bind(config.a.connector);
		config.a.connector.capabilities = async (t) => ({
			...(await caps(t)),
			deletesInChangeFeed: false,
		});
		const report = await runSync(config, store, { now });
		expect(report.warnings).toEqual([
			"side a (Contact): the CRM's change feed does not report deletions — a record deleted there is not deleted, archived or unlinked on side b",
		]);
		expect((await store.getMeta('contacts')).watermarks.a).not.toHaveProperty('deleted');
		expect((await store.getMeta('contacts')).watermarks.b).toHaveProperty('deleted');
	});

	it('ordered match keys: no e-mail → the phone (normalised to digits) links the pair', async () => {
		const sfId = world.sfInsert({ LastName: 'Phone only', Phone: '+1 (555) 010-2030' });
		const hsId = world.hsInsert({
			lastname: 'Phone only',
			phone: '15550102030',
			jobtitle: 'From HS',
		});
		world.advance();
		const report = await runSync(
			world.config({
				matchKeys: [
					{ a: 'Email', b: 'email', normalize: 'email' },
					{ a: 'Phone', b: 'phone', normalize: 'phone' },
				],
				fields: [
					{ a: 'LastName', b: 'lastname' },
					{ a: 'Title', b: 'jobtitle' },
				],
				conflict: 'aUnlessBlank',
			}),
			store,
			{ now },
		);
		expect(report.counts.linkedByMatch).toBe(1);
		expect(report.counts.created).toEqual({ a: 0, b: 0 });
		// The titles' conflict was settled by the rule, not sent to review: counted apart.
		expect(report.counts).toMatchObject({
			conflicts: 0,
			settledByRule: 1,
			settledByStrategy: { aUnlessBlank: 1 },
		});
		expect((await store.getLinksByIds('contacts', 'a', [sfId])).get(sfId)?.bId).toBe(hsId);
		// First link: the titles differ, aUnlessBlank lets HubSpot's fill Salesforce's blank.
		expect(world.sfAll().find((r) => r.id === sfId)?.fields.Title).toBe('From HS');
		expect(world.hsAll().find((r) => r.id === hsId)?.fields.jobtitle).toBe('From HS');
	});

	it('scope: records out of scope are not created on the other side (counted); in scope they are', async () => {
		world.hsInsert({ lastname: 'Staff', email: 'staff@example.com', jobtitle: 'Internal' });
		world.hsInsert({ lastname: 'Client', email: 'client@example.com', jobtitle: 'Buyer' });
		world.advance();
		const progress: SyncProgress[] = [];
		const report = await runSync(
			world.config({ scope: { b: [{ field: 'jobtitle', op: 'notEquals', value: 'Internal' }] } }),
			store,
			{ now, onProgress: (p) => progress.push({ ...p }) },
		);
		expect(report.counts.skippedOutOfScope).toBe(1);
		expect(report.counts.created).toEqual({ a: 1, b: 0 });
		expect(sfByEmail('client@example.com')).toBeDefined();
		expect(sfByEmail('staff@example.com')).toBeUndefined();
		expect(progress.map((p) => p.phase)).toEqual(['deletions', 'pending', 'retries', 'changes']);
		expect(progress[3]).toMatchObject({ side: 'b', pages: 1, records: 2 });
	});

	it('deletes "archive": the partner is marked, not deleted, and the pair leaves the sync (never re-created)', async () => {
		const sfId = world.sfInsert({ LastName: 'Gone', Email: 'gone@example.com' });
		world.advance();
		const config = world.config({
			deletes: 'archive',
			archive: { b: { field: 'jobtitle', value: 'ARCHIVED' } },
		});
		await runSync(config, store, { now });
		world.advance();
		world.sfDelete(sfId);
		world.advance();
		const report = await runSync(config, store, { now });
		expect(report.counts.archived).toEqual({ a: 0, b: 1 });
		expect(hsByEmail('gone@example.com')?.fields.jobtitle).toBe('ARCHIVED');
		world.hsEdit(hsByEmail('gone@example.com')?.id as string, { lastname: 'Still here' });
		world.advance();
		const after = await runSync(config, store, { now });
		expect(after.counts.created).toEqual({ a: 0, b: 0 });
		expect(world.sfAll()).toHaveLength(0);
	});

	it('custom strategy: the callback settles a conflict with a value written to both sides; without the callback the run is refused', async () => {
		world.sfInsert({ LastName: 'Lee', Email: 'c@example.com', Title: 'Boss' });
		world.hsInsert({ lastname: 'Lee', email: 'c@example.com', jobtitle: 'Chief' });
		world.advance();
		const config = world.config({
			fields: [
				{ a: 'LastName', b: 'lastname' },
				{ a: 'Title', b: 'jobtitle', conflict: 'custom' },
			],
		});
		await expect(runSync(config, store, { now })).rejects.toThrow(SyncConfigError);
		const seen: unknown[] = [];
		const report = await runSync(config, store, {
			now,
			resolveConflict: (ctx) => {
				seen.push([ctx.field, ctx.a, ctx.b, ctx.base]);
				return { value: `${String(ctx.a)} / ${String(ctx.b)}` };
			},
		});
		expect(seen).toEqual([['Title/jobtitle', 'Boss', 'Chief', undefined]]);
		expect(report.counts.settledByRule).toBe(1);
		expect(report.counts.settledByStrategy).toEqual({ custom: 1 });
		expect(sfByEmail('c@example.com')?.fields.Title).toBe('Boss / Chief');
		expect(hsByEmail('c@example.com')?.fields.jobtitle).toBe('Boss / Chief');
	});

	it('direction aToB: Salesforce records go to HubSpot, never back; HubSpot-only records are not created in Salesforce', async () => {
		world.sfInsert({ LastName: 'Only SF', Email: 'sf@example.com', Title: 'T' });
		world.hsInsert({ lastname: 'Only HS', email: 'hs@example.com' });
		world.sfInsert({ LastName: 'Both SF', Email: 'both@example.com', Title: 'T' });
		world.hsInsert({ lastname: 'Both HS', email: 'both@example.com' });
		world.advance();
		const config = world.config({ direction: 'aToB' });
		const first = await runSync(config, store, { now });
		expect(first.counts.created).toEqual({ a: 0, b: 1 });
		expect(sfByEmail('hs@example.com')).toBeUndefined();
		// The target's feed is not read (its edits never flow back): the record on both sides is met by its key.
		expect(first.counts.read).toEqual({ a: 2, b: 0 });
		expect(first.counts.linkedByMatch).toBe(1);
		expect(world.hsAll().filter((r) => r.fields.email === 'both@example.com')).toHaveLength(1);
		expect(hsByEmail('both@example.com')?.fields.lastname).toBe('Both SF');
		world.advance();
		world.hsEdit(hsByEmail('sf@example.com')?.id as string, { jobtitle: 'Edited in HubSpot' });
		world.advance();
		const second = await runSync(config, store, { now });
		expect(second.counts.updated).toEqual({ a: 0, b: 0 });
		expect(second.counts.read.b).toBe(0);
		expect(sfByEmail('sf@example.com')?.fields.Title).toBe('T');
		world.sfEdit(sfByEmail('sf@example.com')?.id as string, { Title: 'Edited in Salesforce' });
		world.advance();
		await runSync(config, store, { now });
		expect(hsByEmail('sf@example.com')?.fields.jobtitle).toBe('Edited in Salesforce');
	});

	it('a failing record can be excluded (no longer retried, its failure dropped) and included again', async () => {
		world.hsInsert({ lastname: null, email: 'nolast@example.com' });
		world.advance();
		const failed = await runSync(world.config(), store, { now });
		expect(failed.failures.map((f) => [f.side, f.category, f.code])).toEqual([
			['b', 'validation', 'REQUIRED_FIELD_MISSING'],
		]);
		const id = hsByEmail('nolast@example.com')?.id as string;
		await excludeRecord(store, 'contacts', 'b', id);
		world.advance();
		const writes = world.writeRequests().sf;
		const excluded = await runSync(world.config(), store, { now });
		expect(excluded.failures).toEqual([]);
		expect(world.writeRequests().sf).toBe(writes);
		world.hsEdit(id, { lastname: 'Fixed' });
		world.advance();
		await runSync(world.config(), store, { now });
		expect(sfByEmail('nolast@example.com')).toBeUndefined(); // still excluded
		await includeRecord(store, 'contacts', 'b', id);
		world.hsEdit(id, { firstname: 'Back' });
		world.advance();
		await runSync(world.config(), store, { now });
		expect(sfByEmail('nolast@example.com')?.fields).toMatchObject({
			LastName: 'Fixed',
			FirstName: 'Back',
		});
	});

	it('a deletion the other CRM refuses is a failure, retried on the next run until it goes through', async () => {
		world.sfInsert({ LastName: 'Doomed', Email: 'doomed@example.com' });
		world.advance();
		await runSync(world.config(), store, { now });
		world.advance();
		world.hsDelete(hsByEmail('doomed@example.com')?.id as string);
		world.advance();
		world.sf.faults.add({
			type: 'batchFailure',
			count: 1,
			status: 400,
			code: 'INSUFFICIENT_ACCESS_OR_READONLY',
			message: 'no delete access',
			match: { kinds: ['collections.delete'] },
		});
		const refused = await runSync(world.config(), store, { now });
		expect(refused.failures.map((f) => [f.side, f.category, f.code])).toEqual([
			['b', 'permission', 'INSUFFICIENT_ACCESS_OR_READONLY'],
		]);
		expect(sfByEmail('doomed@example.com')).toBeDefined();
		world.advance();
		const retried = await runSync(world.config(), store, { now });
		expect(retried.counts.deleted).toEqual({ a: 1, b: 0 });
		expect(retried.failures).toEqual([]);
		expect(sfByEmail('doomed@example.com')).toBeUndefined();
		expect(await store.countLinks('contacts')).toBe(0);
	});

	it('a changed mapping is reported; fullResync re-reads both sides and settles the new field pair as at first link', async () => {
		world.sfInsert({ LastName: 'Lee', Email: 'm@example.com', Title: 'SF title' });
		world.hsInsert({ lastname: 'Lee', email: 'm@example.com', jobtitle: 'HS title' });
		world.advance();
		const narrow = world.config({ fields: [{ a: 'LastName', b: 'lastname' }] });
		expect((await runSync(narrow, store, { now })).configChanged).toBe(false);
		const wide = world.config({
			fields: [
				{ a: 'LastName', b: 'lastname' },
				{ a: 'Title', b: 'jobtitle', conflict: 'bWins' },
			],
		});
		world.advance();
		const changed = await runSync(wide, store, { now });
		expect(changed.configChanged).toBe(true);
		expect(changed.counts.read).toEqual({ a: 0, b: 0 });
		expect(sfByEmail('m@example.com')?.fields.Title).toBe('SF title');
		world.advance();
		const resync = await runSync(wide, store, { now, fullResync: true });
		expect(resync.configChanged).toBe(false);
		expect(resync.backfill).toEqual({ a: true, b: true });
		expect(resync.counts.updated).toEqual({ a: 1, b: 0 });
		expect(resync.counts.created).toEqual({ a: 0, b: 0 });
		expect(sfByEmail('m@example.com')?.fields.Title).toBe('HS title');
		world.advance();
		const after = await runSync(wide, store, { now });
		expect(after.backfill).toEqual({ a: false, b: false });
		expect(after.counts.updated).toEqual({ a: 0, b: 0 });
	});

	it('a field the object does not have is named, with the fix, before anything is written', async () => {
		await expect(
			runSync(world.config({ fields: [{ a: 'Titel', b: 'jobtitle' }] }), store, { now }),
		).rejects.toThrow(
			/fields\[0\]\.a: "Titel" is not a field of Contact — use one of its API names/,
		);
		const error = await runSync(
			world.config({
				fields: [
					{ a: 'Name', b: 'lastname' },
					{ a: 'Title', b: 'lastmodifieddate', direction: 'aToB' },
				],
				matchKeys: [{ a: 'Email', b: 'mail' }],
			}),
			store,
			{ now },
		).catch((e: unknown) => e);
		expect((error as SyncConfigError).problems).toEqual([
			'fields[0].a: "Name" is read-only on Contact — let values flow only from it (direction "aToB") or remove the pair',
			'fields[1].b: "lastmodifieddate" is read-only on contacts — let values flow only from it (direction "bToA") or remove the pair',
			expect.stringMatching(/^matchKeys\[0\]\.b: "mail" is not a field of contacts/),
		]);
		expect(world.writeRequests()).toEqual({ sf: 0, hs: 0 });
		expect(store.lockOf('contacts')).toBeUndefined();
	});
});
