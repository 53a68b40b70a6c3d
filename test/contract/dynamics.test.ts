/**
 * The connector contract's conformance suite against Dynamics 365: `DynamicsCrm` over the Dataverse simulator, on a
 * ManualClock (Dataverse stamps `modifiedon` to the second; the feed waits out its lag by Dataverse's own clock),
 * service protection off (the connector's pacing is tested elsewhere). Records are seeded, edited and deleted through
 * the simulator's Web API, so its change tracking records them as Dataverse would. Dataverse answers a `$batch` in
 * request order (no out-of-order case); past deletions cannot be listed (`recentDeletions: false`).
 */
import { ManualClock } from '../../sandbox/kit/clock';
import { startDvWorld, type DvWorld } from '../connectors/dynamics/helpers';
import type { ContractHarness } from './harness';
import { runConformanceSuite } from './suite';

const clock = new ManualClock(Date.UTC(2024, 4, 2, 10, 0, 0));
let w: DvWorld | undefined;
const world = () => {
	if (!w) throw new Error('simulator not started');
	return w;
};

beforeAll(async () => {
	w = await startDvWorld({ clock, seed: 19, serviceProtection: false });
});
// The suite stops the simulator after its cases; this also stops it when a filter (-t) skipped them all.
afterAll(() => w?.sim.stop());

const contacts = () => world().sim.collection('contact');

const harness: ContractHarness = {
	connector: () => world().crm(),
	objectType: 'contacts',
	textField: 'lastname',
	keyField: 'emailaddress1',
	sharedField: 'jobtitle',
	makeFields: (i) => ({
		lastname: `Contract ${i}`,
		emailaddress1: `contract-${i}@example.com`,
		jobtitle: `Title ${i}`,
	}),
	// Dataverse caps lastname at 50 characters (MaxLength in its metadata).
	invalidFields: () => ({ lastname: 'x'.repeat(60), emailaddress1: 'invalid@example.com' }),
	reset: () => world().sim.reset(),
	storedCount: () => contacts().count(),
	seed: (n, fields) =>
		Array.from(
			{ length: n },
			(_, i) =>
				world().sim.createDirect('contact', fields ? fields(i) : harness.makeFields(1000 + i)).id,
		),
	editDirect: (id, fields) => void world().sim.updateDirect('contact', id, fields),
	deleteDirect: (id) => void world().sim.deleteDirect('contact', id),
	advance: (ms) => void clock.advance(ms),
	answerNextBatchOutOfOrder: () => false,
	stop: () => world().sim.stop(),
};

runConformanceSuite('dynamics', harness);
