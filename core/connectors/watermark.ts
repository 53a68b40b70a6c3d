/**
 * Where a change read starts, as a user gives it (the "Since" / "Changed Since" parameter of the Get Changes
 * operations): a watermark handed out by an earlier run (`$json.watermark`), or a time. One parser for every CRM:
 *
 * - a watermark is the connector's plain-JSON {@link Watermark}, shown to users as JSON text ({@link formatWatermark});
 *   an object or JSON text is taken as such (the connector checks it belongs to its feed);
 * - the positions earlier versions of the operations handed out are still read, so saved workflows resume where they
 *   stopped: `time|id,id` text (Salesforce `2024-03-05T10:15:00.000+0000|003…`, HubSpot `2025-01-01T00:00:00.005Z|101,102`)
 *   and the `{ timestamp, ids }` cursor — a time and the ids already handed out at exactly that time, which
 *   {@link resolveSince} turns into the connector's watermark (`startWatermark` with `after`);
 * - a time is ISO 8601 (`+0000` offsets included) or epoch milliseconds: changes at or after it.
 */
import { CrmError } from '../http/errors';
import type { ChangeFeedKind, CrmConnector, Watermark } from './contract';

/** A parsed "since": a stored watermark, or a time with the ids already handed out at exactly that time. */
export type Since = { watermark: Watermark } | { at: number; after: string[] };

/** Epoch ms of a time given as epoch ms (number or digits) or ISO 8601 (`+hhmm` offsets too) or another form `Date.parse` reads; NaN when it is none. */
export function timeMs(value: unknown): number {
	if (value instanceof Date) return value.getTime();
	if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
	if (typeof value !== 'string') return Number.NaN;
	const text = value.trim();
	if (/^\d+$/.test(text)) return Number(text);
	return Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function invalid(parameter: string, value: unknown, why?: string): CrmError {
	const shown = typeof value === 'string' ? value : JSON.stringify(value);
	return new CrmError(
		`"${parameter}" must be a watermark from an earlier run or a time, got ${JSON.stringify(
			String(shown ?? '').slice(0, 200),
		)}${why ? ` (${why})` : ''}`,
		{
			kind: 'validation',
			hint: `Set "${parameter}" to the "watermark" of the last item an earlier run handled (e.g. {{ $json.watermark }}), or to a time: ISO 8601 such as 2024-01-31T00:00:00Z, or epoch milliseconds.`,
		},
	);
}

/** A time and ids (`{ timestamp, ids }` cursor, or `time|id,id` text), or undefined when the time is none. */
function position(time: unknown, ids: string[]): Since | undefined {
	const at = timeMs(time);
	return Number.isFinite(at) ? { at, after: ids.filter((id) => id !== '') } : undefined;
}

function fromObject(value: object, parameter: string, raw: unknown): Since {
	if (Array.isArray(value)) throw invalid(parameter, raw, 'a list is neither');
	const v = value as Record<string, unknown>;
	if ('timestamp' in v) {
		// The `{ timestamp, ids }` cursor of earlier HubSpot versions.
		const ids = Array.isArray(v.ids) ? v.ids.map((id) => String(id).trim()) : [];
		const found = position(v.timestamp, ids);
		if (!found) throw invalid(parameter, raw, 'its timestamp is not a time');
		return found;
	}
	if (Object.keys(v).length === 0) throw invalid(parameter, raw, 'an empty object');
	return { watermark: { ...v } as Watermark };
}

/** Reads a user-given "since" (see the module comment); a value that is neither names `parameter` and the fix. */
export function parseSince(value: unknown, parameter: string): Since {
	if (value instanceof Date || typeof value === 'number') {
		const found = position(value, []);
		if (!found) throw invalid(parameter, value);
		return found;
	}
	if (value !== null && typeof value === 'object') return fromObject(value, parameter, value);
	const text = typeof value === 'string' ? value.trim() : '';
	if (text === '') throw invalid(parameter, value ?? '', 'it is empty');
	if (text.startsWith('{')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			throw invalid(parameter, text, 'it is not valid JSON');
		}
		if (parsed === null || typeof parsed !== 'object') throw invalid(parameter, text);
		return fromObject(parsed, parameter, text);
	}
	const bar = text.indexOf('|');
	const ids =
		bar < 0
			? []
			: text
					.slice(bar + 1)
					.split(',')
					.map((id) => id.trim());
	const found = position(bar < 0 ? text : text.slice(0, bar), ids);
	if (!found) throw invalid(parameter, text);
	return found;
}

/** A user-given time (ISO 8601 or epoch ms) as epoch ms; anything else names `parameter` and the fix. */
export function parseTime(value: unknown, parameter: string): number {
	const at = timeMs(value);
	if (Number.isFinite(at)) return at;
	throw new CrmError(
		`"${parameter}" must be a time, got ${JSON.stringify(String(value ?? '').slice(0, 200))}`,
		{
			kind: 'validation',
			hint: `Set "${parameter}" to ISO 8601 such as 2024-01-31T00:00:00Z, or epoch milliseconds.`,
		},
	);
}

/** A watermark as the text items carry (`$json.watermark`): its JSON, which {@link parseSince} reads back as it was. */
export function formatWatermark(watermark: Watermark): string {
	return JSON.stringify(watermark);
}

/** The connector's watermark of the `kind` feed for a parsed "since" (a stored one as it is). */
export async function resolveSince(
	connector: CrmConnector,
	objectType: string,
	since: Since,
	options: { kind?: ChangeFeedKind; signal?: AbortSignal } = {},
): Promise<Watermark> {
	if ('watermark' in since) return since.watermark;
	return await connector.startWatermark(objectType, since.at, {
		kind: options.kind,
		signal: options.signal,
		...(since.after.length ? { after: since.after } : {}),
	});
}
