/**
 * Planning a page reads the linked records' partners by id and looks the unlinked ones up by their match key at
 * once (plan.ts): a page with both, counted in the HubSpot simulator — its batch reads by id (the partners) and by
 * e-mail (the look-ups, e-mail being unique) in flight together — and the plan the same as read one after another.
 */
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { expectOnceEach, toSf, World, type Values } from './world';

const world = new World();
const now = () => world.clock.now();
/** HubSpot batch reads being handled now, and the most at once. */
const flight = { now: 0, max: 0 };

beforeAll(async () => {
	await world.start();
	world.hs.server.use(async (req, next) => {
		if (req.kind !== 'batch.read') return await next();
		flight.max = Math.max(flight.max, ++flight.now);
		try {
			await new Promise((resolve) => setTimeout(resolve, 40));
			return await next();
		} finally {
			flight.now--;
		}
	});
});
afterAll(async () => await world.stop());

const person = (i: number): Values => ({
	email: `pr${i}@example.com`,
	lastname: `L${i}`,
	firstname: `F${i}`,
	jobtitle: `T${i}`,
	phone: `${2000 + i}`,
});

it('the partners of linked records and the look-ups of unlinked ones are read at once', async () => {
	const model = new Map<string, Values>();
	for (let i = 0; i < 10; i++) {
		world.sfInsert(toSf(person(i)));
		model.set(person(i).email as string, person(i));
	}
	world.advance();
	const store = new MemorySyncStore(now);
	await runSync(world.config(), store, { now });
	// One page of edited linked records (partners read by id) and new unlinked ones (looked up by e-mail).
	for (const r of world.sfAll()) world.sfEdit(r.id, { LastName: `${String(r.fields.LastName)}+` });
	for (const v of model.values()) v.lastname = `${String(v.lastname)}+`;
	for (let i = 10; i < 20; i++) {
		world.sfInsert(toSf(person(i)));
		model.set(person(i).email as string, person(i));
	}
	world.advance();
	flight.max = 0;
	const report = await runSync(world.config(), store, { now });
	expect(flight.max).toBe(2);
	expect(report.counts.updated.b).toBe(10);
	expect(report.counts.created.b).toBe(10);
	expectOnceEach(world, model);
});
