/**
 * Owners over the real connectors and their simulators: `SalesforceCrm.listUsers` and `HubSpotCrm.listUsers` over
 * several pages (requests counted in the simulators' logs), then the owner map end to end: a Salesforce Contact
 * owned by user X becomes a HubSpot contact owned by the HubSpot owner with X's e-mail, and back.
 */
import { HubSpotConnector } from '../../core/connectors/hubspot/connector';
import { HubSpotCrm } from '../../core/connectors/hubspot/crm';
import { SalesforceConnector } from '../../core/connectors/salesforce/connector';
import { SalesforceCrm } from '../../core/connectors/salesforce/crm';
import { salesforceDialect } from '../../core/connectors/salesforce/dialect';
import { BearerAuth } from '../../core/http/auth';
import { HttpClient } from '../../core/http/client';
import { compileMapping } from '../../core/records/mapping';
import { buildOwnerMap, ownerTransform } from '../../core/sync/owners';
import { HubSpotSimulator, type HubSpotContract } from '../../sandbox';
import { SalesforceSimulator, type SalesforceSimContract } from '../../sandbox/salesforce';

const sf = new SalesforceSimulator({ seed: 3 });
const hs = new HubSpotSimulator({ rateLimits: false, seed: 5 });
let sfContract: SalesforceSimContract;
let hsContract: HubSpotContract;
const HS_OWNERS = hs.owners.length;

beforeAll(async () => {
	sfContract = await sf.start();
	hsContract = await hs.start();
});
afterAll(async () => {
	await sf.stop();
	await hs.stop();
});
beforeEach(() => {
	sf.reset();
	hs.reset();
	hs.owners.length = HS_OWNERS;
});

function salesforce(): SalesforceCrm {
	const http = new HttpClient({
		auth: new BearerAuth({ token: sfContract.accessToken }),
		dialect: salesforceDialect,
		rateLimit: false,
		retry: { sleep: async () => undefined },
	});
	return new SalesforceCrm(new SalesforceConnector({ instanceUrl: sfContract.instanceUrl, http }));
}

function hubspot(): HubSpotCrm {
	return new HubSpotCrm(
		new HubSpotConnector({
			baseUrl: hsContract.baseUrl,
			accessToken: hsContract.accessToken,
			rateLimit: false,
		}),
	);
}

/** Adds a HubSpot owner; its id. */
function addOwner(email: string, lastName: string, archived = false): string {
	const id = String(70_000_000 + hs.owners.length);
	hs.owners.push({
		id,
		email,
		firstName: 'Owner',
		lastName,
		userId: 7_000 + hs.owners.length,
		archived,
	});
	return id;
}

describe('listUsers over several pages', () => {
	it('SalesforceCrm: one SOQL query on User and its next page (2,000 a page), every user, inactive ones too', async () => {
		const ids = Array.from({ length: 2100 }, (_, i) =>
			sf.addUser({ email: `user.${i}@example.com`, lastName: `User ${i}`, active: i % 3 !== 0 }),
		);
		const users = await salesforce().listUsers();
		expect(sf.log.count({ kind: 'query' })).toBe(1);
		expect(sf.log.count({ kind: 'queryMore' })).toBe(1);
		expect(String(sf.log.entries({ kind: 'query' })[0].query.q)).toBe(
			'SELECT Id, Email, Name, IsActive FROM User ORDER BY Id',
		);
		expect(users).toHaveLength(2101); // with the integration user
		const byId = new Map(users.map((u) => [u.id, u]));
		expect(byId.get(ids[0])).toEqual({
			id: ids[0],
			email: 'user.0@example.com',
			name: 'User 0',
			active: false,
		});
		expect(byId.get(ids[2099])).toMatchObject({ email: 'user.2099@example.com', active: true });
		expect(users.filter((u) => !u.active)).toHaveLength(700);
		expect(byId.get(sf.org.userId)).toMatchObject({ email: sf.username, active: true });
	});

	it('HubSpotCrm: active owners, then archived ones (inactive), 100 a page each', async () => {
		for (let i = 0; i < 250; i++) addOwner(`active.${i}@example.com`, `Active ${i}`);
		for (let i = 0; i < 120; i++) addOwner(`archived.${i}@example.com`, `Archived ${i}`, true);
		const users = await hubspot().listUsers();
		const requests = hs.log.entries({ kind: 'owners.list' });
		// 252 active (with the simulator's own two): 3 pages; 121 archived: 2 pages.
		expect(requests.map((r) => [r.query.archived ?? 'false', r.query.limit])).toEqual([
			['false', '100'],
			['false', '100'],
			['false', '100'],
			['true', '100'],
			['true', '100'],
		]);
		expect(users).toHaveLength(hs.owners.length);
		expect(users.map((u) => u.id).sort()).toEqual(hs.owners.map((o) => o.id).sort());
		expect(users.filter((u) => !u.active).map((u) => u.email)).toHaveLength(121);
		expect(users.find((u) => u.email === 'archived.7@example.com')).toMatchObject({
			name: 'Owner Archived 7',
			active: false,
		});
	});
});

