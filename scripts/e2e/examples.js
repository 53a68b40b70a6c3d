/**
 * The example workflows (`examples/*.json`, every file of the folder: a new example needs no change here) in the
 * e2e tier: each imported into the real n8n as its file is, but for its id and its credentials, which point at a
 * pair of Salesforce and HubSpot simulators of its own (`startSyncSimulators`, one ManualClock), then run twice by
 * `n8n execute` over contacts on Salesforce only, on HubSpot only and on both. (`n8n execute` refuses a workflow
 * without a Manual Trigger, but n8n 2.41 then starts at `Workflow.getStartNode()`, the first trigger in node order:
 * the two-way example runs from its Schedule Trigger, n8n's own. The log says which nodes ran.) The CRM Sync state is
 * the default SQLite file of the n8n user folder, each example under its own Sync ID.
 *
 * Checked for every example: both runs end without an error; after each, each simulator holds every contact exactly
 * once with the seeded values (`checkHoldings`); the second run creates nothing and every CRM Sync Report of it
 * (dry runs apart) counts no create and no update. Then what one example promises (`EXPECT`, by file): the two-way
 * sync's first Report and a second run with no write request at all; the migration's dry run (plans, writes
 * nothing), its bulk upsert (100 contacts per call, the only HubSpot writes) and the sync after it linking every
 * contact by e-mail without a write.
 * And n8n's own Schedule Trigger (from the n8n install) against the test stand-in (`dist/test/helpers`): the
 * examples' trigger versions exist, a manual run of both emits one item with the same fields and formats, and activated, n8n's
 * registers a cron job every 15 minutes for the examples' rule.
 */
const fs = require('node:fs');
const path = require('node:path');

const { root } = require('../lib/pack-install');
const { HOST_DIR } = require('./host');
const {
	HS_WRITES,
	SF_WRITES,
	checkHoldings,
	startSyncSimulators,
	toSalesforce,
} = require('./sync');
const { check, log, outputOf, seconds } = require('./util');
const { PREFIX, salesforceCredential, hubspotCredential } = require('./workflow');

const EXAMPLES = path.join(root, 'examples');
const CRM_SYNC = `${PREFIX}.crmSync`;
const SCHEDULE = 'n8n-nodes-base.scheduleTrigger';
/** Past both change-feed safety lags, on the simulators' clock (see sync.js). */
const PAST_LAG_MS = 10 * 60_000;
const SEED = { sfOnly: 120, hsOnly: 3, both: 4 };
const HS_CREATES = /^(create|batch\.create)$/;
const SF_CREATES = /(^|\.)create$/;

const person = (prefix, i) => ({
	email: `${prefix}.${i}@examples-e2e.example`,
	firstname: `First ${prefix} ${i}`,
	lastname: `Last ${prefix} ${i}`,
	jobtitle: `Title ${i}`,
	phone: `+1 555 1${String(i).padStart(3, '0')}`,
});

/** Per example file, what its two runs must show beyond the common checks. */
const EXPECT = {
	'salesforce-hubspot-two-way.json': (first, second) => {
		const c = first.reports['CRM Sync'].counts;
		check(
			c.created.a === SEED.hsOnly && c.created.b === SEED.sfOnly && c.linkedByMatch === SEED.both,
			`two-way run 1: expected ${SEED.hsOnly}/${SEED.sfOnly} created, ${SEED.both} linked; Report ${JSON.stringify(c)}`,
		);
		check(
			!second.writes.sf.length && !second.writes.hs.length,
			`two-way run 2: expected no write request, got ${JSON.stringify(second.writes)}`,
		);
	},
	'migration-then-incremental.json': (first) => {
		const dry = first.reports['Dry run'];
		check(
			dry.dryRun === true && dry.counts.created.b === SEED.sfOnly,
			`migration: the dry run should plan ${SEED.sfOnly} creates in HubSpot; Report ${JSON.stringify(dry.counts)}`,
		);
		const upserts = Math.ceil((SEED.sfOnly + SEED.both) / 100);
		check(
			first.writes.hs.length === upserts && first.writes.hs.every((k) => k === 'batch.upsert'),
			`migration: expected ${upserts} batch upserts as HubSpot's only writes, got ${JSON.stringify(first.writes.hs)}`,
		);
		const c = first.reports['Keep in sync'].counts;
		check(
			c.linkedByMatch === SEED.sfOnly + SEED.both && c.created.b === 0 && c.updated.b === 0,
			`migration: the sync after the upsert should link all ${SEED.sfOnly + SEED.both} without writing to HubSpot; Report ${JSON.stringify(c)}`,
		);
	},
};

