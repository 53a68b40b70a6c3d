/**
 * The record model every connector reads and writes, and the contract of field mapping.
 * (Shared by core/records/mapping.ts, which implements it, and the Field Mapper node, which uses it.)
 */

/** One CRM record: nodes show `fields` as the item's JSON. */
export interface CrmRecord {
	/** The CRM's id (Salesforce Id, HubSpot hs_object_id, Dataverse GUID); undefined before creation. */
	id?: string;
	/** Object type: `Contact`, `contacts`, `contact`, `Custom__c` … */
	type: string;
	/** Field values by API name. */
	fields: Record<string, unknown>;
	/** Last modification time as an ISO-8601 string, when the CRM says. */
	updatedAt?: string;
	/** Which system it came from (e.g. `salesforce`, `hubspot`, `dynamics`, `rest`). */
	source: string;
	/** The payload as the CRM returned it. */
	raw?: unknown;
	/** True for a deletion read from a change feed (then `fields` may be empty). */
	deleted?: boolean;
}

/** A transform step applied to a value, in order. */
export type Transform =
	| { type: 'trim' }
	| { type: 'lowercase' }
	| { type: 'uppercase' }
	| { type: 'titlecase' }
	| { type: 'toNumber'; decimalSeparator?: '.' | ',' }
	/** Like toNumber, then requires a whole number; `rounding` (default `error`) says what to do with a fraction. */
	| {
			type: 'toInteger';
			decimalSeparator?: '.' | ',';
			rounding?: 'error' | 'round' | 'floor' | 'ceil' | 'trunc';
	  }
	| { type: 'toBoolean'; trueValues?: string[]; falseValues?: string[] }
	/** Parses a date/time and outputs it as `iso` (full timestamp), `date` (YYYY-MM-DD) or `epochMs`.
	 * `inputFormat` is a Luxon-style format (e.g. `dd/MM/yyyy`); without it ISO 8601, RFC 2822, epoch seconds/ms are accepted.
	 * Times without an offset are read in `timezone` (IANA, e.g. `Europe/Berlin`), UTC by default. */
	| { type: 'toDate'; inputFormat?: string; output?: 'iso' | 'date' | 'epochMs'; timezone?: string }
	| { type: 'toString' }
	| { type: 'split'; separator: string }
	| { type: 'join'; separator: string }
	/** Replaces a value by its entry in `table`; missing keys give `fallback` (undefined when not set), or an error when `strict`. */
	| {
			type: 'lookup';
			table: Record<string, unknown>;
			fallback?: unknown;
			strict?: boolean;
			caseInsensitive?: boolean;
	  }
	/** Replaces every occurrence of `pattern` (literal text, or a regular expression when `regex`; `flags` such as `i`
	 * add to the implied `g`; `$1` in `replacement` refers to a group only in regex mode). */
	| { type: 'replace'; pattern: string; replacement: string; regex?: boolean; flags?: string }
	| { type: 'truncate'; length: number }
	| { type: 'emptyToNull' };

/** The type a mapped value must have after its transforms (validated with zod). */
export type FieldType =
	| 'any'
	| 'string'
	| 'number'
	| 'integer'
	| 'boolean'
	| 'date'
	| 'datetime'
	| 'email'
	| 'url'
	| 'array';

/** How one target field is produced. Exactly one of `source` / `constant` must be set. */
export interface FieldRule {
	/** Target field name; dots create nested objects (`address.city`). */
	target: string;
	/** Source field path in the input (`firstName`, `address.city`, `emails[0]`). */
	source?: string;
	/** A fixed value instead of a source. */
	constant?: unknown;
	/** Used when the source value is missing, null or an empty string. */
	default?: unknown;
	transforms?: Transform[];
	/** Expected type after transforms; default `any`. */
	type?: FieldType;
	/** Missing/empty after transforms and default is an error. */
	required?: boolean;
	/** Extra checks: min/max length for strings and arrays, min/max for numbers, a regex pattern, allowed values. */
	minLength?: number;
	maxLength?: number;
	min?: number;
	max?: number;
	pattern?: string;
	oneOf?: unknown[];
}

export interface MappingSpec {
	rules: FieldRule[];
	/** Copy input fields that no rule reads into the output unchanged (default false). */
	keepUnmapped?: boolean;
	/** Leave out target fields whose final value is undefined (default true); null is kept. */
	dropUndefined?: boolean;
}

/** One problem with one field of one record. */
export interface MappingIssue {
	/** Target field the problem is about (or the source path, when the source is at fault). */
	field: string;
	/** Human message naming the record, the field and the fix, e.g.
	 * `Record 3, field "email": "bob@" is not a valid email address — fix the source value or remove the "email" type check`. */
	message: string;
	/** Machine code: `required`, `type`, `transform`, `constraint`. */
	code: 'required' | 'type' | 'transform' | 'constraint';
	/** The rule's source path, when it has one. */
	source?: string;
	/** Zero-based index of the rule in the spec. */
	rule?: number;
}

export type MappingResult =
	| { ok: true; value: Record<string, unknown> }
	| { ok: false; issues: MappingIssue[]; partial: Record<string, unknown> };

export interface CompiledMapping {
	/** Maps one input object. `recordLabel` (e.g. `item 3` or `Contact 003xx`) prefixes every message. */
	map(input: Record<string, unknown>, recordLabel?: string): MappingResult;
}
