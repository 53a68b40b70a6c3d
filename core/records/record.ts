/** Building and checking `CrmRecord`s. */

import { z } from 'zod';

import { parseDate } from './dates';
import { describeValue } from './display';
import type { CrmRecord } from './types';

/** zod schema of a `CrmRecord` (e.g. to check records coming back from a store or another node). */
export const crmRecordSchema = z
	.object({
		id: z.string().min(1).optional(),
		type: z.string().min(1),
		fields: z.record(z.unknown()),
		updatedAt: z.string().datetime({ offset: true }).optional(),
		source: z.string().min(1),
		raw: z.unknown().optional(),
		deleted: z.boolean().optional(),
	})
	.strict();

/** A record could not be built or is not a valid `CrmRecord`. */
export class RecordError extends Error {
	override readonly name = 'RecordError';
}

export interface ToRecordOptions {
	/** The CRM's id; numbers are turned into strings; empty/null means "not created yet". */
	id?: string | number | null;
	/** Last modification time: ISO string, RFC 2822 string, epoch (s/ms) or Date; stored as ISO 8601 UTC. */
	updatedAt?: string | number | Date | null;
	/** The payload as the CRM returned it. */
	raw?: unknown;
}

/**
 * Builds a `CrmRecord`, normalising the id to a string and `updatedAt` to ISO 8601 (UTC).
 *
 * @throws RecordError naming the record when `type`/`source` is empty, `fields` is not an object, or
 *   `updatedAt` is not a date.
 */
export function toRecord(
	type: string,
	source: string,
	fields: Record<string, unknown>,
	options: ToRecordOptions = {},
): CrmRecord {
	const id =
		options.id === undefined || options.id === null || options.id === ''
			? undefined
			: String(options.id);
	const label = `${type || 'record'}${id ? ` ${id}` : ''}`;
	if (typeof type !== 'string' || type.trim() === '')
		throw new RecordError(
			`${label}: the record type is empty — pass the object name (e.g. "Contact")`,
		);
	if (typeof source !== 'string' || source.trim() === '') {
		throw new RecordError(
			`${label}: the record source is empty — pass the system it came from (e.g. "salesforce")`,
		);
	}
	if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
		throw new RecordError(
			`${label}: fields must be an object of field values, got ${describeValue(fields)}`,
		);
	}
	const record: CrmRecord = { type, fields, source };
	if (id !== undefined) record.id = id;
	if (options.updatedAt !== undefined && options.updatedAt !== null && options.updatedAt !== '') {
		const parsed = parseDate(options.updatedAt);
		if (!parsed.ok) {
			throw new RecordError(
				`${label}: updatedAt ${describeValue(options.updatedAt)} is not a valid date (${parsed.reason}) — pass an ISO 8601 timestamp`,
			);
		}
		record.updatedAt = parsed.date.toISOString();
	}
	if (options.raw !== undefined) record.raw = options.raw;
	return record;
}

/** True when `value` is a valid `CrmRecord`. */
export function isCrmRecord(value: unknown): value is CrmRecord {
	return crmRecordSchema.safeParse(value).success;
}

/**
 * Checks that `value` is a `CrmRecord` and returns it typed.
 *
 * @throws RecordError listing each problem with its field (`updatedAt: Invalid datetime`).
 */
export function parseCrmRecord(value: unknown): CrmRecord {
	const result = crmRecordSchema.safeParse(value);
	if (result.success) return result.data as CrmRecord;
	const problems = result.error.issues.map(
		(issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`,
	);
	throw new RecordError(`not a valid CRM record — ${problems.join('; ')}`);
}
