/**
 * Queue mode, scenario c: a worker killed in the middle of a CRM Sync backfill.
 * 1. A backfill long enough to take more than 10 s (KILL_CONTACTS per side, high latency) is triggered; once the
 *    simulators have seen some of its writes, the worker running it is SIGKILLed (its whole process group).
 * 2. A run triggered at once must fail "already running": the dead run's lease still holds the lock.
 * 3. After the lease has run out (Options › Lock Lease of 10 s when the build has it, else the default 60 s), and
 *    once no execution of the sync is running (n8n/Bull may re-run the stalled job on the other worker by itself),
 *    the next run succeeds and duplicates nothing (the dead run's creates written ahead, pending links younger
 *    than the engine's 60 s grace, wait for a later run);
 * 4. a run once the grace has passed converges: each contact exactly once per simulator, all pairs linked in
 *    PostgreSQL; a further run writes nothing.
 */
const { check, log, seconds } = require('./util');
const { executionPlaces } = require('./cluster');
const { trigger, until } = require('./queueFlows');
const {
	HAS_LEASE_OPTION,
	checkConverged,
	reportOf,
	createdOf,
	PAST_LAG_MS,
} = require('./queueSync');

const KILL_CONTACTS = Number(process.env.CRM_E2E_QUEUE_KILL_CONTACTS) || 3000;
/** Lease used when the build has the option; the node's default otherwise. */
const LEASE_S = HAS_LEASE_OPTION ? 10 : 60;
const HOOK = 'crm-q-sync-kill';
/** Seconds from the kill to the converging run: just past the lease, unless CRM_E2E_QUEUE_KILL_WAIT_S says. */
const WAIT_S = Number(process.env.CRM_E2E_QUEUE_KILL_WAIT_S) || LEASE_S + 1;
/** The CRM Sync's grace for a create written ahead before its pending link is settled (the engine's default). */
const PENDING_GRACE_S = 60;
/** Simulator latency once the worker is dead (ms). */
const FAST_LATENCY_MS = 40;
const FLOW = 'crmQSyncKill';
const SYNC_ID = 'q-sync-kill';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** No contact twice on either side, nothing unexpected. Returns how many each side holds. */
function checkNoDuplicates(pair, expected, when) {
	const held = pair.holdings();
	const want = new Set(expected);
	for (const [side, list] of [
		['Salesforce', held.a],
		['HubSpot', held.b],
	]) {
		const seen = new Set();
		const twice = list.filter((e) => seen.has(e) || !seen.add(e));
		const extra = list.filter((e) => !want.has(e));
		check(
			!twice.length && !extra.length,
			`${when}: ${side} holds ${twice.length} contacts twice (e.g. ${twice[0]}), ${extra.length} unexpected`,
		);
	}
	return { a: held.a.length, b: held.b.length };
}

