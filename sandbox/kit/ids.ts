/**
 * Record id generators with each vendor's real format: Salesforce 15/18-character ids with a key prefix
 * and the case-safe checksum suffix, HubSpot numeric ids, Dataverse GUIDs, and plain sequences.
 */
import { SeededRandom } from './rng';

/** Produces the next id for a collection. */
export type IdGenerator = () => string;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The 3-character case-safe suffix Salesforce appends to a 15-character id: for each 5-character chunk,
 * a 5-bit number whose bit i is set when character i is an upper-case letter, mapped onto `A–Z0–5`.
 */
export function salesforceChecksum(id15: string): string {
	if (!/^[0-9A-Za-z]{15}$/.test(id15)) throw new Error(`Not a 15-character Salesforce id: ${id15}`);
	let suffix = '';
	for (let chunk = 0; chunk < 3; chunk++) {
		let bits = 0;
		for (let i = 0; i < 5; i++) {
			const c = id15.charCodeAt(chunk * 5 + i);
			if (c >= 65 && c <= 90) bits |= 1 << i;
		}
		suffix += CHECKSUM_ALPHABET[bits];
	}
	return suffix;
}

/** Converts a 15-character id to its 18-character case-safe form (18-character ids are checked and returned). */
export function toCaseSafeId(id: string): string {
	if (id.length === 18) {
		if (!isValidSalesforceId(id)) throw new Error(`Invalid 18-character Salesforce id: ${id}`);
		return id;
	}
	return id + salesforceChecksum(id);
}

/** Whether a string is a well-formed Salesforce id (15 characters, or 18 with a correct checksum). */
export function isValidSalesforceId(id: string): boolean {
	if (/^[0-9A-Za-z]{15}$/.test(id)) return true;
	if (!/^[0-9A-Za-z]{18}$/.test(id)) return false;
	return salesforceChecksum(id.slice(0, 15)) === id.slice(15);
}

/**
 * Recovers the 15-character id from an 18-character one; the checksum makes the comparison case-insensitive,
 * so `toCaseSafeId(normalizeSalesforceId(x.toLowerCase()))` restores the original casing.
 */
export function normalizeSalesforceId(id: string): string {
	if (id.length === 15) return id;
	if (id.length !== 18) throw new Error(`Not a Salesforce id: ${id}`);
	const suffix = id.slice(15).toUpperCase();
	let out = '';
	for (let chunk = 0; chunk < 3; chunk++) {
		const bits = CHECKSUM_ALPHABET.indexOf(suffix[chunk]);
		if (bits < 0) throw new Error(`Invalid Salesforce id checksum: ${id}`);
		for (let i = 0; i < 5; i++) {
			const ch = id[chunk * 5 + i];
			out += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
		}
	}
	return out;
}

/** Encodes a non-negative integer in base 62 (`0-9A-Za-z`), left-padded with `0` to `width`. */
export function toBase62(value: number, width: number): string {
	if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`toBase62: ${value}`);
	let s = '';
	let v = value;
	do {
		s = BASE62[v % 62] + s;
		v = Math.floor(v / 62);
	} while (v > 0);
	if (s.length > width)
		throw new RangeError(`toBase62: ${value} does not fit in ${width} characters`);
	return s.padStart(width, '0');
}

/** Options for {@link salesforceIdGenerator}. */
export interface SalesforceIdOptions {
	/** 2-character instance (pod) identifier (default `5g`). */
	instance?: string;
	/** First sequence number (default 1). */
	start?: number;
	/** Return the 15-character form instead of 18 (default false). */
	fifteen?: boolean;
}

/**
 * Salesforce ids for one object: key prefix (e.g. `001` Account, `003` Contact, `00Q` Lead), 2-character
 * instance, a reserved `0`, a 9-character base-62 sequence, then the case-safe suffix.
 */
export function salesforceIdGenerator(
	keyPrefix: string,
	options: SalesforceIdOptions = {},
): IdGenerator {
	if (!/^[0-9A-Za-z]{3}$/.test(keyPrefix))
		throw new Error(`Salesforce key prefix must be 3 characters: ${keyPrefix}`);
	const instance = options.instance ?? '5g';
	if (!/^[0-9A-Za-z]{2}$/.test(instance))
		throw new Error(`Salesforce instance must be 2 characters: ${instance}`);
	let seq = options.start ?? 1;
	return () => {
		const id15 = `${keyPrefix}${instance}0${toBase62(seq++, 9)}`;
		return options.fifteen ? id15 : id15 + salesforceChecksum(id15);
	};
}

/** HubSpot-style numeric ids (as strings), increasing by `step` from `start`. */
export function numericIdGenerator(start = 1, step = 1): IdGenerator {
	let next = start;
	return () => {
		const id = String(next);
		next += step;
		return id;
	};
}

/** Version-4-shaped GUIDs (Dataverse ids), reproducible from a seed. */
export function guidGenerator(seed = 1): IdGenerator {
	const rng = new SeededRandom(seed);
	return () => {
		const b = rng.bytes(16);
		b[6] = (b[6] & 0x0f) | 0x40;
		b[8] = (b[8] & 0x3f) | 0x80;
		const h = b.toString('hex');
		return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
	};
}

/** Ids like `ct_000001`: a prefix and a zero-padded sequence. */
export function prefixedIdGenerator(prefix: string, width = 6, start = 1): IdGenerator {
	let next = start;
	return () => `${prefix}${String(next++).padStart(width, '0')}`;
}
