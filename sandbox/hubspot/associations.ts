/**
 * Associations v4 storage: association types (HubSpot-defined defaults, unlabelled custom-object
 * defaults and user-defined labels, each paired with its inverse) and the links between records. A
 * link is stored in both directions, so reading from either side sees it.
 */

/** `HUBSPOT_DEFINED` or `USER_DEFINED` (labels created through the API, custom-object defaults). */
export type AssociationCategory = 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED';

/** One directed association type. */
export interface AssociationType {
	typeId: number;
	category: AssociationCategory;
	fromObjectTypeId: string;
	toObjectTypeId: string;
	/** `null` for the unlabelled default. */
	label: string | null;
	/** Internal name (e.g. `contact_to_company`). */
	name: string;
	/** The type id of the opposite direction. */
	inverseTypeId: number;
	/** Whether this is the pair's default (unlabelled) type. */
	isDefault: boolean;
}

/** HubSpot's default association type ids between the standard objects: [from, to, typeId, inverse, name, isDefault, label]. */
const STANDARD_TYPES: Array<[string, string, number, number, string, boolean, string | null]> = [
	['0-1', '0-2', 279, 280, 'contact_to_company_unlabeled', true, null],
	['0-1', '0-2', 1, 2, 'contact_to_company', false, 'Primary'],
	['0-3', '0-1', 3, 4, 'deal_to_contact', true, null],
	['0-3', '0-2', 341, 342, 'deal_to_company_unlabeled', true, null],
	['0-3', '0-2', 5, 6, 'deal_to_company', false, 'Primary'],
	['0-5', '0-1', 16, 15, 'ticket_to_contact', true, null],
	['0-5', '0-2', 339, 340, 'ticket_to_company_unlabeled', true, null],
	['0-5', '0-3', 28, 27, 'ticket_to_deal', true, null],
	['0-8', '0-3', 20, 19, 'line_item_to_deal', true, null],
	['0-1', '0-1', 449, 449, 'contact_to_contact', true, null],
	['0-2', '0-2', 450, 450, 'company_to_company', true, null],
];

/** Association types and links. */
export class AssociationStore {
	private readonly types = new Map<number, AssociationType>();
	/** `${from}|${fromId}` → `${to}|${toId}` → type ids. */
	private readonly links = new Map<string, Map<string, Set<number>>>();
	private nextTypeId = 1000;
	private changes = 0;

	/** Increases whenever a link is added or removed (for caches of search results). */
	get version(): number {
		return this.changes;
	}

	constructor() {
		for (const [from, to, id, inverse, name, isDefault, label] of STANDARD_TYPES) {
			this.addPair(from, to, id, inverse, name, 'HUBSPOT_DEFINED', label, isDefault);
		}
	}

	private addPair(
		from: string,
		to: string,
		id: number,
		inverse: number,
		name: string,
		category: AssociationCategory,
		label: string | null,
		isDefault: boolean,
	): void {
		const reverseName = name.replace(/^(\w+?)_to_(\w+?)(_unlabeled)?$/, '$2_to_$1$3');
		this.types.set(id, {
			typeId: id,
			category,
			fromObjectTypeId: from,
			toObjectTypeId: to,
			label,
			name,
			inverseTypeId: inverse,
			isDefault,
		});
		if (inverse !== id) {
			this.types.set(inverse, {
				typeId: inverse,
				category,
				fromObjectTypeId: to,
				toObjectTypeId: from,
				label,
				name: reverseName,
				inverseTypeId: id,
				isDefault,
			});
		}
	}

	/** Creates the unlabelled default pair between two object types (custom objects); returns the forward type. */
	addDefaultPair(from: string, to: string, name: string): AssociationType {
		const existing = this.defaultType(from, to);
		if (existing) return existing;
		const id = this.nextTypeId++;
		const inverse = from === to ? id : this.nextTypeId++;
		this.addPair(from, to, id, inverse, name, 'USER_DEFINED', null, true);
		return this.types.get(id) as AssociationType;
	}

