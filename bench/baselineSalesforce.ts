/**
 * Salesforce, side by side: n8n's built-in Salesforce node (`n8n-nodes-base.salesforce` 1.1, OAuth2) and ours
 * (`n8n-nodes-crm-connectors.salesforce` 2, username-password) through n8n's engine, each against a fresh Salesforce
 * simulator with 40 ms latency and the simulator's default limits (15,000 API requests a day).
 *
 * - Contact create: the built-in posts one record per item (`POST /sobjects/contact`); ours uses the node's default
 *   batching: sObject Collections of 200 (Options › Batch Size 200), Bulk API 2.0 off (Use Bulk API From 0 = never).
 * - Reads of the same contacts: the built-in's Contact › Get Many and ours' Record › Get Many, with three fields chosen
 *   and with none (the built-in then reads its 5 default fields, ours every field), the built-in's 5 default fields
 *   against ours asked for the same five (same payload), every field (the built-in asked for each by name, ours with
 *   none chosen), and the same SOQL through both nodes' query operations.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import {
	buildSchema,
	SalesforceSimulator,
	type SalesforceSimContract,
} from '../sandbox/salesforce';
import { nodeTypeName, runWorkflow, type WorkflowJson } from '../test/helpers/engine';
import { loadBaseNodes } from '../test/helpers/n8n-base-nodes';
import { flowAround, lostAndDuplicates, measured, type BenchEntry } from './entry';

const LATENCY_MS = 40;
const NODE = 'Salesforce';
const contactObject = { __rl: true, mode: 'name', value: 'Contact' };

const lastName = (i: number) => `Bench ${i}`;
const names = (records: number) => Array.from({ length: records }, (_, i) => lastName(i));

/** A node of either kind, with its credential. */
function sfNode(builtin: boolean, parameters: IDataObject): Omit<INode, 'id' | 'position'> {
	return builtin
		? {
				name: NODE,
				type: 'n8n-nodes-base.salesforce',
				typeVersion: 1.1,
				parameters: { authentication: 'oAuth2', ...parameters } as INodeParameters,
				credentials: { salesforceOAuth2Api: { id: 'sf-builtin', name: 'Salesforce simulator' } },
				onError: 'continueErrorOutput',
			}
		: {
				name: NODE,
				type: nodeTypeName('salesforce'),
				typeVersion: 2,
				parameters: { authentication: 'password', ...parameters } as INodeParameters,
				credentials: { crmSalesforcePasswordApi: { id: 'sf-ours', name: 'Salesforce simulator' } },
				onError: 'continueErrorOutput',
			};
}

/** Credentials of both kinds pointing at the simulator (the built-in's as n8n stores them after the OAuth2 consent). */
function credentials(c: SalesforceSimContract) {
	return {
		salesforceOAuth2Api: {
			environment: 'production',
			clientId: c.clientId,
			clientSecret: c.clientSecret,
			authUrl: `${c.loginUrl}/services/oauth2/authorize`,
			accessTokenUrl: `${c.loginUrl}/services/oauth2/token`,
			oauthTokenData: {
				access_token: c.accessToken,
				instance_url: c.instanceUrl,
				token_type: 'Bearer',
			},
		},
		crmSalesforcePasswordApi: {
			environment: 'custom',
			customLoginUrl: c.loginUrl,
			clientId: c.clientId,
			clientSecret: c.clientSecret,
			username: c.username,
			password: c.password,
			securityToken: '',
			// A session the credential already holds, as n8n keeps the one its pre-authentication got (both nodes start
			// with a token: neither run pays a login).
			accessToken: c.accessToken,
			instanceUrl: c.instanceUrl,
		},
	};
}

