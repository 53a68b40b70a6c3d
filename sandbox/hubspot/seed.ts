/** Deterministic sample records for the HubSpot simulator. */
import type { SeededRandom } from '../kit';
import { SAMPLE_COMPANY_WORDS, SAMPLE_FIRST_NAMES, SAMPLE_LAST_NAMES } from '../kit/sampleNames';
import type { HubSpotData } from './data';
import type { ObjectTypeDef } from './schema';

/** How many sample records of each type to create. */
export interface HubSpotSeedCounts {
	contacts?: number;
	companies?: number;
	deals?: number;
}

const WORDS = SAMPLE_COMPANY_WORDS.slice(0, 10);
const FIRST = SAMPLE_FIRST_NAMES.slice(0, 10);
const LAST = SAMPLE_LAST_NAMES.slice(0, 10);

/**
 * Creates companies, then contacts and deals each associated to a random company (existing ones included);
 * `base` numbers the names after earlier seeds.
 */
export function seedRecords(
	data: HubSpotData,
	rng: SeededRandom,
	base: number,
	counts: HubSpotSeedCounts,
): void {
	const companies = data.typeById('0-2') as ObjectTypeDef;
	const contacts = data.typeById('0-1') as ObjectTypeDef;
	const deals = data.typeById('0-3') as ObjectTypeDef;
	const companyIds: string[] = data
		.coll(companies)
		.list()
		.map((r) => r.id);
	for (let i = 0; i < (counts.companies ?? 0); i++) {
		const name = `${rng.pick(WORDS)} ${base + i + 1}`;
		const r = data.insert(companies, {
			name,
			domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`,
			industry: rng.pick(['Software', 'Retail', 'Finance']),
			numberofemployees: String(rng.int(1, 5000)),
		});
		companyIds.push(r.id);
	}
	for (let i = 0; i < (counts.contacts ?? 0); i++) {
		const f = rng.pick(FIRST);
		const l = rng.pick(LAST);
		const r = data.insert(contacts, {
			email: `${f}.${l}.${base + i + 1}@example.com`.toLowerCase(),
			firstname: f,
			lastname: l,
			lifecyclestage: rng.pick(['lead', 'customer', 'subscriber']),
		});
		if (companyIds.length > 0)
			data.associations.link('0-1', r.id, '0-2', rng.pick(companyIds), 279);
	}
	for (let i = 0; i < (counts.deals ?? 0); i++) {
		const r = data.insert(deals, {
			dealname: `Deal ${base + i + 1}`,
			amount: String(rng.int(1, 500) * 100),
			pipeline: 'default',
			dealstage: rng.pick(['appointmentscheduled', 'qualifiedtobuy', 'closedwon']),
		});
		if (companyIds.length > 0)
			data.associations.link('0-3', r.id, '0-2', rng.pick(companyIds), 341);
	}
}
