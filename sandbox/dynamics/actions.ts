/**
 * Dataverse actions and functions beyond `WhoAmI` (auth.ts): the unbound functions `RetrieveVersion()` and
 * `GetTimeZoneCodeByLocalizedName(LocalizedStandardName=@p1,LocaleId=@p2)?@p1='Pacific Standard Time'&@p2=1033`
 * (Microsoft's example of parameter aliases in "Use Web API functions"; answers `{TimeZoneCode}`), and the
 * bound action `POST /leads({id})/Microsoft.Dynamics.CRM.QualifyLead`, which closes the lead as qualified and
 * creates the account, contact and opportunity asked for, answering with references to them
 * (`Collection(Microsoft.Dynamics.CRM.crmbaseentity)`). Other `Microsoft.Dynamics.CRM.*` names → 404 segment.
 */
import type { SandboxRequest, SandboxServer } from '../kit';
import type { DvData, Fields, Rec } from './data';
import type { TableDef } from './schema';
import { API_PATH, DV, odataJson, parseGuid, parseKey } from './wire';

/** The version RetrieveVersion reports (a 9.2 build number). */
export const DATAVERSE_VERSION = '9.2.25063.190';

export class ActionsApi {
	constructor(
		private readonly data: DvData,
		private readonly callerId: () => string,
	) {}

	install(s: SandboxServer): void {
		const version = (req: SandboxRequest) =>
			odataJson({
				'@odata.context': `${req.baseUrl}${API_PATH}/$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse`,
				Version: DATAVERSE_VERSION,
			});
		s.get(`${API_PATH}/RetrieveVersion()`, version, { kind: 'functions.RetrieveVersion' });
		s.get(`${API_PATH}/RetrieveVersion`, version, { kind: 'functions.RetrieveVersion' });
		s.get(`${API_PATH}/GetTimeZoneCodeByLocalizedName(:args)`, (req) => this.timeZoneCode(req), {
			kind: 'functions.GetTimeZoneCodeByLocalizedName',
		});
		s.post(`${API_PATH}/:set(:key)/Microsoft.Dynamics.CRM.:action`, (req) => this.bound(req), {
			kind: 'actions.bound',
		});
	}

	/** `GetTimeZoneCodeByLocalizedName`: both parameters non-nullable; the code of the English standard name. */
	private timeZoneCode(req: SandboxRequest) {
		const args = functionArgs(req);
		const name = args.get('LocalizedStandardName');
		const locale = args.get('LocaleId');
		if (typeof name !== 'string')
			throw DV.bad(
				"Parameter 'LocalizedStandardName' of type 'Edm.String' is required (non-nullable).",
				'0x80040203',
			);
		if (typeof locale !== 'number' || !Number.isInteger(locale))
			throw DV.bad(
				"Parameter 'LocaleId' of type 'Edm.Int32' is required (non-nullable).",
				'0x80040203',
			);
		const code = TIME_ZONES[name];
		// Our wording for an unknown name (Dataverse's not verified).
		if (code === undefined)
			throw DV.bad(`No time zone has the localized name '${name}'.`, '0x80040203');
		return odataJson({
			'@odata.context': `${req.baseUrl}${API_PATH}/$metadata#Microsoft.Dynamics.CRM.GetTimeZoneCodeByLocalizedNameResponse`,
			TimeZoneCode: code,
		});
	}

	private async bound(req: SandboxRequest) {
		const t = this.data.bySet(req.params.set);
		if (!t) throw DV.noSegment(req.params.set);
		const name = req.params.action;
		if (name !== 'QualifyLead' || t.logicalName !== 'lead')
			throw DV.noSegment(`Microsoft.Dynamics.CRM.${name}`);
		req.kind = 'actions.QualifyLead';
		const key = parseKey(req.params.key);
		const lead = this.data.find(t, key);
		if (!lead) throw DV.notFound(t.logicalName, 'id' in key ? key.id : req.params.key);
		return this.qualifyLead(req, t, lead, await req.json<Fields>());
	}

