/**
 * The conformance suite of the connector contract (core/connectors/contract.ts): one set of cases, run against
 * every connector with its simulator (`test/contract/<crm>.test.ts` builds the harness and calls
 * `runConformanceSuite`). Passing it is what "a CRM is supported" means: the sync engine, the triggers and the
 * generic parts of the nodes rely on nothing else. Every case counts in the simulator what really happened.
 */
import type {
	ChangePage,
	CrmConnector,
	Watermark,
	WriteInput,
} from '../../core/connectors/contract';
import type { CrmRecord } from '../../core/records/types';
import { type ContractHarness, createInputs } from './harness';

/** Far enough past any connector's safety lag and second boundary. */
const PAST_LAG_MS = 10 * 60_000;

async function allPages(
	connector: CrmConnector,
	objectType: string,
	watermark: Watermark | null,
	fields: string[],
): Promise<ChangePage[]> {
	const pages: ChangePage[] = [];
	for await (const page of connector.changesSince(objectType, watermark, { fields })) {
		expect(JSON.parse(JSON.stringify(page.watermark))).toEqual(page.watermark); // plain JSON, storable as is
		pages.push(page);
	}
	return pages;
}

function lastWatermark(pages: ChangePage[], before: Watermark | null): Watermark | null {
	return pages.length ? pages[pages.length - 1].watermark : before;
}

const idsOf = (pages: ChangePage[], deleted = false) =>
	pages.flatMap((p) =>
		p.records.filter((r) => Boolean(r.deleted) === deleted).map((r) => String(r.id)),
	);

