/**
 * Step 6 of `npm run demo`: `two-way-sync.json` (Manual Trigger → CRM Sync, Salesforce Contact ↔ HubSpot contacts
 * by e-mail, conflict rule "A Unless Blank", state in a SQLite file) run three times against the simulators the
 * earlier steps wrote to:
 * 1. the first run (a backfill of both sides) links the contacts both CRMs share and creates the one-sided ones on
 *    the other side; fields that differ at first pairing are settled by the rule;
 * 2. after an edit in Salesforce, another in HubSpot and one field edited on both sides (a conflict), the edits
 *    cross over and the conflict is settled by the rule;
 * 3. with no edits, nothing is written.
 * Each run prints its Report compactly (per side: read, created, updated, API calls; the simulators' write requests)
 * and is checked against what the demo computes from the simulators' stores before the run.
 *
 * The node reads a CRM's changes up to that CRM's clock minus a safety lag (Salesforce 60 s, HubSpot 30 s): the
 * simulators run on a {@link ShiftedClock} the demo moves ahead before each run instead of waiting.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { HubSpotSimulator, SalesforceSimulator } from '../sandbox';
import type { Clock } from '../sandbox/kit';
import { loadWorkflow, runWorkflow, type WorkflowJson } from '../test/helpers/engine';
import { byKind, expect, log, mark, requestsSince, say } from './common';
import { cell, plural, table } from './format';

const FILE = 'two-way-sync.json';
const SYNC = 'CRM Sync';
/** Past both CRMs' change-feed safety lags (the node's defaults: Salesforce 60 s, HubSpot 30 s). */
const AHEAD_MS = 2 * 60_000;
/** Plan items of one kind printed per run (the rest are counted). */
const MAX_PLAN_SHOWN = 4;
/** Write requests by the simulators' request-log kinds. */
const SF_WRITES =
	/^(sobject\.(create|update|upsert|delete|deleteByExternalId)|collections\.(create|update|delete|upsert)|bulk\.ingest|composite)/;
const HS_WRITES = /^(create|update|archive|delete|batch\.(create|update|upsert|archive))$/;

/** The wall clock plus an offset the demo moves forward: the simulators' time. */
export class ShiftedClock implements Clock {
	private offsetMs = 0;
	now(): number {
		return Date.now() + this.offsetMs;
	}
	advance(ms: number): void {
		this.offsetMs += ms;
	}
}

export interface SyncDemo {
	sf: SalesforceSimulator;
	hs: HubSpotSimulator;
	/** The clock the simulators were started with. */
	clock: ShiftedClock;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** The folder of the demo's workflow files. */
	workflows: string;
}

type Side = 'a' | 'b';
type Values = Array<string | null>;
interface SyncReport {
	counts: {
		created: Record<Side, number>;
		updated: Record<Side, number>;
		read: Record<Side, number>;
		unchanged: number;
		linkedByMatch: number;
		ambiguous: number;
		conflicts: number;
		failed: number;
	};
	apiCalls: Record<Side, number>;
	backfill: Record<Side, boolean>;
	durationMs: number;
	plan: Array<IDataObject & { action: string; side?: Side }>;
}

const text = (v: unknown): string | null =>
	v === undefined || v === null || String(v).trim() === '' ? null : String(v).trim();
const NAME: Record<Side, string> = { a: 'Salesforce', b: 'HubSpot' };

