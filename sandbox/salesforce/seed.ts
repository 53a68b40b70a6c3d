/** Deterministic sample data for the Salesforce simulator (inserted through validation, like API writes). */
import type { SeededRandom } from '../kit';
import {
	SAMPLE_COMPANY_KINDS,
	SAMPLE_COMPANY_WORDS,
	SAMPLE_FIRST_NAMES,
	SAMPLE_LAST_NAMES,
} from '../kit/sampleNames';
import type { OrgData, Table } from './data';

/** How many sample records of each object to create. */
export interface SeedCounts {
	accounts?: number;
	contacts?: number;
	leads?: number;
	opportunities?: number;
	cases?: number;
	tasks?: number;
	invoices?: number;
	/** Users (record owners): `seed.user.N@example.com`, every fifth one inactive. */
	users?: number;
}

/** A user to add to the org (`User` is not creatable through the API, as in Salesforce: tests add users directly). */
export interface SimUser {
	email: string;
	lastName: string;
	firstName?: string;
	/** Default true. */
	active?: boolean;
	/** Default: the e-mail (unique in the org). */
	username?: string;
}

/** Adds a user (computed Name, GMT time zone); its id. */
export function insertUser(org: OrgData, user: SimUser): string {
	const users = org.mustTable('User');
	const username = user.username ?? user.email;
	if (users.lookup('Username', username).length > 0)
		throw new Error(`seed: a user with Username ${username} exists already`);
	return users.insert({
		Username: username,
		FirstName: user.firstName ?? null,
		LastName: user.lastName,
		Email: user.email,
		Alias: user.lastName.replace(/[^A-Za-z]/g, '').slice(0, 8) || 'user',
		IsActive: user.active ?? true,
		TimeZoneSidKey: 'GMT',
	}).id;
}

const FIRST = SAMPLE_FIRST_NAMES;
const LAST = [...SAMPLE_LAST_NAMES, "O'Brien"];
const COMPANY = SAMPLE_COMPANY_WORDS;
const KINDS = SAMPLE_COMPANY_KINDS;
const INDUSTRY = [
	'Banking',
	'Consulting',
	'Education',
	'Energy',
	'Finance',
	'Healthcare',
	'Manufacturing',
	'Retail',
	'Technology',
];
const STAGES = [
	'Prospecting',
	'Qualification',
	'Needs Analysis',
	'Proposal/Price Quote',
	'Negotiation/Review',
	'Closed Won',
	'Closed Lost',
];

function insert(org: OrgData, table: Table, input: Record<string, unknown>): string {
	const v = org.validate(table, input, 'create', 'json');
	if (v.errors.length > 0 || v.parseError)
		throw new Error(
			`seed: invalid ${table.object.name}: ${JSON.stringify(v.errors[0] ?? v.parseError)}`,
		);
	return table.insert(v.fields).id;
}

