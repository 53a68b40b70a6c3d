/**
 * Resources of the generic REST simulator and their field validation. Validation errors name the field,
 * a machine code and a message, as typical JSON APIs do.
 */

/** Field value types. */
export type FieldType =
	| 'string'
	| 'email'
	| 'integer'
	| 'number'
	| 'boolean'
	| 'datetime'
	| 'string[]';

/** One field of a resource. */
export interface FieldDef {
	type: FieldType;
	required?: boolean;
	maxLength?: number;
	min?: number;
	max?: number;
	enum?: readonly string[];
	/** Unique among live records (case-insensitive for strings). */
	unique?: boolean;
}

/** A resource (collection) of the simulator. */
export interface ResourceDef {
	/** Path segment, e.g. `contacts`. */
	name: string;
	fields: Readonly<Record<string, FieldDef>>;
}

/** One validation problem. */
export interface FieldError {
	field: string;
	code:
		| 'required'
		| 'invalid_type'
		| 'invalid_format'
		| 'too_long'
		| 'out_of_range'
		| 'invalid_value'
		| 'unknown_field'
		| 'read_only'
		| 'duplicate';
	message: string;
}

/** The built-in resources: contacts and companies. */
export const DEFAULT_RESOURCES: readonly ResourceDef[] = [
	{
		name: 'contacts',
		fields: {
			email: { type: 'email', required: true, maxLength: 254, unique: true },
			first_name: { type: 'string', maxLength: 80 },
			last_name: { type: 'string', required: true, maxLength: 80 },
			phone: { type: 'string', maxLength: 40 },
			company_id: { type: 'string', maxLength: 40 },
			lifecycle_stage: {
				type: 'string',
				enum: ['subscriber', 'lead', 'opportunity', 'customer', 'other'],
			},
			score: { type: 'integer', min: 0, max: 100 },
			subscribed: { type: 'boolean' },
			tags: { type: 'string[]' },
		},
	},
	{
		name: 'companies',
		fields: {
			name: { type: 'string', required: true, maxLength: 255 },
			domain: { type: 'string', maxLength: 255, unique: true },
			industry: { type: 'string', maxLength: 80 },
			employees: { type: 'integer', min: 0 },
			annual_revenue: { type: 'number', min: 0 },
			founded_at: { type: 'datetime' },
		},
	},
];

/** Fields the server owns; clients may send them back unchanged but never set them. */
export const READ_ONLY_FIELDS = new Set(['id', 'created_at', 'updated_at']);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function checkValue(name: string, def: FieldDef, value: unknown): FieldError | undefined {
	const err = (code: FieldError['code'], message: string): FieldError => ({
		field: name,
		code,
		message,
	});
	switch (def.type) {
		case 'string':
		case 'email':
		case 'datetime': {
			if (typeof value !== 'string') return err('invalid_type', `${name} must be a string`);
			if (def.maxLength !== undefined && value.length > def.maxLength)
				return err('too_long', `${name} must be at most ${def.maxLength} characters`);
			if (def.type === 'email' && !EMAIL.test(value))
				return err('invalid_format', `${name} must be a valid email address`);
			if (def.type === 'datetime' && (!ISO_DATETIME.test(value) || Number.isNaN(Date.parse(value))))
				return err('invalid_format', `${name} must be an ISO 8601 date-time`);
			if (def.enum && !def.enum.includes(value))
				return err('invalid_value', `${name} must be one of ${def.enum.join(', ')}`);
			return undefined;
		}
		case 'integer':
		case 'number': {
			if (typeof value !== 'number' || !Number.isFinite(value))
				return err('invalid_type', `${name} must be a number`);
			if (def.type === 'integer' && !Number.isInteger(value))
				return err('invalid_type', `${name} must be an integer`);
			if (
				(def.min !== undefined && value < def.min) ||
				(def.max !== undefined && value > def.max)
			) {
				return err(
					'out_of_range',
					`${name} must be between ${def.min ?? '-∞'} and ${def.max ?? '∞'}`,
				);
			}
			return undefined;
		}
		case 'boolean':
			return typeof value === 'boolean'
				? undefined
				: err('invalid_type', `${name} must be a boolean`);
		case 'string[]':
			return Array.isArray(value) && value.every((v) => typeof v === 'string')
				? undefined
				: err('invalid_type', `${name} must be an array of strings`);
		default:
			return err('invalid_type', `${name} has an unsupported type`);
	}
}

/**
 * Validates a record body. `partial` (PATCH) checks only the fields given. Read-only fields are
 * ignored (`id` excepted when `allowId`), unknown fields are errors. Returns the writable fields and
 * the errors found.
 */
export function validateFields(
	resource: ResourceDef,
	input: unknown,
	options: { partial: boolean },
): { fields: Record<string, unknown>; errors: FieldError[] } {
	const errors: FieldError[] = [];
	const fields: Record<string, unknown> = {};
	if (typeof input !== 'object' || input === null || Array.isArray(input)) {
		return {
			fields,
			errors: [
				{ field: '(body)', code: 'invalid_type', message: 'The record must be a JSON object' },
			],
		};
	}
	for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
		if (READ_ONLY_FIELDS.has(name)) continue;
		const def = resource.fields[name];
		if (!def) {
			errors.push({
				field: name,
				code: 'unknown_field',
				message: `${name} is not a field of ${resource.name}`,
			});
			continue;
		}
		if (value === null) {
			if (def.required)
				errors.push({ field: name, code: 'required', message: `${name} is required` });
			else fields[name] = null;
			continue;
		}
		const problem = checkValue(name, def, value);
		if (problem) errors.push(problem);
		else fields[name] = value;
	}
	if (!options.partial) {
		for (const [name, def] of Object.entries(resource.fields)) {
			if (
				def.required &&
				!(name in (input as Record<string, unknown>)) &&
				!errors.some((e) => e.field === name)
			) {
				errors.push({ field: name, code: 'required', message: `${name} is required` });
			}
		}
	}
	return { fields, errors };
}