async function checkKill({ cluster, pair, syncDb, executions }) {
	log(
		`4c. kill test: CRM Sync backfill of ${KILL_CONTACTS} + ${KILL_CONTACTS} contacts, its worker SIGKILLed mid-run ` +
			`(lease ${LEASE_S} s${HAS_LEASE_OPTION ? ', Options › Lock Lease' : ': the default; this build has no Lock Lease option'})`,
	);
	const expected = [
		...pair.seed('sf', 'sf', KILL_CONTACTS),
		...pair.seed('hs', 'hs', KILL_CONTACTS),
	];
	pair.clock.advance(PAST_LAG_MS);
	const started = Date.now();
	const first = trigger(cluster.webhook(HOOK), {}, 300_000);
	// Some writes seen, and the execution placed on a worker.
	const writesBefore = await until(() => pair.writes(), 120_000, 'the backfill to write');
	const running = await until(
		async () => {
			const runs = (await executions(FLOW)).filter((r) => r.status === 'running');
			const places = executionPlaces(cluster.workers);
			const run = runs.find((r) => places.has(r.id));
			return run && { id: run.id, worker: places.get(run.id)[0] };
		},
		30_000,
		'the backfill execution to run on a worker',
	);
	const victim = cluster.workers.find((w) => w.name === running.worker);
	victim.kill('SIGKILL');
	await victim.exited;
	const killedAt = Date.now();
	await sleep(300);
	const writesAtKill = pair.writes();
	log(
		`   execution #${running.id} on ${victim.name}: killed ${seconds(killedAt - started)} after the trigger, ` +
			`${writesBefore} write requests seen when the kill was decided, ${writesAtKill} by the time it was dead`,
	);

	const lastError = async () => (await executions(FLOW, { withData: true })).at(-1)?.error;

	// 2. At once: the lease holds.
	const blocked = await trigger(cluster.webhook(HOOK), {}, 60_000);
	const blockedRuns = (await executions(FLOW, { withData: true })).filter(
		(r) => r.id !== running.id,
	);
	const blockedRun = blockedRuns[blockedRuns.length - 1];
	log(
		`   run triggered at once: answered ${blocked.status}, execution #${blockedRun?.id} ${blockedRun?.status}`,
	);
	check(
		blockedRun?.status === 'error' && /already running/.test(blockedRun.error ?? ''),
		`the run triggered right after the kill should fail "already running"; execution ${blockedRun?.id} is ${blockedRun?.status}: ${String(JSON.stringify(blocked.body)).slice(0, 300)}`,
	);

	// The backfill had to be slow to be killed in the middle; what follows need not be.
	for (const sim of [pair.sf, pair.hs]) sim.server.setLatency(FAST_LATENCY_MS);

	// 3. The lease runs out; nothing of this sync is running any more (a re-run of the stalled job included).
	await sleep(Math.max(0, killedAt + WAIT_S * 1000 - Date.now()));
	const settled = await until(
		async () => {
			const runs = await executions(FLOW);
			const alive = cluster.workers.filter((w) => w.exit === undefined);
			const rerun = [...executionPlaces(alive).entries()].some(([id]) => id === running.id);
			const busy = runs.filter(
				(r) => (r.status === 'running' || r.status === 'new') && (r.id !== running.id || rerun),
			);
			return busy.length === 0 && runs;
		},
		180_000,
		'the executions of the killed sync to end',
	);
	const firstAnswer = await Promise.race([first, sleep(100).then(() => undefined)]);
	const rerunBy = executionPlaces(cluster.workers.filter((w) => w !== victim)).get(running.id);
	const killedFinal = settled.find((r) => r.id === running.id);
	log(
		`   after the lease: the killed execution #${running.id} is "${killedFinal?.status}"` +
			`${rerunBy ? ` (re-run by ${rerunBy.join(', ')})` : ' (not re-run)'}; its webhook ${firstAnswer ? `answered ${firstAnswer.status}` : 'has not answered'}`,
	);

	// 4. The first run after the lease: succeeds, duplicates nothing. Creates the dead run wrote ahead (pending
	// links) younger than the node's grace wait for a later run (a search index may lag a create).
	const afterLeaseS = (Date.now() - killedAt) / 1000;
	pair.clock.advance(PAST_LAG_MS);
	const next = await trigger(cluster.webhook(HOOK), {}, 300_000);
	const nextReport = reportOf(next, 'the run after the lease', await lastError());
	const held = checkNoDuplicates(pair, expected, 'after the run after the lease');
	log(
		`   run ${afterLeaseS.toFixed(1)} s after the kill: created ${createdOf(nextReport)} (${seconds(next.ms)}); ` +
			`no duplicates; Salesforce holds ${held.a}, HubSpot ${held.b} of ${expected.length}`,
	);

	// 5. Once the pending grace has passed since the kill: converged.
	await sleep(Math.max(0, killedAt + (PENDING_GRACE_S + 1) * 1000 - Date.now()));
	pair.clock.advance(PAST_LAG_MS);
	const converge = await trigger(cluster.webhook(HOOK), {}, 300_000);
	const report = reportOf(converge, 'the run after the pending grace', await lastError());
	const links = await checkConverged(pair, expected, syncDb, SYNC_ID, 'after the pending grace');
	log(
		`   run ${seconds(Date.now() - killedAt)} after the kill: created ${createdOf(report)} (${seconds(converge.ms)}); ` +
			`each contact once per side; ${links} links`,
	);

	pair.clock.advance(PAST_LAG_MS);
	const writesBeforeLast = pair.writes();
	const last = await trigger(cluster.webhook(HOOK), {}, 300_000);
	const lastReport = reportOf(last, 'the run after convergence', await lastError());
	const writesLast = pair.writes() - writesBeforeLast;
	log(
		`   a further run: created ${createdOf(lastReport)}, ${writesLast} write requests (${seconds(last.ms)})`,
	);
	check(writesLast === 0, `the run after convergence sent ${writesLast} write requests`);
	await checkConverged(pair, expected, syncDb, SYNC_ID, 'after the further run');
	return {
		killedAfterMs: killedAt - started,
		writesAtKill,
		worker: victim.name,
		leaseS: LEASE_S,
		rerun: rerunBy ? rerunBy.join(', ') : 'no',
		nextCreated: createdOf(nextReport),
		afterLeaseS,
		convergeCreated: createdOf(report),
		convergeMs: converge.ms,
		links,
		totalMs: Date.now() - started,
	};
}

module.exports = { checkKill, KILL_FLOW: FLOW, KILL_HOOK: HOOK, KILL_SYNC_ID: SYNC_ID, LEASE_S };
