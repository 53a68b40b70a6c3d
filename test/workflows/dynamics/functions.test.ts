/**
 * Action / Function › Execute through n8n's engine against the Dataverse simulator: unbound functions (WhoAmI,
 * RetrieveVersion, GetTimeZoneCodeByLocalizedName with parameter aliases) and the bound action QualifyLead, many items
 * in one `$batch`; a quote in a parameter value arrives as one text value (it cannot end the literal or add an alias);
 * a failing call fails alone with Dataverse's message.
 */
import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { DynamicsSimulator, type DynamicsSimContract } from '../../../sandbox/dynamics';
import { DATAVERSE_VERSION } from '../../../sandbox/dynamics/actions';
import { run } from './helpers';

const sim = new DynamicsSimulator({ seed: 29 });
let c: DynamicsSimContract;

beforeAll(async () => {
	c = await sim.start();
});
afterAll(async () => {
	clearRateBudgets();
	await sim.stop();
});
beforeEach(() => {
	sim.reset();
	clearRateBudgets();
});

const call = {
	resource: 'action',
	operation: 'execute',
	name: '={{ $json.name }}',
	parameters: '={{ $json.params }}',
};
const since = (before: number) => sim.log.entries({}).slice(before);

it('functions: answers as items, one $batch, a quoted value arrives whole and fails alone', async () => {
	const QUOTED = "Pacific Standard Time' or 1 eq 1&@p2=1033";
	const items = [
		{ name: 'WhoAmI', params: {} },
		{ name: 'RetrieveVersion', params: {} },
		{
			name: 'GetTimeZoneCodeByLocalizedName',
			params: { LocalizedStandardName: 'Pacific Standard Time', LocaleId: 1033 },
		},
		{
			name: 'GetTimeZoneCodeByLocalizedName',
			params: { LocalizedStandardName: QUOTED, LocaleId: 1033 },
		},
		{ name: 'GetTimeZoneCodeByLocalizedName', params: { LocalizedStandardName: "O'Brien Time" } },
		{
			name: 'GetTimeZoneCodeByLocalizedName',
			params: { LocalizedStandardName: 'W. Europe Standard Time', LocaleId: 1033 },
		},
	];
	const before = sim.log.entries({}).length;
	const { ok, failed, failedItems } = await run(c, items, { ...call, callType: 'function' });
	expect(ok).toEqual([
		expect.objectContaining({ UserId: expect.any(String), BusinessUnitId: expect.any(String) }),
		{ Version: DATAVERSE_VERSION },
		{ TimeZoneCode: 4 },
		{ TimeZoneCode: 110 },
	]);
	expect(ok[0]).not.toHaveProperty('@odata.context');
	expect(failedItems).toEqual([3, 4]);
	// The whole text, quote and ampersand included, reached Dataverse as the one parameter value.
	expect(failed[0]).toMatchObject({
		error: `No time zone has the localized name '${QUOTED}'.`,
		details: expect.objectContaining({ status: 400 }),
	});
	expect(String(failed[1].error)).toMatch(/Parameter 'LocaleId' of type 'Edm.Int32' is required/);
	const log = since(before);
	expect(log.filter((e) => e.kind === 'batch')).toHaveLength(1);
	const tz = log.filter((e) => e.kind === 'functions.GetTimeZoneCodeByLocalizedName');
	expect(tz).toHaveLength(4);
	expect(tz[1].query).toEqual({ '@p1': `'${QUOTED.replace(/'/g, "''")}'`, '@p2': '1033' });
	expect(tz[2].query).toEqual({ '@p1': "'O''Brien Time'" });
});

it('the bound action QualifyLead: creates what it is asked for; a closed lead or a missing parameter fails alone', async () => {
	const [open, other, closed] = ['Open', 'Other', 'Closed'].map(
		(n) =>
			sim.createDirect('lead', {
				lastname: n,
				subject: `Deal ${n}`,
				companyname: `${n} Ltd`,
			}).id,
	);
	sim.updateDirect('lead', closed, { statecode: 1, statuscode: 3 });
	const qualify = { CreateAccount: true, CreateContact: true, CreateOpportunity: false, Status: 3 };
	const items = [
		{ id: open, params: qualify },
		{ id: closed, params: qualify },
		{ id: other, params: { CreateAccount: true, CreateContact: false, Status: 3 } },
		{ id: '00000000-0000-4000-8000-0000000000bb', params: qualify },
	];
	const accounts = sim.collection('account').count();
	const before = sim.log.entries({}).length;
	const { ok, failed, failedItems } = await run(
		c,
		items.map((i) => ({ ...i, name: 'QualifyLead' })),
		{ ...call, callType: 'action', binding: 'bound', table: 'leads', recordId: '={{ $json.id }}' },
	);
	expect(failedItems).toEqual([1, 2, 3]);
	expect(String(failed[0].error)).toMatch(/The lead is closed/);
	expect(String(failed[1].error)).toMatch(
		/Parameter 'CreateOpportunity' of type 'Edm.Boolean' is required/,
	);
	expect(String(failed[2].error)).toMatch(/Does Not Exist/);
	expect(ok).toHaveLength(1);
	const created = ok[0].value as Array<Record<string, unknown>>;
	expect(created.map((r) => r['@odata.type'])).toEqual([
		'#Microsoft.Dynamics.CRM.account',
		'#Microsoft.Dynamics.CRM.contact',
	]);
	const accountId = String(created[0].accountid);
	expect(sim.collection('account').get(accountId)?.fields.name).toBe('Open Ltd');
	expect(sim.collection('account').count()).toBe(accounts + 1);
	expect(sim.collection('lead').get(open)?.fields.statecode).toBe(1);
	expect(sim.collection('lead').get(other)?.fields.statecode).toBe(0);
	expect(since(before).filter((e) => e.kind === 'batch')).toHaveLength(1);
	expect(since(before).filter((e) => e.kind === 'actions.QualifyLead')).toHaveLength(4);
});
