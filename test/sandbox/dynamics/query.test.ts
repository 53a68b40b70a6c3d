/**
 * `$filter`, `$orderby` with keyset paging and `fetchXml` through the simulator's collection GET. Expectations are
 * computed from the simulator's store with plain JS, not from the evaluators' own output.
 */
import { parsePagingCookie } from '../../../sandbox/dynamics/fetchxmlCookie';
import { client } from '../helpers';
import { dvError, fetchToken, startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

/** Collation independent of the evaluator's: case-insensitive, accent-sensitive (Dataverse's default). */
const coll = new Intl.Collator('en', { sensitivity: 'accent' }).compare;

describe('Dataverse simulator: $filter, $orderby, fetchXml', () => {
	let s: StartedDv;
	let token: string;

	beforeAll(async () => {
		s = await startDv({ seed: 11, records: { accounts: 6, contacts: 60 } });
		token = await fetchToken(s.contract);
	});
	afterAll(() => s.sim.stop());

	const raw = (headers: Record<string, string> = {}) =>
		client(`${s.contract.apiUrl}/`, {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json',
			...headers,
		});

	/** Live contacts as stored: parent id, fullname, gendercode. */
	const stored = () =>
		s.sim
			.collection('contact')
			.list()
			.map((r) => ({
				id: r.id,
				parent: (r.fields.parentcustomerid as { id: string } | undefined)?.id ?? null,
				fullname: String(r.fields.fullname),
				lastname: String(r.fields.lastname),
				firstname: String(r.fields.firstname),
				gendercode: (r.fields.gendercode ?? null) as number | null,
			}));

	it('$filter with and / or / contains / null / a GUID lookup returns exactly the matching rows', async () => {
		// The account with the most contacts, so the lookup condition selects several rows.
		const byParent = new Map<string, number>();
		for (const c of stored())
			if (c.parent) byParent.set(c.parent, (byParent.get(c.parent) ?? 0) + 1);
		const acc = [...byParent].sort((a, b) => b[1] - a[1])[0][0];
		const filter = `(_parentcustomerid_value eq ${acc.toUpperCase()} and (contains(fullname,'AN') or gendercode eq null)) or (_parentcustomerid_value eq null and gendercode eq 2)`;
		const expected = stored()
			.filter(
				(c) =>
					(c.parent === acc &&
						(c.fullname.toLowerCase().includes('an') || c.gendercode === null)) ||
					(c.parent === null && c.gendercode === 2),
			)
			.map((c) => c.id)
			.sort();
		expect(expected.length).toBeGreaterThan(2);
		const res = await s.api.retrieveMultiple({
			collection: 'contacts',
			select: ['fullname', 'gendercode', '_parentcustomerid_value'],
			filter,
		});
		expect(res.value.map((r: Json) => r.contactid).sort()).toEqual(expected);
		expect(Object.keys(res.value[0]).sort()).toEqual(
			['@odata.etag', '_parentcustomerid_value', 'contactid', 'fullname', 'gendercode'].sort(),
		);
	});

	it('$orderby + maxPageSize: every row once, in order, across > 2 pages while rows change', async () => {
		s.sim.log.reset();
		const req = {
			collection: 'contacts',
			select: ['lastname', 'firstname'],
			orderBy: ['lastname desc', 'firstname'],
			maxPageSize: 7,
		};
		const before = stored();
		const seen: Json[] = [];
		let page = await s.api.retrieveMultiple(req);
		seen.push(...page.value);
		let changed = false;
		while (page.oDataNextLink) {
			if (!changed) {
				// Between pages: a served row disappears and a row sorting before the position appears. Keyset
				// paging neither repeats nor skips a row for that, and does not go back for the new one.
				s.sim.collection('contact').delete(seen[0].contactid);
				await s.api.create({ collection: 'contacts', data: { firstname: 'A', lastname: 'Zzzz' } });
				changed = true;
			}
			page = await s.api.retrieveMultiple(req, page.oDataNextLink);
			seen.push(...page.value);
		}
		const expected = [...before].sort(
			(a, b) =>
				coll(b.lastname, a.lastname) ||
				coll(a.firstname, b.firstname) ||
				(a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
		);
		expect(seen.map((r) => r.contactid)).toEqual(expected.map((c) => c.id));
		expect(s.sim.log.count({ kind: 'records.list' })).toBe(Math.ceil(before.length / 7));
		expect(s.sim.log.count({ kind: 'records.list' })).toBeGreaterThan(2);
	});

	it('the $skiptoken carries the ordered values and the primary key of the last row served', async () => {
		const res = await raw({ Prefer: 'odata.maxpagesize=5' }).get(
			"contacts?$select=lastname&$orderby=lastname&$filter=lastname ne 'Zzzz'",
		);
		expect(res.status).toBe(200);
		const link = new URL(res.data['@odata.nextLink']);
		expect(link.searchParams.get('$orderby')).toBe('lastname');
		const token = link.searchParams.get('$skiptoken')!;
		const inner = /pagingcookie="([^"]*)"/.exec(token)![1];
		const cookie = parsePagingCookie(decodeURIComponent(decodeURIComponent(inner)))!;
		const last = res.data.value[4];
		expect(cookie.page).toBe(1);
		expect(cookie.keys.map((k) => [k.attribute, k.last])).toEqual([
			['lastname', last.lastname],
			['contactid', `{${last.contactid.toUpperCase()}}`],
		]);
		const bad = await raw().get('contacts?$orderby=lastname&$skiptoken=%3Ccookie%2F%3E');
		expect(bad.status).toBe(400);
	});

	it('an invalid $filter or $orderby answers 400 with Dataverse error body naming the attribute', async () => {
		const err = await dvError(
			s.api.retrieveMultiple({ collection: 'contacts', filter: "nosuchcolumn eq 'x'" }),
		);
		expect(err.status).toBe(400);
		expect(err.message).toBe(
			"Could not find a property named 'nosuchcolumn' on type 'Microsoft.Dynamics.CRM.contact'.",
		);
		const res = await raw().get('contacts?$orderby=Lastname desc');
		expect(res.status).toBe(400);
		expect(res.data).toEqual({
			error: {
				code: '0x80060888',
				message:
					"Could not find a property named 'Lastname' on type 'Microsoft.Dynamics.CRM.contact'.",
			},
		});
		expect((await raw().get("contacts?$filter=lastname eq 'O'Neil'")).status).toBe(400);
	});

	it('fetchXml: filter, order, lookups as _x_value, annotations only when asked for', async () => {
		const counts = new Map<string, number>();
		for (const c of stored()) if (c.parent) counts.set(c.parent, (counts.get(c.parent) ?? 0) + 1);
		const acc = [...counts].sort((a, b) => b[1] - a[1])[0][0];
		const xml = `<fetch count="2"><entity name="contact"><attribute name="fullname"/><attribute name="parentcustomerid"/><order attribute="fullname"/><filter><condition attribute="parentcustomerid" operator="eq" value="{${acc.toUpperCase()}}"/></filter></entity></fetch>`;
		const expected = stored()
			.filter((c) => c.parent === acc)
			.sort((a, b) => coll(a.fullname, b.fullname) || (a.id < b.id ? -1 : 1));
		const plain = await raw().get(`contacts?fetchXml=${encodeURIComponent(xml)}`);
		expect(plain.status).toBe(200);
		expect(plain.data.value.map((r: Json) => r.contactid)).toEqual(
			expected.slice(0, 2).map((c) => c.id),
		);
		expect(plain.data.value[0]._parentcustomerid_value).toBe(acc);
		expect(plain.data.value[0]['@odata.etag']).toMatch(/^W\/"\d+"$/);
		expect(Object.keys(plain.data).filter((k) => k.includes('Microsoft'))).toEqual([]);
		expect(expected.length).toBeGreaterThan(2);
		const ann = await raw({ Prefer: 'odata.include-annotations="*"' }).get(
			`contacts?fetchXml=${encodeURIComponent(xml)}`,
		);
		expect(ann.data['@Microsoft.Dynamics.CRM.morerecords']).toBe(true);
		expect(ann.data['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie']).toMatch(
			/^<cookie pagenumber="2" pagingcookie="%253ccookie/,
		);
	});

	it('fetchXml errors: another entity, an unknown attribute, malformed XML', async () => {
		const other = await raw().get(
			`contacts?fetchXml=${encodeURIComponent('<fetch><entity name="account"/></fetch>')}`,
		);
		expect(other.status).toBe(400);
		expect(other.data.error.message).toContain(
			"'account' does not match the entity set 'contacts'",
		);
		const attr = await dvError(
			s.api.fetch({
				collection: 'contacts',
				fetchXml: '<fetch><entity name="contact"><attribute name="nope"/></entity></fetch>',
			}),
		);
		expect(attr).toMatchObject({ status: 400, code: '0x80041103' });
		expect(attr.message).toContain("Name = 'nope'");
		const bad = await raw().get(`contacts?fetchXml=${encodeURIComponent('<fetch><entity')}`);
		expect(bad.status).toBe(400);
		expect(bad.data.error.code).toBe('0x80040203');
	});
});

