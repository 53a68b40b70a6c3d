/**
 * The record workflows of the e2e tier, against the shared Salesforce and HubSpot sandboxes (real clock, sample
 * data):
 * - Field Mapper maps the valid rows and routes the invalid one to its error output;
 * - Salesforce Record → Create writes N contacts in ≤ ceil(N/200) sObject Collections calls;
 * - HubSpot Record → Upsert by e-mail, run twice: the second run updates, no duplicates.
 * Each `check…` function runs its workflow through `execute(workflow, label)` and checks n8n's outputs and what
 * the sandbox stored and was asked.
 */
const { check, log, outputOf, seconds } = require('./util');
const { PREFIX, workflow, salesforceCredential, hubspotCredential } = require('./workflow');

/** Workload sizes. */
const SALESFORCE_CONTACTS = 450;
const SALESFORCE_BATCH = 200;
const HUBSPOT_CONTACTS = 30;

/** The credentials of these workflows, pointing at the shared sandboxes. */
function recordCredentials({ salesforce, hubspot }) {
	return [
		salesforceCredential('crmE2eSfPassword', 'Salesforce sandbox (e2e)', salesforce),
		hubspotCredential('crmE2eHsPrivApp', 'HubSpot sandbox (e2e)', hubspot),
	];
}

const SIGNUPS = [
	{
		first: ' ada ',
		email: ' Ada.Lovelace@Example.ORG ',
		country: 'United Kingdom',
		spent: '1.234,50',
	},
	{ first: 'alan', email: 'alan.turing@example.org', country: 'uk', spent: '980' },
	{ first: 'edsger', email: 'edsger.dijkstra(at)tue.nl', country: 'Netherlands', spent: '75,00' },
	{ first: 'KATHERINE', email: 'KJohnson@Example.NET', country: 'USA', spent: '12.000,00' },
	{ first: 'radia', email: 'radia@stp.example', country: 'United States', spent: '0,99' },
];
const EXPECTED_MAPPED = [
	{
		email: 'ada.lovelace@example.org',
		first_name: 'Ada',
		country: 'GB',
		lifetime_value: 1234.5,
		lifecycle_stage: 'lead',
	},
	{
		email: 'alan.turing@example.org',
		first_name: 'Alan',
		country: 'GB',
		lifetime_value: 980,
		lifecycle_stage: 'lead',
	},
	{
		email: 'kjohnson@example.net',
		first_name: 'Katherine',
		country: 'US',
		lifetime_value: 12000,
		lifecycle_stage: 'lead',
	},
	{
		email: 'radia@stp.example',
		first_name: 'Radia',
		country: 'US',
		lifetime_value: 0.99,
		lifecycle_stage: 'lead',
	},
];

function fieldMapperWorkflow() {
	const steps = (...types) => ({ steps: types.map((type) => ({ type })) });
	const lookup = {
		United_Kingdom: 'GB',
		UK: 'GB',
		'United States': 'US',
		USA: 'US',
		Netherlands: 'NL',
	};
	return workflow(
		'crmE2eFieldMapper',
		'e2e: Field Mapper',
		SIGNUPS,
		{
			name: 'Field Mapper',
			type: `${PREFIX}.fieldMapper`,
			typeVersion: 1,
			parameters: {
				mappings: {
					rules: [
						{
							target: 'email',
							source: 'email',
							transforms: steps('trim', 'lowercase'),
							type: 'email',
							required: true,
						},
						{
							target: 'first_name',
							source: 'first',
							transforms: steps('trim', 'titlecase'),
							type: 'string',
						},
						{
							target: 'country',
							source: 'country',
							transforms: {
								steps: [
									{ type: 'trim' },
									{
										type: 'lookup',
										table: {
											pairs: Object.entries(lookup).map(([from, to]) => ({
												from: from.replace('_', ' '),
												to,
											})),
										},
										caseInsensitive: true,
										notFound: 'error',
									},
								],
							},
							type: 'string',
						},
						{
							target: 'lifetime_value',
							source: 'spent',
							transforms: { steps: [{ type: 'toNumber', decimalSeparator: ',' }] },
							type: 'number',
							checks: { min: 0 },
						},
						{ target: 'lifecycle_stage', valueFrom: 'constant', constant: 'lead' },
					],
				},
				options: {},
			},
		},
		['Contacts', 'Rejected'],
	);
}

const sfContacts = Array.from({ length: SALESFORCE_CONTACTS }, (_, i) => {
	const n = String(i + 1).padStart(4, '0');
	return {
		first_name: `E2e${n}`,
		last_name: `Contact ${n}`,
		email: `e2e.contact.${n}@crm-e2e.example`,
	};
});