/** The example files, each with its e2e workflow id, credential ids and simulators. */
async function startExamples() {
	const files = fs
		.readdirSync(EXAMPLES)
		.filter((f) => f.endsWith('.json'))
		.sort();
	const out = [];
	for (const [i, file] of files.entries()) {
		const id = `crmE2eExample${i + 1}`;
		const sims = await startSyncSimulators();
		const credentials = [
			salesforceCredential(`${id}Sf`, `Salesforce (${file})`, sims.contracts.salesforce),
			hubspotCredential(`${id}Hs`, `HubSpot (${file})`, sims.contracts.hubspot),
		];
		const wf = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
		const byType = Object.fromEntries(credentials.map((c) => [c.type, { id: c.id, name: c.name }]));
		for (const node of wf.nodes)
			for (const type of Object.keys(node.credentials ?? {})) {
				check(
					byType[type],
					`${file}: node "${node.name}" uses a ${type} credential the e2e cannot provide`,
				);
				node.credentials[type] = byType[type];
			}
		out.push({ file, sims, credentials, workflow: { ...wf, id, active: false } });
	}
	return {
		examples: out,
		credentials: out.flatMap((e) => e.credentials),
		workflows: out.map((e) => e.workflow),
		async stop() {
			for (const e of out) await e.sims.stop();
		},
	};
}

/** Runs an example once; its CRM Sync Reports by node name and the write requests each simulator answered. */
async function exampleRun(execute, example, label) {
	const { sims, workflow } = example;
	sims.clock.advance(PAST_LAG_MS);
	const marks = { sf: sims.sf.log.last()?.seq ?? 0, hs: sims.hs.log.last()?.seq ?? 0 };
	const result = await execute(workflow, label);
	const after = (entries, mark) => entries.filter((e) => e.seq > mark).map((e) => e.kind ?? '');
	const writes = {
		sf: after(sims.sf.log.entries(), marks.sf).filter((k) => SF_WRITES.test(k)),
		hs: after(sims.hs.log.entries(), marks.hs).filter((k) => HS_WRITES.test(k)),
	};
	const ran = Object.keys(result.data.data.resultData.runData);
	const reports = Object.fromEntries(
		workflow.nodes
			.filter((n) => n.type === CRM_SYNC && ran.includes(n.name))
			.map((n) => [n.name, outputOf(result.data, n.name, 0)[0]]),
	);
	log(
		`   ${label}: ran ${ran.join(' → ')}; writes [${writes.sf.join(', ')}] / [${writes.hs.join(', ')}] (Salesforce/HubSpot, ${seconds(result.ms)})`,
	);
	return { reports, writes };
}

/** Every example: seeded, run twice, checked. */
async function checkExamples(execute, started) {
	log(
		`8. example workflows (${started.examples.map((e) => e.file).join(', ')}), two \`n8n execute\` runs each`,
	);
	for (const example of started.examples) {
		const { sims, file } = example;
		const expected = new Map();
		const add = (p, sf, hs) => {
			expected.set(p.email, p);
			if (sf) sims.sf.table('Contact').insert(toSalesforce(p));
			if (hs) sims.hs.insertDirect('contacts', p);
		};
		for (let i = 0; i < SEED.sfOnly; i++) add(person('sf', i), true, false);
		for (let i = 0; i < SEED.hsOnly; i++) add(person('hs', i), false, true);
		for (let i = 0; i < SEED.both; i++) add(person('both', i), true, true);
		const first = await exampleRun(execute, example, `${file} #1`);
		checkHoldings(sims, expected, `${file} run 1`);
		const second = await exampleRun(execute, example, `${file} #2`);
		checkHoldings(sims, expected, `${file} run 2`);
		const creates = [
			...second.writes.sf.filter((k) => SF_CREATES.test(k)),
			...second.writes.hs.filter((k) => HS_CREATES.test(k)),
		];
		check(!creates.length, `${file} run 2 created records: ${creates.join(', ')}`);
		for (const [node, report] of Object.entries(second.reports)) {
			const c = report.counts;
			check(
				report.dryRun || c.created.a + c.created.b + c.updated.a + c.updated.b === 0,
				`${file} run 2: "${node}" still created or updated records: ${JSON.stringify(c)}`,
			);
		}
		EXPECT[file]?.(first, second);
		log(`   ${file}: each simulator holds the ${expected.size} contacts once, after both runs`);
	}
	await checkScheduleTrigger(started.workflows);
}

