/** Deterministic sample data for the generic REST simulator. */
import { SeededRandom } from '../kit';
import {
	SAMPLE_COMPANY_KINDS,
	SAMPLE_COMPANY_WORDS,
	SAMPLE_FIRST_NAMES,
	SAMPLE_LAST_NAMES,
} from '../kit/sampleNames';

const FIRST = SAMPLE_FIRST_NAMES;
const LAST = [...SAMPLE_LAST_NAMES, 'van Rossum'];
const STAGES = ['subscriber', 'lead', 'opportunity', 'customer', 'other'] as const;
const TAGS = ['newsletter', 'vip', 'partner', 'trial', 'churn-risk', 'event-2024'];
const COMPANY_WORDS = SAMPLE_COMPANY_WORDS;
const COMPANY_KINDS = SAMPLE_COMPANY_KINDS;
const INDUSTRIES = ['Software', 'Manufacturing', 'Retail', 'Finance', 'Healthcare', 'Logistics'];

/** Company fields for seed index `i` (0-based). */
export function seedCompany(rng: SeededRandom, i: number): Record<string, unknown> {
	const name = `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_KINDS)} ${i + 1}`;
	return {
		name,
		domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`,
		industry: rng.pick(INDUSTRIES),
		employees: rng.int(1, 5000),
		annual_revenue: rng.int(10, 50_000) * 1000,
		founded_at: new Date(
			Date.UTC(rng.int(1950, 2020), rng.int(0, 11), rng.int(1, 28)),
		).toISOString(),
	};
}

/** Contact fields for seed index `i` (0-based); emails are unique per index. */
export function seedContact(
	rng: SeededRandom,
	i: number,
	companyIds: readonly string[],
): Record<string, unknown> {
	const first = rng.pick(FIRST);
	const last = rng.pick(LAST);
	const tagCount = rng.int(0, 2);
	const tags: string[] = [];
	for (let t = 0; t < tagCount; t++) {
		const tag = rng.pick(TAGS);
		if (!tags.includes(tag)) tags.push(tag);
	}
	return {
		email: `${first}.${last}.${i + 1}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
		first_name: first,
		last_name: last,
		phone: `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}`,
		company_id: companyIds.length > 0 ? rng.pick(companyIds) : null,
		lifecycle_stage: rng.pick(STAGES),
		score: rng.int(0, 100),
		subscribed: rng.chance(0.6),
		tags,
	};
}