function salesforceWorkflow() {
	return workflow(
		'crmE2eSalesforce',
		'e2e: Salesforce create contacts',
		sfContacts,
		{
			name: 'Create Contacts',
			type: `${PREFIX}.salesforce`,
			typeVersion: 1,
			parameters: {
				authentication: 'password',
				resource: 'record',
				operation: 'create',
				object: { __rl: true, mode: 'name', value: 'Contact' },
				fields: {
					mappingMode: 'defineBelow',
					value: {
						FirstName: '={{ $json.first_name }}',
						LastName: '={{ $json.last_name }}',
						Email: '={{ $json.email }}',
						LeadSource: 'Web',
					},
					matchingColumns: [],
					schema: [],
				},
				options: { batchSize: SALESFORCE_BATCH },
			},
			credentials: {
				crmSalesforcePasswordApi: { id: 'crmE2eSfPassword', name: 'Salesforce sandbox (e2e)' },
			},
		},
		['Created', 'Rejected'],
	);
}

const hsContacts = Array.from({ length: HUBSPOT_CONTACTS }, (_, i) => {
	const n = String(i + 1).padStart(3, '0');
	return { email: `E2E.Upsert.${n}@crm-e2e.example`, first_name: `Upsert${n}`, last_name: 'E2e' };
});

function hubspotWorkflow() {
	return workflow(
		'crmE2eHubSpotUp',
		'e2e: HubSpot upsert contacts by e-mail',
		hsContacts,
		{
			name: 'Upsert Contacts',
			type: `${PREFIX}.hubSpot`,
			typeVersion: 1,
			parameters: {
				authentication: 'privateApp',
				resource: 'record',
				operation: 'upsert',
				objectType: 'contacts',
				fields: {
					mappingMode: 'defineBelow',
					// The last name carries the execution id, so the second run visibly updates the records the first created.
					value: {
						email: '={{ $json.email }}',
						firstname: '={{ $json.first_name }}',
						lastname: '={{ $json.last_name }} #{{ $execution.id }}',
					},
					matchingColumns: ['email'],
					schema: [],
				},
			},
			credentials: {
				crmHubSpotPrivateAppApi: { id: 'crmE2eHsPrivApp', name: 'HubSpot sandbox (e2e)' },
			},
		},
		['Upserted', 'Rejected'],
	);
}

const recordWorkflows = () => ({
	fieldMapper: fieldMapperWorkflow(),
	salesforce: salesforceWorkflow(),
	hubspot: hubspotWorkflow(),
});

/** Field Mapper: 5 raw sign-ups, one with an invalid e-mail. */
async function checkFieldMapper(execute, wf) {
	log('4. Field Mapper: 5 raw sign-ups, one with an invalid e-mail');
	const mapped = await execute(wf, 'Field Mapper');
	const contacts = outputOf(mapped.data, 'Field Mapper', 0);
	const rejected = outputOf(mapped.data, 'Field Mapper', 1);
	log(
		`   ${contacts.length} mapped, ${rejected.length} on the error output: ${rejected.map((r) => r.error).join(' | ')} (${seconds(mapped.ms)})`,
	);
	check(
		JSON.stringify(contacts) === JSON.stringify(EXPECTED_MAPPED),
		`mapped contacts differ:\n  got      ${JSON.stringify(contacts)}\n  expected ${JSON.stringify(EXPECTED_MAPPED)}`,
	);
	check(
		rejected.length === 1 && /email/i.test(String(rejected[0].error)),
		`expected one error item about the e-mail, got ${JSON.stringify(rejected)}`,
	);
	check(
		outputOf(mapped.data, 'Rejected').length === 1 &&
			outputOf(mapped.data, 'Contacts').length === EXPECTED_MAPPED.length,
		'the NoOp nodes after the Field Mapper did not receive its outputs',
	);
}

/** Salesforce Record → Create: N contacts in at most ceil(N/batch) sObject Collections calls. */
async function checkSalesforceCreate(execute, wf, sf) {
	const maxCalls = Math.ceil(SALESFORCE_CONTACTS / SALESFORCE_BATCH);
	log(
		`5. Salesforce Record → Create: ${SALESFORCE_CONTACTS} contacts (batch ${SALESFORCE_BATCH}: at most ${maxCalls} collection calls)`,
	);
	const table = sf.table('Contact');
	const before = table.collection.count();
	const sfMark = sf.log.last()?.seq ?? 0;
	const created = await execute(wf, 'Salesforce create');
	const sfRequests = sf.log.entries().filter((e) => e.seq > sfMark);
	const collectionCalls = sfRequests.filter((e) => e.kind === 'collections.create');
	const createdItems = outputOf(created.data, 'Create Contacts', 0);
	const sfRejected = outputOf(created.data, 'Create Contacts', 1);
	const stored = new Map(
		table.collection.list().map((r) => [String(r.fields.Email ?? '').toLowerCase(), r]),
	);
	const missing = sfContacts.filter((c) => !stored.has(c.email));
	log(
		`   ${createdItems.length} created, ${sfRejected.length} rejected; sandbox contacts ${before} → ${table.collection.count()}; ` +
			`${collectionCalls.length} collections.create calls, ${sfRequests.length} requests in all (${seconds(created.ms)})`,
	);
	check(
		sfRejected.length === 0,
		`Salesforce rejected ${sfRejected.length} contacts: ${JSON.stringify(sfRejected[0])}`,
	);
	check(
		createdItems.length === SALESFORCE_CONTACTS,
		`expected ${SALESFORCE_CONTACTS} output items, got ${createdItems.length}`,
	);
	check(
		table.collection.count() === before + SALESFORCE_CONTACTS,
		`the sandbox holds ${table.collection.count() - before} new contacts, expected ${SALESFORCE_CONTACTS}`,
	);
	check(
		missing.length === 0,
		`${missing.length} contacts are not in the sandbox, e.g. ${missing[0]?.email}`,
	);
	check(
		collectionCalls.length >= 1 && collectionCalls.length <= maxCalls,
		`expected 1…${maxCalls} collections.create calls, got ${collectionCalls.length}`,
	);
	check(
		collectionCalls.every((e) => e.status === 200),
		'a collections.create call did not answer 200',
	);
	const ids = new Set(createdItems.map((item) => item.id));
	check(
		ids.size === SALESFORCE_CONTACTS &&
			[...ids].every(
				(id) => stored.get(sfContacts[createdItems.findIndex((c) => c.id === id)].email)?.id === id,
			),
		'the output ids do not match the stored records',
	);
}

