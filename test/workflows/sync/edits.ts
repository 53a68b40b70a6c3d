/** The scenario's conflicting edits: both sides change every mapped field of a contact to different values. */
import type { Person } from './model';
import type { SyncWorld } from './world';

export interface ConflictEdit {
	email: string;
	/** What Salesforce (a) and HubSpot (b) were set to. */
	a: Partial<Person>;
	b: Partial<Person>;
	/** The values both sides hold after the run (review fields apart), `recent` being the side edited last. */
	expected(recent: 'a' | 'b'): Partial<Person>;
}

const blank = (v: string | null | undefined) => v === null || v === undefined || v.trim() === '';

/** Per contact k: A blanks the city on odd k (so B's wins), B blanks the country every third (so A's wins). */
export function conflictEdits(tag: string, emails: string[]): ConflictEdit[] {
	return emails.map((email, k) => {
		const a: Partial<Person> = {
			lastname: `${tag}A last ${k}`,
			firstname: `${tag}A first ${k}`,
			jobtitle: `${tag}A title ${k}`,
			phone: `+1 100 ${tag}${k}`,
			mobilephone: `+1 101 ${tag}${k}`,
			city: k % 2 ? null : `${tag}A city ${k}`,
			country: `${tag}A country ${k}`,
		};
		const b: Partial<Person> = {
			lastname: `${tag}B last ${k}`,
			firstname: `${tag}B first ${k}`,
			jobtitle: k % 2 ? `Chief ${tag}B ${k}` : `${tag}B title ${k}`,
			phone: `+1 200 ${tag}${k}`,
			mobilephone: `+1 201 ${tag}${k}`,
			city: `${tag}B city ${k}`,
			country: k % 3 === 0 ? '' : `${tag}B country ${k}`,
		};
		return {
			email,
			a,
			b,
			expected: (recent) => ({
				lastname: a.lastname, // A wins (the sync's strategy)
				jobtitle: /chief/i.test(String(b.jobtitle)) ? b.jobtitle : a.jobtitle, // custom rules
				phone: recent === 'a' ? a.phone : b.phone, // most recent
				mobilephone: b.mobilephone, // B wins
				city: blank(a.city) ? b.city : a.city, // A unless blank
				country: blank(b.country) ? a.country : b.country, // B unless blank
			}),
		};
	});
}

/** Record ids by (lower-case) e-mail on each side. */
export function idsByEmail(world: SyncWorld): { a: Map<string, string>; b: Map<string, string> } {
	const by = (records: Array<{ id: string; fields: Record<string, unknown> }>, field: string) =>
		new Map(records.map((r) => [String(r.fields[field] ?? '').toLowerCase(), r.id]));
	return { a: by(world.sfAll(), 'Email'), b: by(world.hsAll(), 'email') };
}
