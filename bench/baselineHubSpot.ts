/**
 * HubSpot, side by side: contacts upserted by e-mail through n8n's engine by n8n's built-in HubSpot node
 * (`n8n-nodes-base.hubspot` 2.2, Contact › Create or Update, app token) and by ours (`n8n-nodes-crm-connectors.hubSpot`,
 * Record › Upsert on `email`, private-app token), each against a fresh HubSpot simulator at HubSpot's 190 requests per
 * rolling 10 s with 40 ms latency.
 *
 * The built-in calls the legacy `POST /contacts/v1/contact/createOrUpdate/email/{email}` once per item (its "Resolve
 * Data" option is set, which spares the second call per item — `GET …/profile` — it makes by default: the fastest the
 * built-in can be configured), at `https://api.hubapi.com` whatever the credential says, routed to the simulator here.
 * It neither waits for nor retries a 429: a refused item goes to the error output and its record is not written
 * (counted as lost). Ours writes `batch/upsert` calls of 100 within its rate budget.
 */
import type { INode, INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../core/http/rateLimiter';
import { HubSpotSimulator } from '../sandbox';
import { nodeTypeName, runWorkflow } from '../test/helpers/engine';
import { loadBaseNodes, routeHost } from '../test/helpers/n8n-base-nodes';
import { flowAround, lostAndDuplicates, measured, type BenchEntry } from './entry';

const LATENCY_MS = 40;
const TEN_SECONDLY = 190;
const NODE = 'HubSpot';
const HUBSPOT_API = 'https://api.hubapi.com';

const email = (i: number) => `bench${i}@example.com`;

function hubspotNode(builtin: boolean): Omit<INode, 'id' | 'position'> {
	return builtin
		? {
				name: NODE,
				type: 'n8n-nodes-base.hubspot',
				typeVersion: 2.2,
				parameters: {
					authentication: 'appToken',
					resource: 'contact',
					operation: 'upsert',
					email: '={{ $json.email }}',
					additionalFields: {
						firstName: '={{ $json.firstname }}',
						lastName: '={{ $json.lastname }}',
					},
					options: { resolveData: true },
				} as INodeParameters,
				credentials: { hubspotAppToken: { id: 'hubspot-builtin', name: 'HubSpot simulator' } },
				onError: 'continueErrorOutput',
			}
		: {
				name: NODE,
				type: nodeTypeName('hubSpot'),
				typeVersion: 1,
				parameters: {
					authentication: 'privateApp',
					resource: 'record',
					operation: 'upsert',
					objectType: 'contacts',
					fields: {
						mappingMode: 'autoMapInputData',
						value: {},
						matchingColumns: ['email'],
						schema: [],
					},
				} as unknown as INodeParameters,
				credentials: { crmHubSpotPrivateAppApi: { id: 'hubspot-ours', name: 'HubSpot simulator' } },
				onError: 'continueErrorOutput',
			};
}

/** Contact upserts through one node kind: its entry. */
async function upsert(builtin: boolean, records: number): Promise<BenchEntry> {
	const sim = new HubSpotSimulator({
		rateLimits: { tenSecondly: TEN_SECONDLY },
		latency: LATENCY_MS,
	});
	const contract = await sim.start();
	clearRateBudgets();
	const unroute = routeHost(HUBSPOT_API, contract.baseUrl);
	try {
		const jsCode = `return Array.from({ length: ${records} }, (_, i) => ({ email: 'bench' + i + '@example.com', firstname: 'Bench', lastname: String(i) }));`;
		const {
			result: run,
			seconds,
			peakRssMb,
		} = await measured(
			async () =>
				await runWorkflow(flowAround(jsCode, hubspotNode(builtin)), {
					credentials: {
						hubspotAppToken: { appToken: contract.accessToken },
						crmHubSpotPrivateAppApi: {
							accessToken: contract.accessToken,
							baseUrl: contract.baseUrl,
							requestsPer10Seconds: TEN_SECONDLY,
						},
					},
				}),
		);
		if (run.error) throw run.error;
		const ok = run.json(NODE, 0).length;
		const failed = run.json(NODE, 1).length;
		const { lost, duplicates } = lostAndDuplicates(
			Array.from({ length: records }, (_, i) => email(i)),
			sim
				.collection('contacts')
				.list()
				.map((r) => String(r.fields.email)),
		);
		const recordsPerRequest = builtin ? 1 : 100;
		const ours = 'hubspot upsert (ours)';
		return {
			scenario: builtin ? 'hubspot upsert (n8n built-in)' : ours,
			records,
			seconds,
			recordsPerSecond: ok / seconds,
			ceilingRecordsPerSecond: (TEN_SECONDLY / 10) * recordsPerRequest,
			apiCalls: sim.log.entries().length,
			http429: sim.log.count({ status: 429 }),
			peakRssMb,
			lost,
			duplicates,
			baseline: builtin,
			comparesTo: builtin ? ours : null,
			note: `${ok} upserted, ${failed} on the error output; calls ${JSON.stringify(sim.log.byKind())}`,
		};
	} finally {
		unroute();
		clearRateBudgets();
		await sim.stop();
	}
}

/** HubSpot upserts, built-in then ours. */
export async function runHubSpotBaseline(sizes: {
	ours: number;
	builtin: number;
}): Promise<BenchEntry[]> {
	await loadBaseNodes();
	return [await upsert(true, sizes.builtin), await upsert(false, sizes.ours)];
}