/** HubSpot Record → Upsert by e-mail, run twice: the second run updates the same records, no duplicates. */
async function checkHubSpotUpsert(execute, wf, hs) {
	log(`6. HubSpot Record → Upsert by e-mail: ${HUBSPOT_CONTACTS} contacts, run twice`);
	const hsStore = hs.collection('contacts');
	const emailsOf = () => hsStore.list().map((r) => String(r.fields.email ?? '').toLowerCase());
	const hsBefore = hsStore.list().length;
	const runs = [];
	for (const pass of [1, 2]) {
		const hsMark = hs.log.last()?.seq ?? 0;
		const result = await execute(wf, `HubSpot upsert #${pass}`);
		const requests = hs.log.entries().filter((e) => e.seq > hsMark);
		const upserted = outputOf(result.data, 'Upsert Contacts', 0);
		const hsRejected = outputOf(result.data, 'Upsert Contacts', 1);
		const ours = hsContacts.map((c) =>
			hsStore
				.list()
				.find((r) => String(r.fields.email ?? '').toLowerCase() === c.email.toLowerCase()),
		);
		check(ours.every(Boolean), `run ${pass}: a contact is missing from the HubSpot sandbox`);
		const lastnames = new Set(ours.map((r) => r.fields.lastname));
		check(
			lastnames.size === 1 && /^E2e #\d+$/.test([...lastnames][0]),
			`run ${pass}: expected one "E2e #<execution id>" last name on every contact, got ${[...lastnames].join(', ')}`,
		);
		runs.push({
			upserted,
			count: hsStore.list().length,
			requests,
			lastname: [...lastnames][0],
			versions: ours.map((r) => r.version),
		});
		log(
			`   run ${pass}: ${upserted.length} upserted, ${hsRejected.length} rejected; sandbox contacts ${hsStore.list().length}; ` +
				`last name "${runs[pass - 1].lastname}"; requests ${requests
					.map((e) => e.kind)
					.filter((k, i, all) => all.indexOf(k) === i)
					.map((k) => `${k} ${requests.filter((e) => e.kind === k).length}`)
					.join(' · ')} (${seconds(result.ms)})`,
		);
		check(
			hsRejected.length === 0,
			`HubSpot rejected ${hsRejected.length} contacts on run ${pass}: ${JSON.stringify(hsRejected[0])}`,
		);
		check(
			upserted.length === HUBSPOT_CONTACTS,
			`run ${pass}: expected ${HUBSPOT_CONTACTS} output items, got ${upserted.length}`,
		);
	}
	check(
		runs[0].count === hsBefore + HUBSPOT_CONTACTS,
		`the first run should add ${HUBSPOT_CONTACTS} contacts: ${hsBefore} → ${runs[0].count}`,
	);
	check(
		runs[1].count === runs[0].count,
		`the second run created duplicates: ${runs[0].count} → ${runs[1].count}`,
	);
	check(
		runs[1].lastname !== runs[0].lastname,
		`the second run did not update the contacts (last name still "${runs[0].lastname}")`,
	);
	check(
		runs[1].versions.every((v, i) => v > runs[0].versions[i]),
		'the second run left some contacts unchanged',
	);
	const emails = emailsOf();
	for (const c of hsContacts) {
		const n = emails.filter((e) => e === c.email.toLowerCase()).length;
		check(n === 1, `${c.email} is stored ${n} times in the HubSpot sandbox`);
	}
	const idsOf = (r) =>
		r.upserted
			.map((item) => String(item.id))
			.sort()
			.join(',');
	check(
		idsOf(runs[0]) === idsOf(runs[1]),
		'the second run returned other record ids than the first',
	);
}

module.exports = {
	recordCredentials,
	recordWorkflows,
	checkFieldMapper,
	checkSalesforceCreate,
	checkHubSpotUpsert,
};
