/**
 * Errors raised by the paginators. They are local to paging (no dependency on the HTTP error
 * taxonomy) and carry enough context for a caller to map them onto its own errors.
 */

/** Longest rendering of a token/URL inside an error message. */
const MAX_SHOWN = 120;

/** Renders a paging token for an error message: strings quoted, long values truncated. */
export function describeToken(token: unknown): string {
	let text: string;
	if (token === undefined) return '(none: first page)';
	if (typeof token === 'string') text = JSON.stringify(token);
	else if (typeof token === 'number' || typeof token === 'boolean' || typeof token === 'bigint')
		text = String(token);
	else {
		try {
			text = JSON.stringify(token) ?? String(token);
		} catch {
			text = String(token);
		}
	}
	return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** Why a paging loop was detected. */
export type PagingLoopReason = 'repeatedToken' | 'repeatedPage';

/**
 * The API handed back a paging token it had already handed out (or the same page twice), so
 * following it would loop forever. Raised instead of looping.
 */
export class PagingLoopError extends Error {
	override readonly name = 'PagingLoopError';

	constructor(
		message: string,
		/** The repeated token (cursor, URL, offset, page number). */
		readonly token: unknown,
		/** Zero-based index of the page whose response repeated it. */
		readonly pageIndex: number,
		/** Zero-based index of the page that first used it. */
		readonly firstSeenAt: number,
		readonly reason: PagingLoopReason,
	) {
		super(message);
	}
}

/** A paging strategy could not read what it needs from a page (e.g. a cursor that is an object). */
export class PagingResponseError extends Error {
	override readonly name = 'PagingResponseError';

	constructor(
		message: string,
		readonly pageIndex: number,
	) {
		super(message);
	}
}
