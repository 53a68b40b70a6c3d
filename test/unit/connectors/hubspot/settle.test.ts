/**
 * Settling a lost batch create (core/connectors/hubspot/settle.ts), no network: by unique value, telling a record our
 * request created from one that existed before it by HubSpot's own time (Date header minus the elapsed duration), and
 * the OAuth2 token-renewal failures the node turns into "reconnect" / "never sent".
 */
import { recordIdProblem } from '../../../../core/connectors/hubspot/connector';
import { settleLostCreates } from '../../../../core/connectors/hubspot/settle';
import type { HubSpotObject } from '../../../../core/connectors/hubspot/types';

const record = (id: string, email: string, createdAt: string): HubSpotObject => ({
	id,
	properties: { email },
	createdAt,
});

describe('settleLostCreates', () => {
	it('reports found records as written, an older one as pre-existing, missing ones as not written, keyless ones as unknown', async () => {
		const reads: Array<{ property: string; values: string[] }> = [];
		const serverDate = Date.parse('2026-01-01T12:00:10.000Z');
		const settled = await settleLostCreates(
			[
				{ email: 'New@Example.com' },
				{ email: 'old@example.com' },
				{ email: 'gone@example.com' },
				{ firstname: 'no key' },
				{ email: 'new@example.com' },
			],
			{
				uniqueProperties: ['email'],
				elapsedSinceSendMs: () => 4000,
				read: async (property, values) => {
					reads.push({ property, values });
					// HubSpot stores e-mails lower-cased; "old" was created 30 s before the request was sent.
					return {
						records: [
							record('11', 'new@example.com', '2026-01-01T12:00:08.500Z'),
							record('7', 'old@example.com', '2026-01-01T11:59:40.000Z'),
						],
						serverDateMs: serverDate,
					};
				},
			},
		);
		expect(reads).toEqual([
			{
				property: 'email',
				values: ['New@Example.com', 'old@example.com', 'gone@example.com', 'new@example.com'],
			},
		]);
		expect(settled.map((s) => s.state)).toEqual([
			'written',
			'preexisting',
			'notWritten',
			'unknown',
			'unknown',
		]);
		expect(settled[0]).toMatchObject({ record: { id: '11' } });
		expect(settled[1]).toMatchObject({ record: { id: '7' }, property: 'email' });
	});

	it('a record created within the elapsed window counts as ours; a failed look-up leaves the outcome unknown', async () => {
		const ours = await settleLostCreates([{ email: 'a@x.io' }], {
			uniqueProperties: ['email'],
			elapsedSinceSendMs: () => 2000,
			read: async () => ({
				records: [record('1', 'a@x.io', '2026-01-01T12:00:08.100Z')],
				serverDateMs: Date.parse('2026-01-01T12:00:10Z'),
			}),
		});
		expect(ours[0].state).toBe('written');
		const failed = await settleLostCreates([{ email: 'a@x.io' }], {
			uniqueProperties: ['email'],
			elapsedSinceSendMs: () => 0,
			read: async () => {
				throw new Error('ECONNRESET');
			},
		});
		expect(failed[0]).toMatchObject({
			state: 'unknown',
			reason: expect.stringMatching(/ECONNRESET/),
		});
	});
});

describe('record ids going into URL paths', () => {
	it('accepts numeric ids and unique-property values, refuses the rest', () => {
		expect(recordIdProblem('51')).toBeUndefined();
		expect(recordIdProblem('..')).toMatch(/not a HubSpot record ID/);
		expect(recordIdProblem('12/../34')).toMatch(/not a HubSpot record ID/);
		expect(recordIdProblem('')).toMatch(/empty/);
		expect(recordIdProblem('a/b@x.io', 'email')).toBeUndefined();
		expect(recordIdProblem('..', 'email')).toMatch(/not a valid email/);
	});
});
