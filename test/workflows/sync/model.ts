/**
 * What the sync scenario expects, computed by the test from what it did (never from the engine): the values each
 * side must hold, per e-mail, in one common shape (HubSpot's names).
 */
import type { SyncWorld } from './world';

export const FIELDS = [
	'email',
	'lastname',
	'firstname',
	'jobtitle',
	'phone',
	'mobilephone',
	'city',
	'country',
] as const;
export type Person = Record<(typeof FIELDS)[number], string | null>;

const SF_NAMES: Record<(typeof FIELDS)[number], string> = {
	email: 'Email',
	lastname: 'LastName',
	firstname: 'FirstName',
	jobtitle: 'Title',
	phone: 'Phone',
	mobilephone: 'MobilePhone',
	city: 'MailingCity',
	country: 'MailingCountry',
};

const text = (x: unknown) => (x === undefined || x === null || x === '' ? null : String(x));

export function person(prefix: string, i: number): Person {
	return {
		email: `${prefix}${i}@example.com`,
		lastname: `Last ${prefix}${i}`,
		firstname: `First ${i}`,
		jobtitle: `Title ${i}`,
		phone: `+1 555 ${String(i).padStart(6, '0')}`,
		mobilephone: `+1 666 ${String(i).padStart(6, '0')}`,
		city: `City ${i % 97}`,
		country: i % 2 ? 'Germany' : 'France',
	};
}

/** Salesforce field names and values of a person (or of some of its fields). */
export function toSalesforce(p: Partial<Person>): Record<string, string | null> {
	const out: Record<string, string | null> = {};
	for (const [k, v] of Object.entries(p)) out[SF_NAMES[k as keyof Person]] = v ?? null;
	return out;
}

/** A record read back from a simulator, in the common shape (e-mails lower-case: both CRMs ignore their case). */
export function commonOf(side: 'a' | 'b', fields: Record<string, unknown>): Person {
	const out = {} as Person;
	for (const f of FIELDS) out[f] = text(side === 'a' ? fields[SF_NAMES[f]] : fields[f]);
	out.email = out.email?.toLowerCase() ?? null;
	return out;
}

/** The expected contents of both sides: e-mail → values. */
export class Model {
	readonly a = new Map<string, Person>();
	readonly b = new Map<string, Person>();

	both(p: Person): void {
		this.a.set(p.email as string, { ...p });
		this.b.set(p.email as string, { ...p });
	}
	set(side: 'a' | 'b', email: string, values: Partial<Person>): void {
		const map = side === 'a' ? this.a : this.b;
		map.set(email, { ...(map.get(email) as Person), ...values });
	}
	remove(email: string): void {
		this.a.delete(email);
		this.b.delete(email);
	}
	/** Linked e-mails in a stable order. */
	emails(): string[] {
		return [...this.a.keys()].filter((e) => this.b.has(e)).sort();
	}
}

const sorted = (records: Person[]) =>
	records.sort((x, y) => String(x.email).localeCompare(String(y.email)));

/** What each side holds now, except the e-mails in `skip` (the ambiguous ones, checked apart). */
export function contents(world: SyncWorld, skip: string[] = []): { a: Person[]; b: Person[] } {
	const keep = (p: Person) => !skip.includes(p.email as string);
	return {
		a: sorted(
			world
				.sfAll()
				.map((r) => commonOf('a', r.fields))
				.filter(keep),
		),
		b: sorted(
			world
				.hsAll()
				.map((r) => commonOf('b', r.fields))
				.filter(keep),
		),
	};
}

/** The model in the same shape. */
export function expected(model: Model): { a: Person[]; b: Person[] } {
	return { a: sorted([...model.a.values()]), b: sorted([...model.b.values()]) };
}
