/**
 * Record › Get Changes through n8n's engine against the Dataverse simulator's change tracking: a first read (no
 * token) returns every row and a token; the next read returns only what changed since — updates, creates and
 * deletions — with a new token; nothing changed → one "none" item carrying the token; an expired token fails with
 * the fix, or is read again in full under "Full Read"; a bad token fails its item alone.
 */
import type { INodeParameters } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { run } from './helpers';

const sim = new DynamicsSimulator({ seed: 31 });
let c: DynamicsSimContract;

beforeAll(async () => {
	c = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	clearRateBudgets();
});

const changes = (options: INodeParameters = { select: ['lastname'] }): INodeParameters => ({
	resource: 'record',
	operation: 'getChanges',
	table: 'contacts',
	deltaToken: '={{ $json.token }}',
	options,
});

it('first read, then only the changes (deletions included) with an advancing token', async () => {
	const ids = ['A', 'B', 'C', 'D'].map(
		(n) => sim.createDirect('contact', { lastname: n, emailaddress1: `${n}@example.com` }).id,
	);
	const first = await run(c, [{ token: '' }], changes());
	expect(first.failed).toEqual([]);
	expect(first.ok).toHaveLength(4);
	const token1 = String(first.ok[0].deltaToken);
	expect(token1).toMatch(/^\d+!/);
	for (const item of first.ok)
		expect(item).toMatchObject({
			changeType: 'new_or_updated',
			fullRead: true,
			deltaToken: token1,
		});
	expect(first.ok.map((r) => r.id).sort()).toEqual([...ids].sort());
	expect(first.ok[0]).toHaveProperty('lastname');
	expect(first.ok[0]).not.toHaveProperty('emailaddress1');

	sim.updateDirect('contact', ids[1], { lastname: 'B2' });
	const e = sim.createDirect('contact', { lastname: 'E' }).id;
	sim.deleteDirect('contact', ids[2]);

	const second = await run(c, [{ token: token1 }], changes());
	expect(second.failed).toEqual([]);
	const token2 = String(second.ok[0].deltaToken);
	expect(token2).not.toBe(token1);
	expect(Number(token2.split('!')[0])).toBeGreaterThan(Number(token1.split('!')[0]));
	expect(second.ok).toEqual([
		expect.objectContaining({
			changeType: 'new_or_updated',
			id: ids[1],
			lastname: 'B2',
			fullRead: false,
		}),
		expect.objectContaining({ changeType: 'new_or_updated', id: e, lastname: 'E' }),
		{ changeType: 'deleted', id: ids[2], deltaToken: token2, fullRead: false },
	]);

	// Nothing changed: one item, so the token still reaches the next node.
	const third = await run(c, [{ token: token2 }], changes());
	expect(third.ok).toEqual([
		{ changeType: 'none', deltaToken: expect.stringMatching(/^\d+!/), fullRead: false },
	]);
});

it('an expired token fails with the fix, or is read again in full; a bad token fails its item alone', async () => {
	const a = sim.createDirect('contact', { lastname: 'A' }).id;
	const first = await run(c, [{ token: '' }], changes());
	const token = String(first.ok[0].deltaToken);
	sim.createDirect('contact', { lastname: 'B' });
	// Dataverse forgets the changes before now (as after ExpireChangeTrackingInDays).
	sim.changes.clear();

	const expired = await run(c, [{ token: 'garbage' }, { token }], changes());
	expect(expired.ok).toEqual([]);
	expect(expired.failedItems).toEqual([0, 1]);
	expect(String(expired.failed[0].error)).toMatch(/The \$deltatoken 'garbage' is not valid/);
	expect(expired.failed[1]).toMatchObject({
		error: expect.stringMatching(
			/delta token of contacts can no longer be used \(Version stamp associated with the client has expired/,
		),
		details: expect.objectContaining({
			code: 'WATERMARK_EXPIRED',
			hint: expect.stringMatching(/Clear the delta token/),
		}),
	});

	const resync = await run(c, [{ token }], changes({ onExpired: 'fullRead' }));
	expect(resync.failed).toEqual([]);
	expect(resync.ok).toHaveLength(2);
	expect(resync.ok.every((r) => r.fullRead === true && r.changeType === 'new_or_updated')).toBe(
		true,
	);
	expect(resync.ok.map((r) => r.id)).toContain(a);
	expect(resync.ok[0].deltaToken).not.toBe(token);
});