	/** Creates a user-defined label (and its inverse, labelled `inverseLabel` or the same label). */
	addLabel(
		from: string,
		to: string,
		label: string,
		name: string,
		inverseLabel?: string,
	): AssociationType {
		const id = this.nextTypeId++;
		const inverse = this.nextTypeId++;
		this.addPair(from, to, id, inverse, name, 'USER_DEFINED', label, false);
		if (inverseLabel !== undefined)
			(this.types.get(inverse) as AssociationType).label = inverseLabel;
		return this.types.get(id) as AssociationType;
	}

	/** Removes a user-defined label pair. */
	removeLabel(typeId: number): boolean {
		const t = this.types.get(typeId);
		if (!t || t.category === 'HUBSPOT_DEFINED' || t.isDefault) return false;
		this.types.delete(typeId);
		this.types.delete(t.inverseTypeId);
		return true;
	}

	type(typeId: number): AssociationType | undefined {
		return this.types.get(typeId);
	}

	/** Types from one object type to another (labels endpoint). */
	typesBetween(from: string, to: string): AssociationType[] {
		return [...this.types.values()]
			.filter((t) => t.fromObjectTypeId === from && t.toObjectTypeId === to)
			.sort((a, b) => a.typeId - b.typeId);
	}

	/** The unlabelled default type from one object type to another. */
	defaultType(from: string, to: string): AssociationType | undefined {
		return this.typesBetween(from, to).find((t) => t.isDefault && t.label === null);
	}

	/** Links `from` to `to` with a type (and the inverse link). */
	link(from: string, fromId: string, to: string, toId: string, typeId: number): void {
		const t = this.types.get(typeId);
		if (!t) throw new Error(`unknown association type ${typeId}`);
		this.add(`${from}|${fromId}`, `${to}|${toId}`, typeId);
		this.add(`${to}|${toId}`, `${from}|${fromId}`, t.inverseTypeId);
	}

	private add(a: string, b: string, typeId: number): void {
		this.changes++;
		let m = this.links.get(a);
		if (!m) this.links.set(a, (m = new Map()));
		let s = m.get(b);
		if (!s) m.set(b, (s = new Set()));
		s.add(typeId);
	}

	/** Removes links between two records: the given types (and inverses), or all. Returns how many were removed. */
	unlink(from: string, fromId: string, to: string, toId: string, typeIds?: number[]): number {
		const a = `${from}|${fromId}`;
		const b = `${to}|${toId}`;
		const forward = this.links.get(a)?.get(b);
		if (!forward) return 0;
		const remove = typeIds ?? [...forward];
		this.changes++;
		let n = 0;
		for (const id of remove) {
			if (!forward.delete(id)) continue;
			n++;
			const inv = this.types.get(id)?.inverseTypeId;
			if (inv !== undefined) this.links.get(b)?.get(a)?.delete(inv);
		}
		if (forward.size === 0) this.links.get(a)?.delete(b);
		const back = this.links.get(b)?.get(a);
		if (back && back.size === 0) this.links.get(b)?.delete(a);
		return n;
	}

	/** Records of type `to` linked from a record, with their type ids, in id order. */
	linked(from: string, fromId: string, to: string): Array<{ toId: string; typeIds: number[] }> {
		const m = this.links.get(`${from}|${fromId}`);
		if (!m) return [];
		const out: Array<{ toId: string; typeIds: number[] }> = [];
		for (const [key, ids] of m) {
			const bar = key.indexOf('|');
			if (key.slice(0, bar) !== to || ids.size === 0) continue;
			out.push({ toId: key.slice(bar + 1), typeIds: [...ids].sort((x, y) => x - y) });
		}
		return out.sort((x, y) => Number(x.toId) - Number(y.toId));
	}

	/** Removes every link of a record (when it is archived). */
	dropRecord(type: string, id: string): void {
		const key = `${type}|${id}`;
		const m = this.links.get(key);
		if (!m) return;
		this.changes++;
		for (const other of m.keys()) this.links.get(other)?.delete(key);
		this.links.delete(key);
	}

	/** Forgets every link (types stay). */
	clearLinks(): void {
		this.changes++;
		this.links.clear();
	}
}