/** Creates sample records; parents first so lookups are valid. Returns the counts created. */
export function seedOrg(
	org: OrgData,
	rng: SeededRandom,
	counts: SeedCounts,
): Record<string, number> {
	const accounts = org.mustTable('Account');
	const contacts = org.mustTable('Contact');
	const accountIds = accounts.collection.list().map((r) => r.id);
	const contactIds = contacts.collection.list().map((r) => r.id);
	const base = (t: Table) => t.collection.count({ includeDeleted: true });
	const a0 = base(accounts);
	for (let i = 0; i < (counts.accounts ?? 0); i++) {
		const name = `${rng.pick(COMPANY)} ${rng.pick(KINDS)} ${a0 + i + 1}`;
		accountIds.push(
			insert(org, accounts, {
				Name: name,
				Industry: rng.pick(INDUSTRY),
				Type: rng.pick(['Prospect', 'Customer - Direct', 'Customer - Channel']),
				NumberOfEmployees: rng.int(1, 5000),
				AnnualRevenue: rng.int(10, 50_000) * 1000,
				Website: `https://${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`,
				BillingCountry: rng.pick(['US', 'GB', 'FR', 'DE', 'JP']),
			}),
		);
	}
	const c0 = base(contacts);
	for (let i = 0; i < (counts.contacts ?? 0); i++) {
		const first = rng.pick(FIRST);
		const last = rng.pick(LAST);
		const n = c0 + i + 1;
		contactIds.push(
			insert(org, contacts, {
				FirstName: first,
				LastName: last,
				Email: `${first}.${last.replace(/[^A-Za-z]/g, '')}.${n}@example.com`.toLowerCase(),
				Title: rng.pick(['CEO', 'CTO', 'Engineer', 'Buyer', 'Analyst']),
				AccountId: accountIds.length > 0 && rng.chance(0.8) ? rng.pick(accountIds) : null,
				External_Id__c: `SEED-C-${n}`,
				LeadSource: rng.pick(['Web', 'Phone Inquiry', 'Partner Referral']),
			}),
		);
	}
	const leads = org.mustTable('Lead');
	const l0 = base(leads);
	for (let i = 0; i < (counts.leads ?? 0); i++) {
		insert(org, leads, {
			FirstName: rng.pick(FIRST),
			LastName: rng.pick(LAST),
			Company: `${rng.pick(COMPANY)} ${rng.pick(KINDS)}`,
			Email: `lead.${l0 + i + 1}@example.org`,
			Rating: rng.pick(['Hot', 'Warm', 'Cold']),
		});
	}
	const opps = org.mustTable('Opportunity');
	const o0 = base(opps);
	for (let i = 0; i < (counts.opportunities ?? 0); i++) {
		insert(org, opps, {
			Name: `Deal ${o0 + i + 1}`,
			AccountId: accountIds.length > 0 ? rng.pick(accountIds) : null,
			StageName: rng.pick(STAGES),
			CloseDate: new Date(Date.UTC(2024, rng.int(0, 11), rng.int(1, 28)))
				.toISOString()
				.slice(0, 10),
			Amount: rng.int(1, 500) * 1000,
		});
	}
	const cases = org.mustTable('Case');
	const k0 = base(cases);
	for (let i = 0; i < (counts.cases ?? 0); i++) {
		insert(org, cases, {
			Subject: `Issue ${k0 + i + 1}`,
			Priority: rng.pick(['High', 'Medium', 'Low']),
			Origin: rng.pick(['Phone', 'Email', 'Web']),
			AccountId: accountIds.length > 0 ? rng.pick(accountIds) : null,
			ContactId: contactIds.length > 0 ? rng.pick(contactIds) : null,
		});
	}
	const tasks = org.mustTable('Task');
	for (let i = 0; i < (counts.tasks ?? 0); i++) {
		insert(org, tasks, {
			Subject: rng.pick(['Call', 'Send Letter', 'Send Quote', 'Other']),
			WhoId: contactIds.length > 0 ? rng.pick(contactIds) : null,
			WhatId: accountIds.length > 0 ? rng.pick(accountIds) : null,
		});
	}
	const invoices = org.mustTable('Invoice__c');
	const i0 = base(invoices);
	for (let i = 0; i < (counts.invoices ?? 0); i++) {
		const n = i0 + i + 1;
		insert(org, invoices, {
			Name: `INV-${String(n).padStart(6, '0')}`,
			Invoice_Number__c: `INV-${String(n).padStart(6, '0')}`,
			Account__c: accountIds.length > 0 ? rng.pick(accountIds) : null,
			Amount__c: rng.int(100, 100_000) / 10,
			Status__c: rng.pick(['Draft', 'Sent', 'Paid']),
		});
	}
	const u0 = base(org.mustTable('User'));
	for (let i = 0; i < (counts.users ?? 0); i++) {
		const n = u0 + i + 1;
		insertUser(org, {
			email: `seed.user.${n}@example.com`,
			firstName: rng.pick(FIRST),
			lastName: rng.pick(LAST),
			active: n % 5 !== 0,
		});
	}
	const out: Record<string, number> = {};
	for (const [k, v] of Object.entries(counts)) out[k] = v ?? 0;
	return out;
}