	private async qualifyLead(req: SandboxRequest, t: TableDef, lead: Rec, body: Fields) {
		if (typeof body !== 'object' || body === null)
			throw DV.bad('The request body must be a JSON object.', '0x80048d19');
		// The three booleans and Status are the action's non-nullable parameters.
		for (const p of ['CreateAccount', 'CreateContact', 'CreateOpportunity'])
			if (typeof body[p] !== 'boolean')
				throw DV.bad(
					`Parameter '${p}' of type 'Edm.Boolean' is required (non-nullable).`,
					'0x80040203',
				);
		if (!Number.isInteger(body.Status))
			throw DV.bad(
				"Parameter 'Status' of type 'Edm.Int32' is required (non-nullable).",
				'0x80040203',
			);
		// Our wording for the state checks (Dataverse's codes not verified, see README).
		if (lead.fields.statecode !== 0)
			throw DV.bad(
				'The lead is closed. You cannot convert or qualify a lead that is already closed.',
				'0x80040203',
			);
		if (body.Status !== 3)
			throw DV.bad(
				`${String(body.Status)} is not a valid status code for state code LeadState.Qualified on lead.`,
				'0x80040203',
			);
		const f = lead.fields;
		const owner = this.callerId();
		const created: Array<{ t: TableDef; rec: Rec }> = [];
		const make = (logical: string, fields: Fields) => {
			const tt = this.data.byLogical(logical)!;
			const rec = this.data.create(tt, fields, owner);
			created.push({ t: tt, rec });
			return rec;
		};
		const account = body.CreateAccount
			? make('account', {
					name: f.companyname ?? f.fullname ?? null,
					emailaddress1: f.emailaddress1 ?? null,
				})
			: undefined;
		const contact = body.CreateContact
			? make('contact', {
					firstname: f.firstname ?? null,
					lastname: f.lastname ?? null,
					emailaddress1: f.emailaddress1 ?? null,
					...(account ? { parentcustomerid: { id: account.id, logicalName: 'account' } } : {}),
				})
			: undefined;
		if (body.CreateOpportunity) {
			const customer = account
				? { id: account.id, logicalName: 'account' }
				: contact
					? { id: contact.id, logicalName: 'contact' }
					: this.customer(body.OpportunityCustomerId);
			make('opportunity', {
				name: f.subject ?? f.fullname ?? null,
				...(customer ? { customerid: customer } : {}),
			});
		}
		this.data.update(t, lead, { statecode: 1, statuscode: body.Status });
		return odataJson({
			'@odata.context': `${req.baseUrl}${API_PATH}/$metadata#Collection(Microsoft.Dynamics.CRM.crmbaseentity)`,
			value: created.map(({ t: tt, rec }) => ({
				'@odata.type': `#Microsoft.Dynamics.CRM.${tt.logicalName}`,
				[tt.primaryId]: rec.id,
			})),
		});
	}

	/** `OpportunityCustomerId`: `{"@odata.type": "Microsoft.Dynamics.CRM.account", "accountid": "…"}`. */
	private customer(v: unknown): { id: string; logicalName: string } | undefined {
		if (!v || typeof v !== 'object') return undefined;
		const o = v as Fields;
		const logical = String(o['@odata.type'] ?? '').replace(/^#?Microsoft\.Dynamics\.CRM\./, '');
		if (logical !== 'account' && logical !== 'contact')
			throw DV.bad('OpportunityCustomerId must be an account or a contact.', '0x80040203');
		const t = this.data.byLogical(logical)!;
		const id = parseGuid(String(o[t.primaryId] ?? ''));
		if (!id || !this.data.coll(t).get(id)) throw DV.notFound(logical, String(o[t.primaryId] ?? ''));
		return { id, logicalName: logical };
	}
}

/** Dataverse time zone codes (`timezonedefinition.timezonecode`) of some English standard names. */
const TIME_ZONES: Record<string, number> = {
	'Pacific Standard Time': 4,
	'Mountain Standard Time': 10,
	'Central Standard Time': 20,
	'Eastern Standard Time': 35,
	'GMT Standard Time': 85,
	'W. Europe Standard Time': 110,
};

/**
 * A function's arguments (`Name=@p1,Other=5` in the path, aliases from the query), each an OData literal: `'text'`
 * (quotes doubled inside), `null`, `true` / `false` or a number. A malformed one → 400.
 */
function functionArgs(req: SandboxRequest): Map<string, unknown> {
	const out = new Map<string, unknown>();
	const raw = req.params.args ?? '';
	for (const m of raw.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=('(?:[^']|'')*'|[^,]*)(?:,|$)/g)) {
		if (m[0] === '') break;
		let text = m[2];
		if (text.startsWith('@')) {
			const alias = req.query.get(text);
			if (alias === null) throw DV.bad(`The parameter alias '${text}' has no value.`, '0x80060888');
			text = alias;
		}
		out.set(m[1], literal(text));
	}
	return out;
}

function literal(text: string): unknown {
	if (/^'(?:[^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
	if (text === 'null') return null;
	if (text === 'true' || text === 'false') return text === 'true';
	if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
	throw DV.bad(`Syntax error: '${text}' is not a valid literal.`, '0x80060888');
}
