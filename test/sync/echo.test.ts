/**
 * A linked record that a change feed hands out unchanged in every mapped field (an echo of the sync's own writes,
 * or an edit of a field the sync does not map) is not planned: its partner is not read by id and nothing is written.
 * Counted as the ids each connector was asked for by `getByIds`, and the simulators' write requests.
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { runSync } from '../../core/sync/engine';
import { MemorySyncStore } from '../../core/sync/store/memory';
import { common, World } from './world';

const world = new World();
const now = () => world.clock.now();

beforeAll(() => world.start());
afterAll(() => world.stop());
beforeEach(() => world.reset());

/** A connector that records the ids it is asked to read by id. */
function counted(connector: CrmConnector): { connector: CrmConnector; ids: string[] } {
	const ids: string[] = [];
	const getByIds = connector.getByIds.bind(connector);
	connector.getByIds = async (type, wanted, fields) => {
		ids.push(...wanted);
		return await getByIds(type, wanted, fields);
	};
	return { connector, ids };
}

test('two-way: echoes and edits of unmapped fields read no partner and write nothing; real edits do', async () => {
	const sfIds = Array.from({ length: 30 }, (_, i) =>
		world.sfInsert({ Email: `sf${i}@example.com`, LastName: `S${i}`, Title: `T${i}` }),
	);
	const hsIds = Array.from({ length: 20 }, (_, i) =>
		world.hsInsert({ email: `hs${i}@example.com`, lastname: `H${i}`, jobtitle: `J${i}` }),
	);
	world.advance();
	const store = new MemorySyncStore(now);
	const run = async () => {
		const sf = counted(world.salesforce());
		const hs = counted(world.hubspot());
		const before = world.writeRequests();
		const report = await runSync(
			world.config({
				a: { connector: sf.connector, objectType: 'Contact' },
				b: { connector: hs.connector, objectType: 'contacts' },
			}),
			store,
			{ now },
		);
		const after = world.writeRequests();
		world.advance();
		return {
			report,
			read: { sf: sf.ids.sort(), hs: hs.ids.sort() },
			writes: { sf: after.sf - before.sf, hs: after.hs - before.hs },
		};
	};
	const backfill = await run();
	expect(backfill.report.counts.created).toEqual({ a: 20, b: 30 });

	// The creates of the backfill come back through both feeds: echoes only.
	const echo = await run();
	expect(echo.report.counts.read.a + echo.report.counts.read.b).toBeGreaterThan(0);
	expect(echo.read).toEqual({ sf: [], hs: [] });
	expect(echo.writes).toEqual({ sf: 0, hs: 0 });

	// Two Salesforce contacts edited in a mapped field, two more in a field the sync does not map; one HubSpot one.
	world.sfEdit(sfIds[0], { Title: 'New 0' });
	world.sfEdit(sfIds[1], { LastName: 'Renamed 1' });
	world.sfEdit(sfIds[2], { Department: 'Unmapped 2' });
	world.sfEdit(sfIds[3], { Department: 'Unmapped 3' });
	world.hsEdit(hsIds[0], { jobtitle: 'New J0' });
	world.advance();
	const partnerOf = async (side: 'a' | 'b', id: string) => {
		const link = (await store.getLinksByIds('contacts', side, [id])).get(id);
		return (side === 'a' ? link?.bId : link?.aId) as string;
	};
	const edits = await run();
	expect(edits.read.hs).toEqual(
		[await partnerOf('a', sfIds[0]), await partnerOf('a', sfIds[1])].sort(),
	);
	expect(edits.read.sf).toEqual([await partnerOf('b', hsIds[0])]);
	expect(edits.report.counts.updated).toEqual({ a: 1, b: 2 });
	const hsOf = async (sfId: string) => {
		const id = await partnerOf('a', sfId);
		return common('b', world.hsAll().find((r) => r.id === id)?.fields ?? {});
	};
	expect((await hsOf(sfIds[0])).jobtitle).toBe('New 0');
	expect((await hsOf(sfIds[1])).lastname).toBe('Renamed 1');
	expect(world.sfAll().find((r) => r.fields.Email === 'hs0@example.com')?.fields.Title).toBe(
		'New J0',
	);
});