/** n8n's Schedule Trigger from the install, run in a minimal trigger context; returns the item or the cron. */
async function realScheduleTrigger(node, mode) {
	const file = path.join(
		HOST_DIR,
		'node_modules',
		'n8n-nodes-base',
		'dist',
		'nodes',
		'Schedule',
		'ScheduleTrigger.node.js',
	);
	const { ScheduleTrigger } = require(file);
	return await runTrigger(new ScheduleTrigger(), node, mode);
}

async function runTrigger(type, node, mode) {
	let emitted;
	const crons = [];
	const ctx = {
		getNode: () => node,
		getNodeParameter: (name, fallback) => node.parameters[name] ?? fallback,
		getTimezone: () => 'Europe/Berlin',
		getWorkflowStaticData: () => ({}),
		getWorkflow: () => ({ id: 'e2e' }),
		getMode: () => mode,
		emit: (data) => (emitted = data),
		helpers: {
			returnJsonArray: (a) => a.map((json) => ({ json })),
			registerCron: (cron) => crons.push(cron),
		},
	};
	const response = await type.trigger.call(ctx);
	if (mode === 'manual') await response.manualTriggerFunction();
	return { items: emitted?.[0] ?? [], crons, versions: type.description.version };
}

/** The stand-in the engine tests use behaves as n8n's Schedule Trigger for the examples' trigger nodes. */
async function checkScheduleTrigger(workflows) {
	const { ScheduleTrigger: StandIn } = require(
		path.join(root, 'dist', 'test', 'helpers', 'schedule-trigger'),
	);
	const nodes = workflows.flatMap((wf) => wf.nodes.filter((n) => n.type === SCHEDULE));
	for (const node of nodes) {
		const real = await realScheduleTrigger(node, 'manual');
		const ours = await runTrigger(new StandIn(), node, 'manual');
		check(
			real.versions.includes(node.typeVersion),
			`Schedule Trigger v${node.typeVersion} is not a version of n8n's (${real.versions})`,
		);
		// The same fields in the same formats (digits masked: the two runs are milliseconds apart).
		const shape = (r) => JSON.stringify(r.items.map((i) => i.json)).replace(/\d/g, '0');
		check(
			real.items.length === 1 && shape(real) === shape(ours),
			`Schedule Trigger "${node.name}": n8n emits ${shape(real)}, the stand-in ${shape(ours)}`,
		);
		const active = await realScheduleTrigger(node, 'trigger');
		const interval = node.parameters.rule.interval[0];
		// Minute rules: n8n's cron fires every <minutesInterval> minutes, at a second it picks.
		const every = new RegExp(`^\\S+ \\*/${interval.minutesInterval} \\* \\* \\* \\*$`);
		check(
			active.crons.length === 1 &&
				(interval.field !== 'minutes' || every.test(active.crons[0].expression)),
			`Schedule Trigger "${node.name}": n8n registers ${JSON.stringify(active.crons.map((c) => c.expression))}`,
		);
		log(
			`   Schedule Trigger "${node.name}" v${node.typeVersion}: n8n's and the stand-in emit the same item; activated: cron "${active.crons[0].expression}"`,
		);
	}
}

module.exports = { startExamples, checkExamples, checkScheduleTrigger };
