/**
 * `DynamicsCrm.relate` and `DynamicsCrm.execute` under faults, against the Dataverse simulator: links answered 429
 * inside a `$batch` are sent again after `Retry-After` and made once; a lost answer of a batch that adds links (POST,
 * not harmless to repeat) is `OUTCOME_UNKNOWN`; a lost answer of a batch of functions is resent and answered.
 */
import { BATCH_CODES } from '../../../core/batching/types';
import { startDvWorld, type DvWorld } from './helpers';

describe('DynamicsCrm.relate / execute under faults', () => {
	let w: DvWorld;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 41 });
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => w.sim.reset());

	const leads = (n: number) =>
		Array.from({ length: n }, (_, i) => w.sim.createDirect('lead', { lastname: `L${i}` }).id);

	it('links answered 429 inside a batch are sent again after Retry-After; each made once', async () => {
		const slept: number[] = [];
		const crm = w.crm({ writeOptions: { sleep: async (ms) => void slept.push(ms) } });
		const account = w.sim.createDirect('account', { name: 'A' }).id;
		const ids = leads(12);
		const related = await crm.describe('leads');
		w.sim.faults.add({
			type: 'rateLimit',
			retryAfterSeconds: 3,
			count: 5,
			match: { kinds: ['records.associate'] },
		});
		const res = await crm.relate(
			'associate',
			'accounts',
			ids.map((relatedId) => ({
				id: account,
				relationship: 'accountleads_association',
				related,
				relatedId,
			})),
		);
		expect(res.map((r) => r.ok)).toEqual(Array(12).fill(true));
		expect(w.sim.associations.linked('accountleads_association', account).sort()).toEqual(
			[...ids].sort(),
		);
		expect(w.sim.log.entries({ kind: 'records.associate', status: 429 })).toHaveLength(5);
		expect(w.sim.log.entries({ kind: 'batch' })).toHaveLength(2);
		expect(slept).toEqual([3000]);
	});

	it('a lost answer of a batch adding links is OUTCOME_UNKNOWN (it was applied), not resent', async () => {
		const crm = w.crm();
		const account = w.sim.createDirect('account', { name: 'A' }).id;
		const ids = leads(3);
		const related = await crm.describe('leads');
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['batch'] } });
		const res = await crm.relate(
			'associate',
			'accounts',
			ids.map((relatedId) => ({
				id: account,
				relationship: 'accountleads_association',
				related,
				relatedId,
			})),
		);
		expect(res.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(
			Array(3).fill(BATCH_CODES.outcomeUnknown),
		);
		expect(w.sim.log.entries({ kind: 'batch' })).toHaveLength(1);
		expect(w.sim.associations.linked('accountleads_association', account)).toHaveLength(3);
	});

	it('a lost answer of a batch of functions is resent and answered', async () => {
		const crm = w.crm();
		w.sim.faults.add({ type: 'drop', when: 'afterHandler', count: 1, match: { kinds: ['batch'] } });
		const res = await crm.execute([
			{ kind: 'function', name: 'WhoAmI', parameters: {} },
			{ kind: 'function', name: 'RetrieveVersion', parameters: {} },
		]);
		expect(res.map((r) => r.ok)).toEqual([true, true]);
		expect(w.sim.log.entries({ kind: 'batch' })).toHaveLength(2);
	});
});
