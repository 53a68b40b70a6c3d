/**
 * The legacy Contacts API v1 "create or update by e-mail" on the HubSpot simulator (the call n8n's built-in HubSpot
 * node makes for Contact › Create or Update): creates once, then updates the same record, validates like the v3
 * upsert and counts against the rate limit.
 */
import { useSimulator } from './helpers';

describe('HubSpot simulator: POST /contacts/v1/contact/createOrUpdate/email/{email}', () => {
	const { sim, contract } = useSimulator();

	const post = async (email: string, properties: Array<{ property: string; value: unknown }>) => {
		const res = await fetch(
			`${contract().baseUrl}/contacts/v1/contact/createOrUpdate/email/${encodeURIComponent(email)}`,
			{
				method: 'POST',
				headers: {
					authorization: `Bearer ${contract().accessToken}`,
					'content-type': 'application/json',
				},
				body: JSON.stringify({ properties }),
			},
		);
		return { status: res.status, body: (await res.json()) as Record<string, unknown> };
	};

	it('creates the contact, then updates the same one (isNew false), found by e-mail', async () => {
		const first = await post('ada+1@example.com', [{ property: 'firstname', value: 'Ada' }]);
		expect(first).toEqual({ status: 200, body: { vid: expect.any(Number), isNew: true } });
		const second = await post('ada+1@example.com', [{ property: 'lastname', value: 'Lovelace' }]);
		expect(second.body).toEqual({ vid: first.body.vid, isNew: false });
		const stored = sim
			.collection('contacts')
			.list()
			.filter((r) => r.fields.email === 'ada+1@example.com');
		expect(stored).toHaveLength(1);
		expect(stored[0].fields).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace' });
	});

	it('refuses unknown properties as the v3 API does (400 VALIDATION_ERROR), writing nothing', async () => {
		const before = sim.collection('contacts').count();
		const res = await post('bad@example.com', [{ property: 'no_such_property', value: 'x' }]);
		expect(res.status).toBe(400);
		expect(res.body.category).toBe('VALIDATION_ERROR');
		expect(sim.collection('contacts').count()).toBe(before);
	});

	it('counts against the ten-secondly limit: the call past it is answered 429', async () => {
		sim.setRateLimits({ tenSecondly: 2, oauthTenSecondly: 2, daily: 1000, searchPerSecond: 5 });
		try {
			const statuses = [];
			for (let i = 0; i < 3; i++) statuses.push((await post(`limit${i}@example.com`, [])).status);
			expect(statuses).toEqual([200, 200, 429]);
		} finally {
			sim.setRateLimits(false);
		}
	});
});