describe('Dataverse simulator: FetchXML paging over 12,000 contacts', () => {
	let s: StartedDv;

	beforeAll(async () => {
		s = await startDv({ seed: 3, records: { accounts: 5, contacts: 12_000 } });
	}, 120_000);
	afterAll(() => s.sim.stop());

	it('fetchAll with paging cookies serves every row once in pages of 5,000', async () => {
		s.sim.log.reset();
		const res = await s.api.fetchAll({
			collection: 'contacts',
			fetchXml:
				'<fetch count="5000"><entity name="contact"><attribute name="lastname"/><order attribute="lastname"/></entity></fetch>',
			includeAnnotations: 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie',
		});
		const ids = res.value.map((r: Json) => r.contactid as string);
		expect(ids).toHaveLength(12_000);
		expect(new Set(ids).size).toBe(12_000);
		const live = new Set(
			s.sim
				.collection('contact')
				.list()
				.map((r) => r.id),
		);
		expect(ids.every((id: string) => live.has(id))).toBe(true);
		const names = res.value.map((r: Json) => r.lastname as string);
		for (let i = 1; i < names.length; i++)
			expect(coll(names[i - 1], names[i])).toBeLessThanOrEqual(0);
		// Three pages, each one request: 5,000 + 5,000 + 2,000.
		expect(s.sim.log.count({ kind: 'records.list', status: 200 })).toBe(3);
	}, 60_000);
});