/** Runs one workflow against a fresh simulator prepared by `setUp`; the figures common to every Salesforce entry. */
async function runAgainstSimulator(
	workflow: WorkflowJson,
	setUp: (sim: SalesforceSimulator) => void,
	check: (sim: SalesforceSimulator, written: IDataObject[]) => { lost: number; duplicates: number },
) {
	const sim = new SalesforceSimulator({
		latency: LATENCY_MS,
		bulk: { processingDelayMs: 50, chunkSize: 10_000 },
	});
	const contract = await sim.start();
	try {
		setUp(sim);
		sim.log.reset();
		const {
			result: run,
			seconds,
			peakRssMb,
		} = await measured(
			async () => await runWorkflow(workflow, { credentials: credentials(contract) }),
		);
		if (run.error) throw run.error;
		const ok = run.json(NODE, 0);
		const failed = run.json(NODE, 1).length;
		return {
			seconds,
			peakRssMb,
			ok: ok.length,
			failed,
			apiCalls: sim.log.entries().filter((e) => e.kind !== 'token').length,
			byKind: sim.log.byKind(),
			http429: sim.log.count({ status: 429 }),
			...check(sim, ok),
		};
	} finally {
		await sim.stop();
	}
}

type SimulatorRun = Awaited<ReturnType<typeof runAgainstSimulator>>;

/** The entry of one side of a pair (`job`: "create", "read …"): the built-in's compares to ours. */
function pairEntry(
	job: string,
	builtin: boolean,
	records: number,
	r: SimulatorRun,
	note: string,
): BenchEntry {
	const ours = `salesforce ${job} (ours)`;
	return {
		scenario: builtin ? `salesforce ${job} (n8n built-in)` : ours,
		records,
		seconds: r.seconds,
		recordsPerSecond: r.ok / r.seconds,
		ceilingRecordsPerSecond: null,
		apiCalls: r.apiCalls,
		http429: r.http429,
		peakRssMb: r.peakRssMb,
		lost: r.lost,
		duplicates: r.duplicates,
		baseline: builtin,
		comparesTo: builtin ? ours : null,
		note,
	};
}

const contactsCode = (records: number) =>
	`return Array.from({ length: ${records} }, (_, i) => ({ FirstName: 'Bench', LastName: 'Bench ' + i, Email: 'bench' + i + '@example.com' }));`;

/** Contact create through one node kind: its entry. */
async function create(builtin: boolean, records: number): Promise<BenchEntry> {
	const parameters = builtin
		? {
				resource: 'contact',
				operation: 'create',
				lastname: '={{ $json.LastName }}',
				additionalFields: { firstname: '={{ $json.FirstName }}', email: '={{ $json.Email }}' },
			}
		: {
				resource: 'record',
				operation: 'create',
				object: contactObject,
				fields: { mappingMode: 'autoMapInputData', value: null, schema: [] },
			};
	const r = await runAgainstSimulator(
		flowAround(contactsCode(records), sfNode(builtin, parameters)),
		() => {},
		(sim) =>
			lostAndDuplicates(
				names(records),
				sim
					.table('Contact')
					.collection.list()
					.map((rec) => String(rec.fields.LastName)),
			),
	);
	const note = `${r.ok} created, ${r.failed} on the error output; calls ${JSON.stringify(r.byKind)}`;
	return pairEntry('create', builtin, records, r, note);
}

/** What the built-in's Contact › Get Many reads when no field is chosen (`getDefaultFields` in its GenericFunctions). */
const BUILTIN_CONTACT_DEFAULT_FIELDS = ['Id', 'FirstName', 'LastName', 'Email', 'LastModifiedDate'];

/**
 * Every field a SOQL SELECT can list on the simulator's Contact, in its describe's order: what ours reads when no field
 * is chosen (`selectableFields`: compound address/location and base64 fields left out), for the built-in to ask by name.
 */
const CONTACT_FIELDS = [...buildSchema().values()]
	.find((o) => o.name === 'Contact')!
	.fields.filter((f) => !['address', 'location', 'base64'].includes(f.type))
	.map((f) => f.name);

