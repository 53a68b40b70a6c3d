/** HubSpot change reads: windows bounded by HubSpot's clock (its Date header) minus the safety lag. */
import { readChanges } from '../../../../core/connectors/hubspot/changes';
import { HubSpotConnector } from '../../../../core/connectors/hubspot/connector';
import { FakeHubSpot } from './fakeHubSpot';

const T = Date.parse('2025-01-01T00:00:00Z');

describe('readChanges', () => {
	const read = async (fake: FakeHubSpot, safetyLagSeconds?: number) => {
		const hub = new HubSpotConnector({
			baseUrl: 'https://api.hubapi.com',
			transport: fake,
			rateLimit: false,
			retry: { sleep: async () => {}, random: () => 0 },
		});
		const ids: string[] = [];
		let cursor = { timestamp: 0, ids: [] as string[] };
		for await (const page of readChanges(
			hub,
			'contacts',
			{ since: T - 60_000, safetyLagSeconds },
			(c) => (cursor = c),
		))
			for (const r of page) ids.push(r.id);
		return { ids, cursor };
	};

	it("ends the window at HubSpot's time minus the lag (30 s by default), whatever the host clock says", async () => {
		const fake = new FakeHubSpot();
		// Changes 40 s, 20 s and 1 s before HubSpot's time (its Date header).
		fake.seed(3, (i) => [T - 40_000, T - 20_000, T - 1_000][i]);
		fake.clock = T;
		const spy = jest.spyOn(Date, 'now').mockImplementation(() => T + 3_600_000);
		try {
			expect((await read(fake)).ids).toHaveLength(1);
			const lag5 = await read(fake, 5);
			expect(lag5.ids).toHaveLength(2);
			expect(lag5.cursor.timestamp).toBe(T - 20_000);
		} finally {
			spy.mockRestore();
		}
		// The clock call comes first, then searches from the cursor (never by offset).
		expect(fake.requests[0]).toMatchObject({ method: 'GET' });
		expect(
			fake.requests.filter((r) => (r.body as { after?: unknown } | undefined)?.after !== undefined),
		).toEqual([]);
	});

	it('fails with the fix when HubSpot sends no Date header', async () => {
		const fake = new FakeHubSpot();
		fake.inject = (req) =>
			req.method === 'GET'
				? {
						status: 200,
						headers: { 'content-type': 'application/json' },
						body: { results: [] },
						url: '',
					}
				: undefined;
		await expect(read(fake)).rejects.toThrow(/HubSpot sent no readable Date header/);
	});
});