/** Runs every case of the contract against the CRM behind `h`. */
export function runConformanceSuite(name: string, h: ContractHarness): void {
	describe(`connector contract: ${name}`, () => {
		let c: CrmConnector;
		beforeEach(async () => {
			await h.reset();
			c = h.connector();
		});
		afterAll(async () => {
			await h.stop();
		});

		it('lists the object type and describes its fields in the common schema', async () => {
			const types = await c.listObjectTypes();
			expect(types.map((t) => t.name)).toContain(h.objectType);
			const schema = await c.describe(h.objectType);
			expect(schema.name).toBe(h.objectType);
			const byName = new Map(schema.fields.map((f) => [f.name, f]));
			expect(byName.get(schema.idField)).toMatchObject({ readOnly: true, createable: false });
			expect(byName.has(schema.updatedAtField)).toBe(true);
			expect(byName.get(h.textField)).toMatchObject({ createable: true, updateable: true });
			const key = byName.get(h.keyField);
			expect(key?.unique || key?.externalId).toBe(true);
			const caps = await c.capabilities(h.objectType);
			expect(caps.upsertKeys).toContain(h.keyField);
			expect(caps.batchSize).toBeGreaterThan(1);
			expect(caps.maxKeysPerLookup).toBeGreaterThan(1);
			for (const f of schema.fields) {
				if (f.type === 'picklist' || f.type === 'multipicklist')
					expect(Array.isArray(f.options)).toBe(true);
				if (f.readOnly) expect(f.createable || f.updateable).toBe(false);
			}
		});

		it('describe agrees with what the CRM accepts: the required fields alone create a record; a read-only field is refused', async () => {
			const schema = await c.describe(h.objectType);
			const required = schema.fields.filter((f) => f.requiredOnCreate);
			// The harness's object type must be creatable on its own (a required reference needs another record).
			expect(required.filter((f) => f.type === 'reference').map((f) => f.name)).toEqual([]);
			const fields: Record<string, unknown> = {};
			for (const f of required) {
				fields[f.name] =
					f.type === 'number'
						? 1
						: f.type === 'boolean'
							? true
							: f.type === 'email'
								? 'required@example.com'
								: f.type === 'date'
									? '2024-01-02'
									: f.type === 'datetime'
										? '2024-01-02T03:04:05.000Z'
										: f.options?.length
											? f.options[0].value
											: 'Required';
			}
			const [ok] = await c.write('create', h.objectType, [{ fields }]);
			expect(ok).toMatchObject({ ok: true });
			const readOnly = schema.fields.find(
				(f) => f.readOnly && f.name !== schema.idField && f.type === 'string',
			);
			if (readOnly) {
				const [refused] = await c.write('create', h.objectType, [
					{ fields: { ...h.makeFields(900), [readOnly.name]: 'not settable' } },
				]);
				expect(refused.ok).toBe(false);
			}
			expect(h.storedCount()).toBe(1);
		});

		it('round trip: create, get by id, update, upsert by key (create and update), delete — one result per input, in input order', async () => {
			const inputs = createInputs(h, 0, 7);
			const created = await c.write('create', h.objectType, inputs);
			expect(created.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
			expect(created.every((r) => r.ok)).toBe(true);
			const ids = created.map((r) => (r.ok ? r.value.id : ''));
			expect(new Set(ids).size).toBe(7);
			expect(h.storedCount()).toBe(7);

			const read = await c.getByIds(
				h.objectType,
				[ids[3], ids[0], ids[6]],
				[h.textField, h.keyField],
			);
			expect(read.map((r) => r?.id)).toEqual([ids[3], ids[0], ids[6]]);
			expect(read.map((r) => r?.fields[h.keyField])).toEqual([
				inputs[3].fields[h.keyField],
				inputs[0].fields[h.keyField],
				inputs[6].fields[h.keyField],
			]);
			for (const r of read) expect(r).toMatchObject({ type: h.objectType, source: c.system });

			const updated = await c.write('update', h.objectType, [
				{ id: ids[1], fields: { [h.textField]: 'Renamed 1' } },
				{ id: ids[2], fields: { [h.textField]: 'Renamed 2' } },
			]);
			expect(updated.map((r) => r.ok && r.value.id)).toEqual([ids[1], ids[2]]);
			const afterUpdate = await c.getByIds(h.objectType, [ids[1], ids[2]], [h.textField]);
			expect(afterUpdate.map((r) => r?.fields[h.textField])).toEqual(['Renamed 1', 'Renamed 2']);

			const fresh = h.makeFields(100);
			const upserted = await c.write(
				'upsert',
				h.objectType,
				[{ fields: { ...inputs[4].fields, [h.textField]: 'Upserted 4' } }, { fields: fresh }],
				{ key: h.keyField },
			);
			expect(upserted[0]).toMatchObject({ ok: true, value: { id: ids[4] } });
			expect(upserted[1].ok).toBe(true);
			if (upserted[0].ok && upserted[0].value.created !== undefined)
				expect(upserted[0].value.created).toBe(false);
			if (upserted[1].ok && upserted[1].value.created !== undefined)
				expect(upserted[1].value.created).toBe(true);
			expect(h.storedCount()).toBe(8);

			const deleted = await c.write('delete', h.objectType, [
				{ id: ids[5], fields: {} },
				{ id: ids[6], fields: {} },
			]);
			expect(deleted.map((r) => r.ok)).toEqual([true, true]);
			expect(h.storedCount()).toBe(6);
			const gone = await c.getByIds(h.objectType, [ids[5], ids[0]], [h.textField]);
			expect(gone[0]).toBeUndefined();
			expect(gone[1]?.id).toBe(ids[0]);
		});

		it('results stay in input order when the CRM answers out of order', async () => {
			const reversed = h.answerNextBatchOutOfOrder();
			const inputs = createInputs(h, 200, 5);
			const results = await c.write('create', h.objectType, inputs);
			expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
			const read = await c.getByIds(
				h.objectType,
				results.map((r) => (r.ok ? r.value.id : '')),
				[h.keyField],
			);
			expect(read.map((r) => r?.fields[h.keyField])).toEqual(
				inputs.map((i) => i.fields[h.keyField]),
			);
			if (!reversed)
				console.log(`${name}: the API promises result order; the reverse-order case ran in order`);
		});

		it("one invalid record fails alone, with the CRM's code and message; its neighbours are written", async () => {
			const inputs: WriteInput[] = [
				...createInputs(h, 300, 3),
				{ fields: h.invalidFields() },
				...createInputs(h, 303, 3),
			];
			const results = await c.write('create', h.objectType, inputs);
			expect(results.map((r) => r.ok)).toEqual([true, true, true, false, true, true, true]);
			const failed = results[3];
			if (!failed.ok) {
				expect(failed.error.message.length).toBeGreaterThan(5);
				expect(typeof failed.error.code).toBe('string');
			}
			expect(h.storedCount()).toBe(6);
		});

		it('findByKeys returns every match per value, in the order of the values (two records with one value are two)', async () => {
			const ids = await h.seed(4, (i) => ({
				...h.makeFields(400 + i),
				[h.sharedField]: i < 2 ? 'Shared Value' : `Own ${i}`,
			}));
			const shared = await c.findByKeys(
				h.objectType,
				h.sharedField,
				['Own 3', 'Shared Value', 'Nobody Has This'],
				[h.keyField],
			);
			expect(shared.map((m) => m.length)).toEqual([1, 2, 0]);
			expect(shared[0][0].id).toBe(ids[3]);
			expect(shared[1].map((r) => r.id).sort()).toEqual([ids[0], ids[1]].sort());
			const keys = [h.makeFields(402)[h.keyField], h.makeFields(400)[h.keyField]] as string[];
			const byKey = await c.findByKeys(h.objectType, h.keyField, keys, [h.textField]);
			expect(byKey.map((m) => m.map((r) => r.id))).toEqual([[ids[2]], [ids[0]]]);
		});

		it('changesSince: creates, updates and deletes exactly once; resumes from a stored watermark; nothing after the last page', async () => {
			const caps = await c.capabilities(h.objectType);
			const fields = [h.textField, h.keyField];
			const ids = await h.seed(6);
			h.advance(PAST_LAG_MS);
			const first = await allPages(c, h.objectType, null, fields);
			expect(idsOf(first).sort()).toEqual([...ids].sort());
			const wm1 = lastWatermark(first, null);
			expect(wm1).not.toBeNull();
			for (const r of first.flatMap((p) => p.records) as CrmRecord[])
				expect(r).toMatchObject({ type: h.objectType, source: c.system });

			await h.editDirect(ids[1], { [h.textField]: 'Edited 1' });
			await h.editDirect(ids[4], { [h.textField]: 'Edited 4' });
			await h.deleteDirect(ids[2]);
			const [added] = await h.seed(1, (i) => h.makeFields(500 + i));
			h.advance(PAST_LAG_MS);
			// A fresh connector (a new run) resuming from the stored watermark.
			const second = await allPages(
				h.connector(),
				h.objectType,
				JSON.parse(JSON.stringify(wm1)) as Watermark,
				fields,
			);
			expect(idsOf(second).sort()).toEqual([ids[1], ids[4], added].sort());
			const edited = second.flatMap((p) => p.records).find((r) => r.id === ids[1]);
			expect(edited?.fields[h.textField]).toBe('Edited 1');
			if (caps.deletesInChangeFeed) expect(idsOf(second, true)).toEqual([ids[2]]);
			else expect(idsOf(second, true)).toEqual([]);

			const third = await allPages(c, h.objectType, lastWatermark(second, wm1), fields);
			expect(third.flatMap((p) => p.records)).toHaveLength(0);
		});

		it('changesSince over many pages and changes in one second: resuming after each page misses and repeats nothing', async () => {
			const fields = [h.textField];
			const ids = await h.seed(450);
			h.advance(PAST_LAG_MS);
			const seen: string[] = [];
			let watermark: Watermark | null = null;
			// Resume after every page with a fresh connector, as a run that stops after each page would.
			for (let round = 0; round < 1000; round++) {
				let page: ChangePage | undefined;
				for await (const p of h.connector().changesSince(h.objectType, watermark, { fields })) {
					page = p;
					break;
				}
				if (!page || page.records.length === 0) break;
				seen.push(...page.records.map((r) => String(r.id)));
				watermark = page.watermark;
			}
			expect(seen).toHaveLength(450);
			expect(new Set(seen).size).toBe(450);
			expect([...seen].sort()).toEqual([...ids].sort());
		});

		it('the watermark after each record resumes exactly after it; startWatermark(time, { after }) resumes after those ids', async () => {
			const caps = await c.capabilities(h.objectType);
			const fields = [h.textField];
			const ids = await h.seed(6);
			h.advance(PAST_LAG_MS);
			const start = lastWatermark(await allPages(c, h.objectType, null, fields), null);
			await h.editDirect(ids[3], { [h.textField]: 'Edited 3' });
			await h.editDirect(ids[0], { [h.textField]: 'Edited 0' });
			await h.deleteDirect(ids[5]);
			const added = await h.seed(3, (i) => h.makeFields(700 + i));
			h.advance(PAST_LAG_MS);
			const pages = await allPages(c, h.objectType, start, fields);
			const order = pages.flatMap((p) => p.records.map((r) => String(r.id)));
			expect([...order].sort()).toEqual(
				[ids[3], ids[0], ...added, ...(caps.deletesInChangeFeed ? [ids[5]] : [])].sort(),
			);
			const after: Watermark[] = [];
			for (const page of pages) {
				expect(page.recordWatermarks).toHaveLength(page.records.length);
				expect(page.recordWatermarks?.[page.records.length - 1]).toEqual(page.watermark);
				after.push(...(page.recordWatermarks ?? []));
			}
			// A run that stops after any record and resumes from its watermark (stored as JSON) gets exactly the rest.
			for (let k = 0; k < order.length; k++) {
				const stored = JSON.parse(JSON.stringify(after[k])) as Watermark;
				const rest = await allPages(h.connector(), h.objectType, stored, fields);
				expect(rest.flatMap((p) => p.records.map((r) => String(r.id)))).toEqual(order.slice(k + 1));
			}
			// The same position kept as a time and the ids handed out at exactly that time (an older format).
			const updated = (await allPages(c, h.objectType, start, fields)).flatMap((p) =>
				p.records.filter((r) => !r.deleted),
			);
			const kindStart = await c.startWatermark(h.objectType, 0, { kind: 'updated' });
			const feed: CrmRecord[] = [];
			for await (const page of c.changesSince(h.objectType, kindStart, { fields, kind: 'updated' }))
				feed.push(...page.records);
			const recent = feed.filter((r) => updated.some((u) => u.id === r.id));
			expect(recent.length).toBeGreaterThanOrEqual(2);
			for (let k = 0; k < feed.length; k++) {
				const at = Date.parse(String(feed[k].updatedAt));
				const sameTime = feed
					.slice(0, k + 1)
					.filter((r) => Date.parse(String(r.updatedAt)) === at)
					.map((r) => String(r.id));
				const resumed = await c.startWatermark(h.objectType, at, {
					kind: 'updated',
					after: sameTime,
				});
				const rest: string[] = [];
				for await (const page of h
					.connector()
					.changesSince(h.objectType, resumed, { fields, kind: 'updated' }))
					rest.push(...page.records.map((r) => String(r.id)));
				expect(rest).toEqual(feed.slice(k + 1).map((r) => String(r.id)));
			}
		});

		it('recentChanges: the latest changes of each feed, oldest first — the end of what changesSince hands out', async () => {
			// Optional in the contract; every connector here implements it (the triggers' "Fetch Test Event" needs it).
			expect(c.recentChanges).toBeDefined();
			const caps = await c.capabilities(h.objectType);
			const fields = [h.textField];
			const ids = await h.seed(4);
			h.advance(2000);
			await h.editDirect(ids[2], { [h.textField]: 'Edited 2' });
			h.advance(2000);
			await h.editDirect(ids[0], { [h.textField]: 'Edited 0' });
			h.advance(2000);
			await h.deleteDirect(ids[1]);
			h.advance(2000);
			const [added] = await h.seed(1, (i) => h.makeFields(800 + i));
			h.advance(PAST_LAG_MS);
			const recent = async (kind: 'all' | 'updated' | 'created' | 'deleted', limit: number) =>
				((await c.recentChanges?.(h.objectType, { kind, fields, limit })) ?? []).map((r) => [
					String(r.id),
					r.deleted === true,
				]);
			expect(await recent('updated', 2)).toEqual([
				[ids[0], false],
				[added, false],
			]);
			expect(await recent('created', 1)).toEqual([[added, false]]);
			const listsDeletions = caps.deletesInChangeFeed && caps.recentDeletions !== false;
			expect(await recent('deleted', 1)).toEqual(listsDeletions ? [[ids[1], true]] : []);
			expect(await recent('all', 2)).toEqual(
				listsDeletions
					? [
							[ids[1], true],
							[added, false],
						]
					: [
							[ids[0], false],
							[added, false],
						],
			);
			const [edited] =
				(await c.recentChanges?.(h.objectType, { kind: 'updated', fields, limit: 2 })) ?? [];
			expect(edited?.fields[h.textField]).toBe('Edited 0');
		});

		it('a change made while the feed is being read is picked up by the next call, not lost', async () => {
			const fields = [h.textField];
			const ids = await h.seed(5);
			h.advance(PAST_LAG_MS);
			const seen: string[] = [];
			let watermark: Watermark | null = null;
			let edited = false;
			for await (const page of c.changesSince(h.objectType, null, { fields })) {
				if (!edited) {
					await h.editDirect(ids[0], { [h.textField]: 'Edited while reading' });
					edited = true;
				}
				seen.push(...page.records.map((r) => String(r.id)));
				watermark = page.watermark;
			}
			expect(new Set(seen)).toEqual(new Set(ids));
			h.advance(PAST_LAG_MS);
			const next = await allPages(h.connector(), h.objectType, watermark, fields);
			const again = next.flatMap((p) => p.records);
			expect(again.map((r) => r.id)).toEqual([ids[0]]);
			expect(again[0].fields[h.textField]).toBe('Edited while reading');
		});

		it('changesSince feeds (created / updated / deleted) from startWatermark("now"), and an exact limit that resumes', async () => {
			const caps = await c.capabilities(h.objectType);
			const fields = [h.textField];
			const old = await h.seed(2);
			h.advance(PAST_LAG_MS);
			const kinds = ['created', 'updated', 'deleted'] as const;
			const start = new Map<string, Watermark>();
			for (const kind of kinds) {
				const wm = await c.startWatermark(h.objectType, 'now', { kind });
				expect(JSON.parse(JSON.stringify(wm))).toEqual(wm);
				start.set(kind, wm);
			}
			await h.editDirect(old[0], { [h.textField]: 'Edited old' });
			const fresh = await h.seed(3, (i) => h.makeFields(600 + i));
			await h.deleteDirect(old[1]);
			h.advance(PAST_LAG_MS);
			const read = async (
				kind: (typeof kinds)[number],
				watermark: Watermark | null,
				limit?: number,
			) => {
				const records: CrmRecord[] = [];
				let last = watermark;
				for await (const page of h
					.connector()
					.changesSince(h.objectType, watermark, { fields, kind, limit })) {
					records.push(...page.records);
					last = page.watermark;
				}
				return { records, watermark: last };
			};
			const sorted = (ids: Array<string | undefined>) => ids.map(String).sort();
			const created = await read('created', start.get('created') ?? null);
			expect(sorted(created.records.map((r) => r.id))).toEqual(sorted(fresh));
			const updated = await read('updated', start.get('updated') ?? null);
			expect(sorted(updated.records.map((r) => r.id))).toEqual(sorted([old[0], ...fresh]));
			expect(updated.records.some((r) => r.deleted)).toBe(false);
			const deleted = await read('deleted', start.get('deleted') ?? null);
			expect(deleted.records.map((r) => [r.id, r.deleted])).toEqual(
				caps.deletesInChangeFeed ? [[old[1], true]] : [],
			);
			// Two at a time: never more than the limit, every change once across calls.
			const seen: string[] = [];
			let watermark = start.get('updated') ?? null;
			for (let round = 0; round < 10; round++) {
				const next = await read('updated', watermark, 2);
				expect(next.records.length).toBeLessThanOrEqual(2);
				if (next.records.length === 0) break;
				seen.push(...next.records.map((r) => String(r.id)));
				watermark = next.watermark;
			}
			expect(seen).toHaveLength(4);
			expect([...seen].sort()).toEqual(sorted([old[0], ...fresh]));
		});

		it('listUsers (optional): every user over several pages, inactive ones too; without it, no user source', async () => {
			if (!c.listUsers) {
				// The capability is absent: nothing claims it, so the sync must not map owners through it.
				expect(c.listUsers).toBeUndefined();
				expect(h.users).toBeUndefined();
				return;
			}
			const users = h.users;
			if (!users) throw new Error('the connector lists users: its harness must seed them (users)');
			const seeded = users.seed(
				Array.from({ length: users.pageSize + 3 }, (_, i) => ({
					email: `Owner.${i}@Example.com`,
					firstName: 'Owner',
					lastName: `Number ${i}`,
					active: i % 50 !== 7,
				})),
			);
			const before = users.listRequests();
			const listed = await c.listUsers();
			expect(users.listRequests() - before).toBeGreaterThanOrEqual(2);
			expect(listed.map((u) => u.id).sort()).toEqual([...users.storedIds()].sort());
			expect(new Set(listed.map((u) => u.id)).size).toBe(listed.length);
			const byId = new Map(listed.map((u) => [u.id, u]));
			seeded.forEach((id, i) =>
				expect(byId.get(id)).toEqual({
					id,
					email: `Owner.${i}@Example.com`,
					name: `Owner Number ${i}`,
					active: i % 50 !== 7,
				}),
			);
		});
	});
}