/** The read variants: label → parameters of the built-in node and of ours. */
const READS: Record<string, { builtin: IDataObject; ours: IDataObject }> = {
	'get many, 3 fields': {
		builtin: {
			resource: 'contact',
			operation: 'getAll',
			returnAll: true,
			options: { fields: ['FirstName', 'LastName', 'Email'] },
		},
		ours: {
			resource: 'record',
			operation: 'getAll',
			object: contactObject,
			returnAll: true,
			fieldNames: ['FirstName', 'LastName', 'Email'],
		},
	},
	'get many, no fields': {
		builtin: { resource: 'contact', operation: 'getAll', returnAll: true, options: {} },
		ours: { resource: 'record', operation: 'getAll', object: contactObject, returnAll: true },
	},
	// The fair counterpart of "no fields": the built-in still reads its five default Contact fields, ours is asked for
	// the same five (the payload the simulator serialises and both nodes parse is then the same).
	'get many, built-in default 5 fields': {
		builtin: { resource: 'contact', operation: 'getAll', returnAll: true, options: {} },
		ours: {
			resource: 'record',
			operation: 'getAll',
			object: contactObject,
			returnAll: true,
			fieldNames: BUILTIN_CONTACT_DEFAULT_FIELDS,
		},
	},
	// The same job as "no fields" for ours (every field of the object): the built-in has no such choice, so it is asked
	// for each field by name; ours is left with none chosen (it describes the object, then reads every field).
	'get many, every field': {
		builtin: {
			resource: 'contact',
			operation: 'getAll',
			returnAll: true,
			options: { fields: CONTACT_FIELDS },
		},
		ours: { resource: 'record', operation: 'getAll', object: contactObject, returnAll: true },
	},
	'SOQL query': {
		builtin: {
			resource: 'search',
			operation: 'query',
			query: 'SELECT Id, FirstName, LastName, Email FROM Contact',
		},
		ours: {
			resource: 'query',
			operation: 'execute',
			query: 'SELECT Id, FirstName, LastName, Email FROM Contact',
			parameters: { parameter: [] },
			returnAll: true,
		},
	},
};

/** One read of `records` seeded contacts through one node kind: its entry. */
async function read(label: string, builtin: boolean, records: number): Promise<BenchEntry> {
	const variant = READS[label];
	const r = await runAgainstSimulator(
		flowAround('return [{}];', sfNode(builtin, builtin ? variant.builtin : variant.ours)),
		(sim) => {
			const contacts = sim.table('Contact');
			for (let i = 0; i < records; i++)
				contacts.insert({
					FirstName: 'Bench',
					LastName: lastName(i),
					Email: `bench${i}@example.com`,
				});
		},
		(_sim, rows) =>
			lostAndDuplicates(
				names(records),
				rows.map((row) => String(row.LastName)),
			),
	);
	return pairEntry(
		label,
		builtin,
		records,
		r,
		`${r.ok} rows read; calls ${JSON.stringify(r.byKind)}`,
	);
}

/** The run with the median time of `runs` (reads take under a second: one run is mostly noise). */
function median(runs: BenchEntry[]): BenchEntry {
	const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
	const mid = sorted[Math.floor((sorted.length - 1) / 2)];
	if (runs.length > 1)
		mid.note += `; median of ${runs.length} runs (${sorted.map((r) => r.seconds.toFixed(2)).join(', ')} s)`;
	return mid;
}

/**
 * `repeats` runs of each node on one read, alternating built-in and ours (so a burst of load from elsewhere on the
 * machine falls on both sides alike): the median run of each, built-in first.
 */
async function medianReads(label: string, records: number, repeats: number): Promise<BenchEntry[]> {
	const builtin: BenchEntry[] = [];
	const ours: BenchEntry[] = [];
	for (let i = 0; i < repeats; i++) {
		builtin.push(await read(label, true, records));
		ours.push(await read(label, false, records));
	}
	return [median(builtin), median(ours)];
}

/** Salesforce create and reads, built-in then ours for each, at the given sizes. */
export async function runSalesforceBaseline(sizes: {
	create: number;
	builtinCreate: number;
	read: number;
	readRepeats: number;
}): Promise<BenchEntry[]> {
	await loadBaseNodes();
	const entries = [await create(true, sizes.builtinCreate), await create(false, sizes.create)];
	for (const label of Object.keys(READS))
		entries.push(...(await medianReads(label, sizes.read, sizes.readRepeats)));
	return entries;
}
