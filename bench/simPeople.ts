/** The CRM Sync benchmark's people and simulator settings, shared by the bench process and the simulators' child. */

/** The sides a scenario can use: Salesforce Contact and Lead, HubSpot contacts, Dataverse contacts. */
export type SimSide = 'sf' | 'sfLead' | 'hs' | 'dv';
export const LATENCY_MS = 40;
export const HUBSPOT_LIMITS = { tenSecondly: 190, searchPerSecond: 5 };
export const SALESFORCE_DAILY_LIMIT = 100_000;

/** The common shape of person `i` (HubSpot's names); the e-mail is the match key. */
export const person = (i: number) => ({
	email: `p${i}@example.com`,
	lastname: `Last ${i}`,
	firstname: 'Bench',
	jobtitle: `Title ${i % 50}`,
	company: `Company ${i % 100}`,
});

/** Each side's field per common field (email first: the match key). */
export const FIELD_NAMES: Record<SimSide, Record<keyof ReturnType<typeof person>, string>> = {
	sf: {
		email: 'Email',
		lastname: 'LastName',
		firstname: 'FirstName',
		jobtitle: 'Title',
		company: 'Department',
	},
	sfLead: {
		email: 'Email',
		lastname: 'LastName',
		firstname: 'FirstName',
		jobtitle: 'Title',
		company: 'Company',
	},
	hs: {
		email: 'email',
		lastname: 'lastname',
		firstname: 'firstname',
		jobtitle: 'jobtitle',
		company: 'company',
	},
	dv: {
		email: 'emailaddress1',
		lastname: 'lastname',
		firstname: 'firstname',
		jobtitle: 'jobtitle',
		company: '', // Dataverse's contact has no text field for it (its company is a lookup)
	},
};