describe('owner mapping end to end (Salesforce ↔ HubSpot by e-mail)', () => {
	it('a Contact owned by user X becomes a HubSpot contact owned by the owner with X’s e-mail, and back', async () => {
		const x = sf.addUser({ email: 'Pat.Owner@Example.com', firstName: 'Pat', lastName: 'Owner' });
		const stranger = sf.addUser({ email: 'only.in.salesforce@example.com', lastName: 'Stranger' });
		const patOwner = addOwner('  pat.owner@example.com', 'Pat');
		const [sfCrm, hsCrm] = [salesforce(), hubspot()];
		const map = await buildOwnerMap(sfCrm, hsCrm);
		expect(map.aToB.get(x)).toBe(patOwner);
		expect(map.unmatched.a.map((u) => u.id)).toContain(stranger);

		const created = await sfCrm.write('create', 'Contact', [
			{ fields: { LastName: 'Lovelace', Email: 'ada@example.com', OwnerId: x } },
			{ fields: { LastName: 'Hopper', Email: 'grace@example.com', OwnerId: stranger } },
		]);
		const sfIds = created.map((r) => (r.ok ? r.value.id : ''));
		const records = await sfCrm.getByIds('Contact', sfIds, ['LastName', 'Email', 'OwnerId']);
		const toHubSpot = compileMapping({
			rules: [
				{ source: 'LastName', target: 'lastname' },
				{ source: 'Email', target: 'email' },
				{
					source: 'OwnerId',
					target: 'hubspot_owner_id',
					transforms: [ownerTransform(map, 'aToB')],
				},
			],
		});
		const [ada, grace] = records.map((r, i) => toHubSpot.map(r?.fields ?? {}, `Contact ${i + 1}`));
		expect(ada).toEqual({
			ok: true,
			value: { lastname: 'Lovelace', email: 'ada@example.com', hubspot_owner_id: patOwner },
		});
		// The stranger has no HubSpot owner: the record is reported, not written with a wrong owner.
		expect(grace).toMatchObject({
			ok: false,
			issues: [{ field: 'hubspot_owner_id', code: 'transform' }],
		});
		if (!grace.ok)
			expect(grace.issues[0].message).toContain(
				`Contact 2, field "hubspot_owner_id": "${stranger}"`,
			);
		if (!ada.ok) throw new Error('unreachable');
		const written = await hsCrm.write('create', 'contacts', [{ fields: ada.value }]);
		expect(written[0].ok).toBe(true);
		const stored = hs.collection('contacts').list();
		expect(stored).toHaveLength(1);
		expect(stored[0].fields.hubspot_owner_id).toBe(patOwner);

		// Back: the HubSpot owner becomes X again on the Salesforce side.
		const hsId = written[0].ok ? written[0].value.id : '';
		const [read] = await hsCrm.getByIds('contacts', [hsId], ['hubspot_owner_id']);
		const toSalesforce = compileMapping({
			rules: [
				{
					source: 'hubspot_owner_id',
					target: 'OwnerId',
					transforms: [ownerTransform(map, 'bToA')],
				},
			],
		});
		const back = toSalesforce.map(read?.fields ?? {});
		expect(back).toEqual({ ok: true, value: { OwnerId: x } });
		const updated = await sfCrm.write('update', 'Contact', [
			{ id: sfIds[1], fields: back.ok ? back.value : {} },
		]);
		expect(updated[0].ok).toBe(true);
		expect(sf.table('Contact').get(sfIds[1])?.fields.OwnerId).toBe(x);
	});

	it('an archived HubSpot owner is mapped but flagged; skipInactive keeps it out of what HubSpot would refuse', async () => {
		const former = sf.addUser({ email: 'former@example.com', lastName: 'Former' });
		const archivedOwner = addOwner('former@example.com', 'Former', true);
		const map = await buildOwnerMap(salesforce(), hubspot());
		expect(map.inactive.map((p) => [p.a.id, p.b.id])).toEqual([[former, archivedOwner]]);
		const hsCrm = hubspot();
		const mapped = (skipInactive: boolean) =>
			compileMapping({
				rules: [
					{ constant: 'Hamilton', target: 'lastname' },
					{
						constant: former,
						target: 'hubspot_owner_id',
						transforms: [ownerTransform(map, 'aToB', { onMissing: 'keep', skipInactive })],
					},
				],
			}).map({});
		const plain = mapped(false);
		expect(plain).toEqual({
			ok: true,
			value: { lastname: 'Hamilton', hubspot_owner_id: archivedOwner },
		});
		// HubSpot refuses an archived owner (not one of the property's options) …
		const refused = await hsCrm.write('create', 'contacts', [
			{ fields: plain.ok ? plain.value : {} },
		]);
		expect(refused[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
		// … so with skipInactive the owner is left out and the record is written.
		const skipped = mapped(true);
		expect(skipped).toEqual({ ok: true, value: { lastname: 'Hamilton' } });
		const written = await hsCrm.write('create', 'contacts', [
			{ fields: skipped.ok ? skipped.value : {} },
		]);
		expect(written[0].ok).toBe(true);
		expect(hs.collection('contacts').list()).toHaveLength(1);
	});
});
