/**
 * Deterministic sample records for the Dataverse simulator: system users, accounts (with a primary contact), contacts
 * (half of them under an account) and a few projects. Everything is drawn from the simulator's SeededRandom.
 */
import type { SeededRandom } from '../kit';
import {
	SAMPLE_COMPANY_KINDS,
	SAMPLE_COMPANY_WORDS,
	SAMPLE_FIRST_NAMES,
	SAMPLE_LAST_NAMES,
} from '../kit/sampleNames';
import type { DvData, Rec } from './data';
import { INDUSTRY_OPTIONS } from './tables';

const CITIES = ['Seattle', 'Redmond', 'London', 'Paris', 'Berlin', 'Oslo', 'Lisbon', 'Toronto'];
const TITLES = ['Engineer', 'Buyer', 'CTO', 'Analyst', 'Office Manager', null];

/** Seeds the read-only system users (the application user first); returns their ids. */
export function seedUsers(data: DvData, appUserId: string, ids?: readonly string[]): string[] {
	const t = data.byLogical('systemuser')!;
	const users: Array<[string, string, string]> = [
		['# Sandbox', 'Application User', appUserId],
		['Ada', 'Lovelace', ids?.[1] ?? data.guid()],
		['Grace', 'Hopper', ids?.[2] ?? data.guid()],
		['Alan', 'Turing', ids?.[3] ?? data.guid()],
	];
	return users.map(([first, last, id]) => {
		const mail = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + '@sandbox.example';
		return data.coll(t).create(
			{
				firstname: first,
				lastname: last,
				fullname: `${first} ${last}`,
				internalemailaddress: mail,
				domainname: mail,
				versionnumber: 1,
			},
			{ id },
		).id;
	});
}

/** Creates `counts` sample records; `offset` keeps emails unique across calls. */
export function seedRecords(
	data: DvData,
	rng: SeededRandom,
	ownerId: string,
	offset: number,
	counts: { accounts?: number; contacts?: number; projects?: number },
): void {
	const accountT = data.byLogical('account')!;
	const contactT = data.byLogical('contact')!;
	const projectT = data.byLogical('new_project')!;
	const accounts: Rec[] = [];
	for (let i = 0; i < (counts.accounts ?? 0); i++) {
		const name = `${rng.pick(SAMPLE_COMPANY_WORDS)} ${rng.pick(SAMPLE_COMPANY_KINDS)} ${offset + i + 1}`;
		accounts.push(
			data.create(
				accountT,
				{
					name,
					emailaddress1: `info${offset + i + 1}@${name.split(' ')[0].toLowerCase()}.example`,
					telephone1: `+1 555 01${String(rng.int(0, 99)).padStart(2, '0')}`,
					address1_city: rng.pick(CITIES),
					industrycode: rng.pick(INDUSTRY_OPTIONS)[0],
					revenue: rng.int(1, 500) * 10_000,
				},
				ownerId,
			),
		);
	}
	const pool = accounts.length > 0 ? accounts : data.coll(accountT).list();
	for (let i = 0; i < (counts.contacts ?? 0); i++) {
		const first = rng.pick(SAMPLE_FIRST_NAMES);
		const last = rng.pick([...SAMPLE_LAST_NAMES, "O'Neil"]);
		const parent = pool.length > 0 && rng.chance(0.5) ? rng.pick(pool) : undefined;
		const contact = data.create(
			contactT,
			{
				firstname: first,
				lastname: last,
				emailaddress1:
					`${first}.${last}.${offset + i + 1}`.toLowerCase().replace(/[^a-z0-9.]/g, '') +
					'@example.com',
				jobtitle: rng.pick(TITLES),
				telephone1: `+1 555 02${String(rng.int(0, 99)).padStart(2, '0')}`,
				gendercode: rng.pick([1, 2, null]),
				birthdate: `19${rng.int(50, 99)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`,
				...(parent ? { parentcustomerid: { id: parent.id, logicalName: 'account' } } : {}),
			},
			ownerId,
		);
		if (parent && !parent.fields.primarycontactid) {
			const updated = data.update(accountT, data.coll(accountT).get(parent.id)!, {
				primarycontactid: { id: contact.id, logicalName: 'contact' },
			});
			pool[pool.indexOf(parent)] = updated;
		}
	}
	for (let i = 0; i < (counts.projects ?? 0); i++) {
		const acc = pool.length > 0 ? rng.pick(pool) : undefined;
		data.create(
			projectT,
			{
				new_name: `Project ${offset + i + 1}`,
				new_budget: rng.int(1, 100) * 1000,
				...(acc ? { new_accountid: { id: acc.id, logicalName: 'account' } } : {}),
			},
			ownerId,
		);
	}
}
