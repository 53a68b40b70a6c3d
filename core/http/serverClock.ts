/**
 * The CRM's clock, read from the HTTP `Date` header of its answers. Change feeds (triggers, "changes since"
 * reads) bound their windows by it, never by the host's clock: the n8n host may be minutes or hours off.
 */
import { CrmError } from './errors';

/** The server time (epoch ms, whole seconds) of a response's `Date` header, or undefined when it has none. */
export function serverDate(
	headers: Record<string, string | undefined> | undefined,
): number | undefined {
	const raw = headers?.date ?? headers?.Date;
	if (typeof raw !== 'string' || raw.trim() === '') return undefined;
	const ms = Date.parse(raw);
	return Number.isNaN(ms) ? undefined : ms;
}

/** Like {@link serverDate}, but a missing or unreadable header is an error naming the CRM and the fix. */
export function requireServerDate(
	headers: Record<string, string | undefined> | undefined,
	crm: string,
): number {
	const ms = serverDate(headers);
	if (ms === undefined) {
		throw new CrmError(
			`${crm} sent no readable Date header, so the change window cannot be bounded by ${crm}'s clock`,
			{
				kind: 'fatal',
				hint: 'A proxy between n8n and the CRM probably strips the Date header: let it pass the header through.',
			},
		);
	}
	return ms;
}