/** Runs step 6; throws a DemoFailure (through `expect`) when a run did not do what it should. */
export async function twoWaySync(demo: SyncDemo): Promise<void> {
	const { sf, hs, clock, credentials } = demo;
	const workflow = loadWorkflow(path.join(demo.workflows, FILE));
	const node = workflow.nodes.find((n) => n.name === SYNC);
	expect(node !== undefined, `${FILE} has no node "${SYNC}"`);
	const parameters = node!.parameters as IDataObject;
	const pairs = ((parameters.fieldMappings as IDataObject).mappings as IDataObject[]).map(
		(m) => [String(m.fieldA), String(m.fieldB)] as const,
	);
	const key = pairs.findIndex(([a]) => a === 'Email');
	const title = pairs.findIndex(([a]) => a === 'Title');
	expect(key >= 0 && title >= 0, `${FILE} should map Email ↔ email and Title ↔ jobtitle`);
	expect(
		parameters.conflictStrategy === 'aUnlessBlank' && parameters.direction === 'both',
		`the demo checks a sync both ways under "A Unless Blank"; ${FILE} has ${cell(parameters.direction)} and "${cell(parameters.conflictStrategy)}"`,
	);
	const folder = mkdtempSync(path.join(tmpdir(), 'crm-sync-demo-'));
	const sqliteFile = path.join(folder, 'crm-connectors-sync.sqlite');
	const run: WorkflowJson = {
		...workflow,
		nodes: workflow.nodes.map((n) =>
			n === node ? { ...n, parameters: { ...parameters, sqliteFile } } : n,
		),
	};

	/** Each side's contacts by (lower-case) e-mail: record ids and the mapped values, in pair order. */
	const snapshot = () => {
		const of = (records: Array<{ id: string; fields: unknown }>, side: Side) => {
			const byEmail = new Map<string, Array<{ id: string; values: Values }>>();
			for (const r of records) {
				const fields = r.fields as Record<string, unknown>;
				const values = pairs.map(([a, b]) => text(fields[side === 'a' ? a : b]));
				const email = (values[key] ?? '').toLowerCase();
				values[key] = email || null;
				byEmail.set(email, [...(byEmail.get(email) ?? []), { id: r.id, values }]);
			}
			return byEmail;
		};
		return {
			a: of(sf.table('Contact').collection.list(), 'a'),
			b: of(hs.collection('contacts').list(), 'b'),
		};
	};
	const edit = (side: Side, email: string, field: string, value: string): void => {
		const id = snapshot()[side].get(email)?.[0]?.id;
		expect(id !== undefined, `no ${NAME[side]} contact ${email} to edit`);
		if (side === 'a') sf.table('Contact').patch(id!, { [field]: value });
		else hs.updateDirect('contacts', id!, { [field]: value });
		say(`${NAME[side]}: ${email} ${field} = "${value}"`, '   - ');
	};

	/** One run: the clocks moved past the lags, the workflow run, its Report printed and cross-checked with the logs. */
	const once = async (label: string) => {
		clock.advance(AHEAD_MS);
		const since = { a: mark(sf), b: mark(hs) };
		const result = await runWorkflow(run, { credentials });
		expect(result.error === undefined, `the sync ${label} failed: ${result.error?.message ?? ''}`);
		const report = result.json(SYNC, 0)[0] as unknown as SyncReport;
		const conflicts = result.json(SYNC, 1);
		const failed = result.json(SYNC, 2);
		const requests = { a: requestsSince(sf, since.a), b: requestsSince(hs, since.b) };
		const writes = {
			a: requests.a.filter((r) => SF_WRITES.test(r.kind ?? '')),
			b: requests.b.filter((r) => HS_WRITES.test(r.kind ?? '')),
		};
		const c = report.counts;
		log(`   ${label}, ${(report.durationMs / 1000).toFixed(1)} s:`);
		for (const line of table(
			['', 'read', 'created', 'updated', 'API calls', 'write requests (request log)'],
			(['a', 'b'] as const).map((s) => [
				NAME[s],
				c.read[s],
				c.created[s],
				c.updated[s],
				report.apiCalls[s],
				byKind(writes[s]) || 'none',
			]),
			'     ',
		))
			log(line);
		say(
			`linked by match ${c.linkedByMatch} · unchanged ${c.unchanged} · ambiguous ${c.ambiguous} · outputs: Conflicts ${plural(conflicts.length, 'item')}, Failed ${plural(failed.length, 'item')}`,
			'     ',
			'       ',
		);
		const after = snapshot();
		const emailOf = new Map(
			(['a', 'b'] as const).flatMap((side) =>
				[...after[side]].flatMap(([email, rows]) =>
					rows.map((r) => [`${side}:${r.id}`, email] as const),
				),
			),
		);
		printPlan(report.plan, (side, id) => emailOf.get(`${side}:${id}`) ?? '?');
		for (const f of failed.slice(0, MAX_PLAN_SHOWN)) say(`failed: ${JSON.stringify(f)}`, '     - ');
		// The Report's API calls are the requests the simulators answered (Salesforce's token request is n8n's).
		const logged = { a: requests.a.filter((r) => r.kind !== 'token').length, b: requests.b.length };
		expect(
			report.apiCalls.a === logged.a && report.apiCalls.b === logged.b,
			`the Report counts ${report.apiCalls.a}/${report.apiCalls.b} API calls, the simulators logged ${logged.a}/${logged.b}`,
		);
		expect(
			c.failed === 0 && failed.length === 0 && c.conflicts === 0 && conflicts.length === 0,
			`the sync ${label}: expected no failures and no conflicts for review, got ${c.failed} and ${c.conflicts}`,
		);
		return { report, writes };
	};

	const expectInSync = (label: string): number => {
		const now = snapshot();
		const emails = new Set([...now.a.keys(), ...now.b.keys()]);
		for (const email of emails) {
			const a = now.a.get(email) ?? [];
			const b = now.b.get(email) ?? [];
			expect(
				a.length === 1 && b.length === 1,
				`after ${label}: ${email || '(no e-mail)'} is held ${a.length}× by Salesforce, ${b.length}× by HubSpot (expected once each)`,
			);
			const differ = pairs.filter((_, i) => a[0].values[i] !== b[0].values[i]);
			expect(
				differ.length === 0,
				`after ${label}: ${email} differs in ${differ.map(([x, y]) => `${x}/${y}`).join(', ')}`,
			);
		}
		return emails.size;
	};

	try {
		log();
		log(
			`6. ${FILE}: Manual Trigger → CRM Sync, Salesforce Contact ↔ HubSpot contacts by e-mail, run 3 times`,
		);
		say(
			`field pairs ${pairs.map(([a, b]) => `${a} ↔ ${b}`).join(', ')}; conflict rule A Unless Blank (Salesforce's value, unless it is blank); state in ${sqliteFile}`,
		);
		say(
			`The node reads each CRM's changes up to its clock minus a safety lag (Salesforce 60 s, HubSpot 30 s): before each run the demo moves the simulators' clocks ${AHEAD_MS / 60_000} minutes ahead instead of waiting.`,
		);

		// ---- run 1: the backfill -------------------------------------------------------------------------
		const before = snapshot();
		const shared = [...before.a.keys()].filter((e) => before.b.has(e));
		const onlyA = [...before.a.keys()].filter((e) => !before.b.has(e)).length;
		const onlyB = [...before.b.keys()].filter((e) => !before.a.has(e)).length;
		const duplicated = [...before.a.values(), ...before.b.values()].filter((r) => r.length > 1);
		expect(
			duplicated.length === 0,
			'a simulator holds an e-mail twice: the run would report it as ambiguous',
		);
		// "A Unless Blank" at first pairing: Salesforce's value goes to HubSpot, unless it is blank.
		const toUpdate = { a: 0, b: 0 };
		for (const email of shared) {
			const [a, b] = [before.a.get(email)![0].values, before.b.get(email)![0].values];
			const differ = pairs.map((_, i) => i).filter((i) => a[i] !== b[i]);
			if (differ.some((i) => a[i] !== null)) toUpdate.b++;
			if (differ.some((i) => a[i] === null)) toUpdate.a++;
		}
		say(
			`before: Salesforce ${before.a.size} contacts, HubSpot ${before.b.size}; ${shared.length} e-mails on both (the contacts of steps 2 and 3), ${onlyA} only in Salesforce and ${onlyB} only in HubSpot (the sandboxes' sample contacts); ${toUpdate.a + toUpdate.b} shared contacts differ in a mapped field (e.g. the Title edited in step 4)`,
		);
		const first = await once('run 1 (first run: a backfill of both sides)');
		const c1 = first.report.counts;
		expect(
			first.report.backfill.a && first.report.backfill.b,
			'run 1 should be the backfill of both sides',
		);
		expect(
			c1.linkedByMatch === shared.length &&
				c1.created.a === onlyB &&
				c1.created.b === onlyA &&
				c1.updated.a === toUpdate.a &&
				c1.updated.b === toUpdate.b,
			`run 1: expected ${shared.length} linked by e-mail, created ${onlyB}/${onlyA} and updated ${toUpdate.a}/${toUpdate.b} (Salesforce/HubSpot), got ${c1.linkedByMatch}, ${c1.created.a}/${c1.created.b} and ${c1.updated.a}/${c1.updated.b}`,
		);
		const total = expectInSync('run 1');
		say(
			`both CRMs now hold the same ${total} contacts, field for field (checked in the simulators' stores); state file ${Math.round(statSync(sqliteFile).size / 1024)} KB`,
		);

		// ---- run 2: edits on both sides, one conflict -------------------------------------------------------
		log();
		log('   edits straight in the simulators (as users would make them in each CRM):');
		const [sfEdit, hsEdit, both] = [
			'margaret@apollo.example',
			'kjohnson@example.net',
			'grace.hopper@navy.mil',
		];
		edit('a', sfEdit, 'Title', 'Director of Software Engineering');
		edit('b', hsEdit, 'jobtitle', 'Research Mathematician');
		edit('a', both, 'Title', 'Rear Admiral');
		edit('b', both, 'jobtitle', 'Computer Scientist');
		say(
			`${both}'s title changed on both sides: a conflict, settled by the rule (Salesforce's "Rear Admiral" is not blank, so it wins)`,
		);
		const second = await once('run 2 (the edits)');
		const c2 = second.report.counts;
		expect(
			c2.created.a + c2.created.b === 0 && c2.updated.a === 1 && c2.updated.b === 2,
			`run 2: expected nothing created, 1 contact updated in Salesforce and 2 in HubSpot, got ${c2.created.a + c2.created.b} created and ${c2.updated.a}/${c2.updated.b} updated`,
		);
		expectInSync('run 2');
		const now = snapshot();
		const titleOf = (email: string) => [
			now.a.get(email)?.[0].values[title],
			now.b.get(email)?.[0].values[title],
		];
		expect(
			titleOf(sfEdit).every((t) => t === 'Director of Software Engineering') &&
				titleOf(hsEdit).every((t) => t === 'Research Mathematician') &&
				titleOf(both).every((t) => t === 'Rear Admiral'),
			`run 2: the titles should be "Director of Software Engineering", "Research Mathematician" and "Rear Admiral" on both sides, are ${[sfEdit, hsEdit, both].map((e) => titleOf(e).join('/')).join(', ')}`,
		);
		say('both edits crossed over; the conflict went to Salesforce\'s "Rear Admiral" on both sides');

		// ---- run 3: nothing changed ----------------------------------------------------------------------
		log();
		const third = await once('run 3 (no edits)');
		const c3 = third.report.counts;
		expect(
			third.writes.a.length === 0 &&
				third.writes.b.length === 0 &&
				c3.created.a + c3.created.b + c3.updated.a + c3.updated.b === 0,
			`run 3: expected no writes, the simulators logged ${third.writes.a.length}/${third.writes.b.length} write requests`,
		);
		say(
			`zero writes: what run 3 read back were run 2's own writes, which match the last-synced values (no echo)`,
		);
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

/** The plan items of a run: counts per action and side, the updates field by field (a few). */
function printPlan(plan: SyncReport['plan'], emailOf: (side: Side, id: string) => string): void {
	if (plan.length === 0) return;
	const kinds = new Map<string, number>();
	const order = ['link', 'create', 'update', 'delete', 'archive', 'conflict'];
	const sorted = [...plan].sort(
		(p, q) =>
			order.indexOf(String(p.action)) - order.indexOf(String(q.action)) ||
			String(p.side).localeCompare(String(q.side)),
	);
	for (const item of sorted) {
		const k = item.side ? `${String(item.action)} in ${NAME[item.side]}` : String(item.action);
		kinds.set(k, (kinds.get(k) ?? 0) + 1);
	}
	say(`plan: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(' · ')}`, '     ', '       ');
	const updates = plan.filter((p) => p.action === 'update');
	for (const u of updates.slice(0, MAX_PLAN_SHOWN)) {
		const changes = (u.changes as Array<{ field: string; from: unknown; to: unknown }>)
			.map((ch) => `${ch.field} "${cell(ch.from)}" → "${cell(ch.to)}"`)
			.join(', ');
		say(
			`update ${NAME[u.side as Side]} ${String(u.id)} (${emailOf(u.side as Side, String(u.id))}): ${changes}`,
			'     - ',
			'       ',
		);
	}
	if (updates.length > MAX_PLAN_SHOWN)
		log(`     - … and ${updates.length - MAX_PLAN_SHOWN} more updates`);
}
