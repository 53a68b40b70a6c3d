/**
 * The conformance suite's read-only cases against Dynamics 365 (`DynamicsCrm` over the Dataverse simulator), until
 * writes ($batch) and the change feed (change tracking) exist and Dynamics joins `runConformanceSuite` — the suite
 * cannot be run in part (its cases share one `describe`, most of them write), so its two read cases are repeated here
 * with the values a Dynamics harness would give: object type `contacts`, text field `lastname`, key
 * `emailaddress1` (alternate key), shared field `jobtitle`. Records are seeded directly in the simulator's store.
 */
import type { CrmConnector } from '../../core/connectors/contract';
import { startDvWorld, type DvWorld } from '../connectors/dynamics/helpers';

const objectType = 'contacts';
const textField = 'lastname';
const keyField = 'emailaddress1';
const sharedField = 'jobtitle';
const makeFields = (i: number) => ({
	lastname: `Contract ${i}`,
	emailaddress1: `contract-${i}@example.com`,
	jobtitle: `Title ${i}`,
});

describe('connector contract (reads): dynamics', () => {
	let w: DvWorld;
	let c: CrmConnector;
	beforeAll(async () => {
		w = await startDvWorld({ seed: 17 });
	});
	afterAll(() => w.sim.stop());
	beforeEach(() => {
		w.sim.reset();
		c = w.crm();
	});

	const seed = (n: number, fields: (i: number) => Record<string, unknown>) =>
		Array.from({ length: n }, (_, i) => w.sim.collection('contact').create(fields(i)).id);

	it('lists the object type and describes its fields in the common schema', async () => {
		const types = await c.listObjectTypes();
		expect(types.map((t) => t.name)).toContain(objectType);
		const schema = await c.describe(objectType);
		expect(schema.name).toBe(objectType);
		const byName = new Map(schema.fields.map((f) => [f.name, f]));
		expect(byName.get(schema.idField)).toMatchObject({ readOnly: true, createable: false });
		expect(byName.has(schema.updatedAtField)).toBe(true);
		expect(byName.get(textField)).toMatchObject({ createable: true, updateable: true });
		const key = byName.get(keyField);
		expect(key?.unique || key?.externalId).toBe(true);
		const caps = await c.capabilities(objectType);
		expect(caps.upsertKeys).toContain(keyField);
		expect(caps.batchSize).toBeGreaterThan(1);
		expect(caps.maxKeysPerLookup).toBeGreaterThan(1);
		for (const f of schema.fields) {
			if (f.type === 'picklist' || f.type === 'multipicklist')
				expect(Array.isArray(f.options)).toBe(true);
			if (f.readOnly) expect(f.createable || f.updateable).toBe(false);
		}
		// The suite's write case relies on this: the required fields include no reference.
		const required = schema.fields.filter((f) => f.requiredOnCreate);
		expect(required.filter((f) => f.type === 'reference').map((f) => f.name)).toEqual([]);
		expect(required.map((f) => f.name)).toEqual([textField]);
	});

	it('findByKeys returns every match per value, in the order of the values (two records with one value are two)', async () => {
		const ids = seed(4, (i) => ({
			...makeFields(400 + i),
			[sharedField]: i < 2 ? 'Shared Value' : `Own ${i}`,
		}));
		const shared = await c.findByKeys(
			objectType,
			sharedField,
			['Own 3', 'Shared Value', 'Nobody Has This'],
			[keyField],
		);
		expect(shared.map((m) => m.length)).toEqual([1, 2, 0]);
		expect(shared[0][0].id).toBe(ids[3]);
		expect(shared[1].map((r) => r.id).sort()).toEqual([ids[0], ids[1]].sort());
		const keys = [makeFields(402)[keyField], makeFields(400)[keyField]];
		const byKey = await c.findByKeys(objectType, keyField, keys, [textField]);
		expect(byKey.map((m) => m.map((r) => r.id))).toEqual([[ids[2]], [ids[0]]]);
	});

	it('getByIds returns the record of each id in the order of the ids, undefined where there is none', async () => {
		const ids = seed(3, makeFields);
		const got = await c.getByIds(
			objectType,
			[ids[1], ids[0].replace(/^./, 'f'), ids[2]],
			[textField],
		);
		expect(got.map((r) => r?.id)).toEqual([
			ids[1],
			ids[0].startsWith('f') ? ids[0] : undefined,
			ids[2],
		]);
		expect(got[0]?.fields[textField]).toBe('Contract 1');
		expect(w.count('records.list')).toBe(1);
	});
});
