/**
 * The REST simulator world of the endpoint-profile tests: a simulator on a ManualClock (rate limit off) started and
 * stopped around the file's tests, a harness for the contract suite, connectors over a profile, and the profiles —
 * the sample (examples/profiles/rest-simulator-contacts.json: cursor paging, the batch endpoint for every write)
 * and a variant (Link-header paging for lists, offset paging for changes, next-URL paging for look-ups, one request
 * per record for create / update / delete).
 */
import sample from '../../examples/profiles/rest-simulator-contacts.json';
import { RestProfileConnector } from '../../core/connectors/rest';
import { ApiKeyAuth } from '../../core/http/auth';
import type { RetryOptions } from '../../core/http/retry';
import { RestSimulator, type RestContract } from '../../sandbox/rest';
import { ManualClock } from '../../sandbox/kit/clock';
import type { ContractHarness } from './harness';

export { sample };

export type Json = Record<string, unknown>;
export const contactsOf = (p: unknown) => (p as { objects: { contacts: Json } }).objects.contacts;

/** The sample profile with Link-header paging (list), offset paging (changes), next-URL paging (find), single writes. */
export function variant(changesPageSize = 60): Json {
	const copy = JSON.parse(JSON.stringify(sample)) as Json;
	const c = contactsOf(copy);
	c.list = { path: '/contacts', query: { paging: 'link' }, paging: { style: 'link', size: 40 } };
	c.changes = {
		...(c.changes as Json),
		query: { paging: 'offset', sort: 'updated_at' },
		paging: { style: 'offset', size: changesPageSize, totalPath: 'total' },
	};
	c.find = {
		param: 'filter[{field}]',
		recordsPath: 'data',
		query: { paging: 'next' },
		paging: { style: 'next', nextPath: 'next' },
	};
	delete c.create;
	delete c.update;
	delete c.delete;
	return copy;
}

export interface World {
	sim: RestSimulator;
	clock: ManualClock;
	connector(profile?: unknown, retry?: RetryOptions): RestProfileConnector;
	harness: ContractHarness;
}

export function world(profile: unknown): World {
	const clock = new ManualClock(Date.UTC(2024, 5, 3, 9, 0, 0));
	const sim = new RestSimulator({ clock, rateLimit: false, seed: 7 });
	let contract: RestContract | undefined;
	beforeAll(async () => {
		contract = await sim.start();
	});
	// The suite stops the simulator after its cases; this also stops it when a filter (-t) skipped them all.
	afterAll(() => sim.stop());
	const contacts = () => sim.collection('contacts');
	const connector = (p: unknown = profile, retry?: RetryOptions) => {
		if (!contract) throw new Error('simulator not started');
		return new RestProfileConnector({
			profile: p,
			baseUrl: contract.baseUrl,
			auth: new ApiKeyAuth({ key: contract.apiKey }),
			http: { rateLimit: false, retry },
		});
	};
	const makeFields = (i: number) => ({
		last_name: `Contract ${i}`,
		email: `contract-${i}@example.com`,
		first_name: `First ${i}`,
	});
	const harness: ContractHarness = {
		connector: () => connector(),
		objectType: 'contacts',
		textField: 'last_name',
		keyField: 'email',
		sharedField: 'first_name',
		makeFields,
		// The simulator caps last_name at 80 characters.
		invalidFields: () => ({ last_name: 'x'.repeat(100), email: 'invalid@example.com' }),
		reset: () => sim.reset(),
		storedCount: () => contacts().count(),
		seed: (n, fields) =>
			Array.from(
				{ length: n },
				(_, i) => contacts().create(fields ? fields(i) : makeFields(1000 + i)).id,
			),
		editDirect: (id, fields) => void contacts().update(id, fields),
		deleteDirect: (id) => void contacts().delete(id),
		advance: (ms) => void clock.advance(ms),
		// The simulator answers a batch in item order (results carry their index, which the profile matches on).
		answerNextBatchOutOfOrder: () => false,
		stop: () => sim.stop(),
	};
	return { sim, clock, connector, harness };
}
