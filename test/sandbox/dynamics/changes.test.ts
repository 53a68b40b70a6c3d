/**
 * Change tracking (`Prefer: odata.track-changes`, `@odata.deltaLink`, `$deltatoken`) through dynamics-web-api and raw
 * HTTP. Expectations come from what the test did and from the simulator's store / change log.
 */
import { ManualClock } from '../../../sandbox/kit';
import { client } from '../helpers';
import { startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

const DAY = 86_400_000;

describe('Dataverse simulator: change tracking', () => {
	let s: StartedDv;
	let token: string;
	const clock = new ManualClock(Date.UTC(2024, 4, 2, 10, 0, 0));

	beforeAll(async () => {
		s = await startDv({ seed: 21, clock, records: { accounts: 4, contacts: 12 } });
		// Long-lived, as the test moves the clock by days (dynamics-web-api's own token is not used after that).
		token = s.sim.issueToken(30 * 86_400);
	});
	afterAll(() => s.sim.stop());

	const raw = (headers: Record<string, string> = {}) =>
		client(`${s.contract.apiUrl}/`, {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json',
			...headers,
		});

	const newContact = async (lastname: string) =>
		(await s.api.create({ collection: 'contacts', data: { lastname } })) as string;

	/** Follows a delta link through all its pages (raw HTTP); returns the items and the next delta link. */
	const follow = async (link: string, headers: Record<string, string> = {}) => {
		const items: Json[] = [];
		let url = link;
		let pages = 0;
		for (;;) {
			const res: { status: number; data: Json } = await raw(headers).get(url);
			expect(res.status).toBe(200);
			pages++;
			items.push(...res.data.value);
			if (res.data['@odata.nextLink']) {
				expect(res.data['@odata.deltaLink']).toBeUndefined();
				url = res.data['@odata.nextLink'];
				continue;
			}
			return { items, deltaLink: res.data['@odata.deltaLink'] as string, pages, last: res };
		}
	};

	it('answers the first tracked query with all rows, Preference-Applied and a delta link', async () => {
		const res = await raw({ Prefer: 'odata.track-changes' }).get('contacts?$select=lastname');
		expect(res.status).toBe(200);
		expect(res.headers['preference-applied']).toBe('odata.track-changes');
		expect(res.data['@odata.context']).toBe(`${s.contract.apiUrl}/$metadata#contacts(lastname)`);
		expect(res.data.value).toHaveLength(s.sim.collection('contact').count());
		const link: string = res.data['@odata.deltaLink'];
		expect(link).toMatch(
			/\/contacts\?\$select=lastname&\$deltatoken=\d+%2105%2f02%2f2024%2010%3a00%3a\d\d$/,
		);
		// Nothing changed: an empty delta with a new link.
		const again = await follow(link);
		expect(again.items).toEqual([]);
		expect(again.last.data['@odata.context']).toBe(
			`${s.contract.apiUrl}/$metadata#contacts(lastname)/$delta`,
		);
		expect(again.deltaLink).toContain('$deltatoken=');
	});

	it('returns exactly the creates and updates (latest version, once) before the deletions', async () => {
		const first = await s.api.retrieveMultiple({
			collection: 'contacts',
			select: ['lastname'],
			trackChanges: true,
		});
		const link = first.oDataDeltaLink!;
		expect(link).toBeDefined();
		const existing = s.sim.collection('contact').list();
		const a = await newContact('Alpha');
		await s.api.update({ collection: 'contacts', key: existing[0].id, data: { lastname: 'One' } });
		await s.api.update({ collection: 'contacts', key: existing[0].id, data: { lastname: 'Two' } });
		await s.api.deleteRecord({ collection: 'contacts', key: existing[1].id });
		const temp = await newContact('Temp');
		await s.api.deleteRecord({ collection: 'contacts', key: temp });
		await s.api.update({ collection: 'contacts', key: a, data: { lastname: 'Alpha2' } });

		const delta = await s.api.retrieveMultiple({ collection: 'contacts' }, link);
		const rows = delta.value.filter((x: Json) => x.reason === undefined);
		const deletions = delta.value.filter((x: Json) => x.reason === 'deleted');
		expect(rows.map((x: Json) => [x.contactid, x.lastname])).toEqual([
			[existing[0].id, 'Two'],
			[a, 'Alpha2'],
		]);
		expect(rows[0]['@odata.etag']).toBe(
			`W/"${s.sim.collection('contact').get(existing[0].id)!.fields.versionnumber}"`,
		);
		// Only the selected columns (and the key).
		expect(
			Object.keys(rows[0])
				.filter((k) => !k.startsWith('@'))
				.sort(),
		).toEqual(['contactid', 'lastname']);
		// A row created and deleted in between comes as a deletion (documented: "they'll get the deleted item").
		expect(deletions.map((x: Json) => x.id)).toEqual([existing[1].id, temp]);
		expect(deletions[0]['@odata.context'] ?? deletions[0].oDataContext).toBe(
			`${s.contract.apiUrl}/$metadata#contacts/$deletedEntity`,
		);
		// Updates before deletions.
		expect(delta.value.findIndex((x: Json) => x.reason === 'deleted')).toBe(rows.length);
		expect(delta.oDataDeltaLink).toBeDefined();
		// The log holds every change: 2 creates, 3 updates, 2 deletes after the token.
		const version = Number(/deltatoken=(\d+)/.exec(link)![1]);
		const after = s.sim.changes.log('contact').filter((e) => e.version > version);
		expect(after.filter((e) => e.deleted)).toHaveLength(2);
		expect(after).toHaveLength(7);
		// `/$count` with the token counts the changes.
		const n = await raw().get(
			`contacts/$count?${link.split('?')[1].replace(/^.*(\$deltatoken)/, '$1')}`,
		);
		expect(Number(n.data)).toBe(4);
		// The next link sees nothing new.
		expect((await follow(delta.oDataDeltaLink!)).items).toEqual([]);
	});

	it('pages the first query (delta link on the last page only) and a large delta, every change once', async () => {
		let res = await raw({ Prefer: 'odata.track-changes,odata.maxpagesize=5' }).get(
			'contacts?$select=lastname',
		);
		expect(res.data['@odata.nextLink']).toBeDefined();
		expect(res.data['@odata.deltaLink']).toBeUndefined();
		expect(res.headers['preference-applied']).toBe('odata.track-changes,odata.maxpagesize=5');
		let seen = res.data.value.length;
		// A change made while the first query is paged must come with its delta link.
		const during = await newContact('During');
		let link: string | undefined;
		while (!link) {
			res = await raw().get(res.data['@odata.nextLink'] ?? '');
			seen += res.data.value.length;
			link = res.data['@odata.deltaLink'];
			if (!link) expect(res.data['@odata.nextLink']).toBeDefined();
		}
		expect(seen).toBeGreaterThanOrEqual(s.sim.collection('contact').count() - 1);

		const live = s.sim.collection('contact').list();
		const created: string[] = [];
		for (let i = 0; i < 12; i++) created.push(await newContact(`Bulk${i}`));
		for (const r of live.slice(0, 6))
			await s.api.update({ collection: 'contacts', key: r.id, data: { firstname: 'X' } });
		for (const r of live.slice(6, 9))
			await s.api.deleteRecord({ collection: 'contacts', key: r.id });

		// The first page of the delta is built; then more changes arrive while the client pages.
		const p1 = await raw({ Prefer: 'odata.maxpagesize=4' }).get(link);
		expect(p1.data.value).toHaveLength(4);
		const late = await newContact('Late');
		await s.api.deleteRecord({ collection: 'contacts', key: created[0] });
		const rest = await follow(p1.data['@odata.nextLink'], { Prefer: 'odata.maxpagesize=4' });
		const items = [...p1.data.value, ...rest.items];
		const ids = items.map((x: Json) => x.contactid ?? x.id);
		expect(new Set(ids).size).toBe(ids.length);
		const expectedRows = [during, ...created, ...live.slice(0, 6).map((r) => r.id)];
		// created[0] was deleted after the delta's first page: served as a row if still there, else next time.
		expect(ids.filter((x) => x !== created[0]).sort()).toEqual(
			[
				...expectedRows.filter((x) => x !== created[0]),
				...live.slice(6, 9).map((r) => r.id),
			].sort(),
		);
		const firstDeletion = items.findIndex((x: Json) => x.reason === 'deleted');
		expect(items.slice(firstDeletion).every((x: Json) => x.reason === 'deleted')).toBe(true);
		// The late changes come with the next token.
		const next = await follow(rest.deltaLink);
		expect(next.items.map((x: Json) => x.contactid ?? x.id)).toEqual([late, created[0]]);
		expect(next.items[1].reason).toBe('deleted');
	});

	it('refuses $filter / $orderby / $expand / $top with change tracking, allows $count', async () => {
		const first = await raw({ Prefer: 'odata.track-changes' }).get('contacts?$select=lastname');
		const link: string = first.data['@odata.deltaLink'];
		for (const opt of [
			"$filter=lastname eq 'A'",
			'$orderby=lastname',
			'$expand=parentcustomerid_account',
			'$top=2',
		]) {
			const name = opt.split('=')[0];
			const withToken = await raw().get(`${link}&${opt}`);
			expect(withToken.status).toBe(400);
			expect(withToken.data.error.message).toBe(
				`The "${name}" query parameter isn't supported when Change Tracking is enabled.`,
			);
			const initial = await raw({ Prefer: 'odata.track-changes' }).get(`contacts?${opt}`);
			expect(initial.status).toBe(400);
		}
		await newContact('Counted');
		const counted = await raw().get(`${link}&$count=true`);
		expect(counted.status).toBe(200);
		expect(counted.data['@odata.count']).toBe(1);
		expect(counted.data.value).toHaveLength(1);
	});

	it('refuses a token older than 7 days (ManualClock) and a malformed one', async () => {
		const first = await raw({ Prefer: 'odata.track-changes' }).get('accounts?$select=name');
		const link: string = first.data['@odata.deltaLink'];
		clock.advance(6 * DAY);
		expect((await raw().get(link)).status).toBe(200);
		clock.advance(DAY + 1000);
		const expired = await raw().get(link);
		expect(expired.status).toBe(400);
		expect(expired.data.error.code).toBe('0x80044352');
		expect(expired.data.error.message).toBe(
			'Version stamp associated with the client has expired. Please perform a full sync.',
		);
		const bad = await raw().get('accounts?$deltatoken=nonsense');
		expect(bad.status).toBe(400);
		// A fresh query gives a working link again.
		const again = await raw({ Prefer: 'odata.track-changes' }).get('accounts?$select=name');
		expect((await raw().get(again.data['@odata.deltaLink'])).status).toBe(200);
	});

	it('refuses track-changes on a table with change tracking off, and says so in EntityDefinitions', async () => {
		const res = await raw({ Prefer: 'odata.track-changes' }).get('new_projects');
		expect(res.status).toBe(400);
		expect(res.data.error.message).toContain("'new_project'");
		expect((await raw().get('new_projects')).status).toBe(200);
		const def = await raw().get(
			"EntityDefinitions(LogicalName='new_project')?$select=ChangeTrackingEnabled",
		);
		expect(def.data.ChangeTrackingEnabled).toBe(false);
		const on = await raw().get(
			"EntityDefinitions(LogicalName='contact')?$select=ChangeTrackingEnabled",
		);
		expect(on.data.ChangeTrackingEnabled).toBe(true);
	});
});
