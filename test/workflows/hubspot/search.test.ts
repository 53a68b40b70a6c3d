/**
 * HubSpot search through n8n's engine against the simulator: Return All gives every one of 25,000 matches although
 * HubSpot answers no search past 10,000 results (the range is split on hs_object_id).
 */
import path from 'node:path';

import { HubSpotConnector } from '../../../core/connectors/hubspot/connector';
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { HubSpotSimulator, type HubSpotContract } from '../../../sandbox';
import { runWorkflow } from '../../helpers/engine';

const FIXTURE = path.join(__dirname, 'fixtures', 'hubspot.searchAll.json');
// HubSpot's 10-second limit; search raised from 5 to 50 per second so the test takes seconds, not half a minute.
const sim = new HubSpotSimulator({ rateLimits: { tenSecondly: 190, searchPerSecond: 50 } });
let contract: HubSpotContract;

beforeAll(async () => {
	contract = await sim.start();
	sim.seed({ contacts: 25_000 });
	// 150 contacts that do not match (another lifecycle stage).
	const hub = new HubSpotConnector({
		baseUrl: contract.baseUrl,
		accessToken: contract.accessToken,
		rateLimit: false,
	});
	const { results } = await hub.batchCreate(
		'contacts',
		Array.from({ length: 150 }, (_, i) => ({
			properties: { email: `other${i}@example.com`, lifecyclestage: 'other' },
		})),
	);
	expect(results.every((r) => r.ok)).toBe(true);
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});

it('returns all 25,000 matching contacts, each once', async () => {
	sim.log.reset();
	const t0 = performance.now();
	const run = await runWorkflow(FIXTURE, {
		credentials: {
			crmHubSpotPrivateAppApi: {
				accessToken: contract.accessToken,
				baseUrl: contract.baseUrl,
				requestsPer10Seconds: 190,
				searchRequestsPerSecond: 50,
			},
		},
	});
	const seconds = (performance.now() - t0) / 1000;
	expect(run.error).toBeUndefined();
	const found = run.json('HubSpot CRM');
	expect(found).toHaveLength(25_000);
	const ids = found.map((r) => String(r.id));
	expect(new Set(ids).size).toBe(25_000);
	expect(
		found.every((r) =>
			['lead', 'customer', 'subscriber'].includes(
				String((r.properties as Record<string, unknown>).lifecyclestage),
			),
		),
	).toBe(true);
	const searches = sim.log.count({ kind: 'search' });
	expect(sim.log.count({ kind: 'search', status: 400 })).toBe(0);
	expect(searches).toBeLessThanOrEqual(Math.ceil(25_000 / 200) + 3);
	console.log(
		`HubSpot search matching 25,000 contacts: ${searches} search calls (200 per page, split on hs_object_id), ${seconds.toFixed(2)} s`,
	);
});
