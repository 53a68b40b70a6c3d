/**
 * GraphQL responses and their errors: the wire types, a one-line description of an error (message, code, path, field)
 * and the `CrmError` a response with errors becomes, its kind read from `extensions.code` (the convention of Apollo
 * Server, GitHub, Shopify and most servers).
 */
import { CrmError, type CrmErrorKind } from '../http/errors';
import type { RequestSummary } from '../http/types';

/** One entry of a response's `errors`. */
export interface GraphqlErrorEntry {
	message: string;
	/** Where in `data` the error happened: the (aliased) root field first. Absent for request-level errors. */
	path?: ReadonlyArray<string | number>;
	locations?: ReadonlyArray<{ line: number; column: number }>;
	extensions?: Record<string, unknown>;
}

/** A GraphQL response body. */
export interface GraphqlResult<TData = Record<string, unknown>> {
	data?: TData | null;
	errors?: GraphqlErrorEntry[];
	extensions?: Record<string, unknown>;
}

const KIND_BY_CODE: Record<string, CrmErrorKind> = {
	UNAUTHENTICATED: 'authentication',
	FORBIDDEN: 'permission',
	NOT_FOUND: 'notFound',
	BAD_USER_INPUT: 'validation',
	GRAPHQL_VALIDATION_FAILED: 'validation',
	GRAPHQL_PARSE_FAILED: 'validation',
	CONFLICT: 'conflict',
	RATE_LIMITED: 'rateLimited',
	THROTTLED: 'rateLimited',
};

/** The error code of an entry: `extensions.code`, else a top-level `type` (GitHub's `NOT_FOUND`, `RATE_LIMITED`). */
export function graphqlErrorCode(entry: GraphqlErrorEntry): string | undefined {
	const code = entry.extensions?.code ?? (entry as { type?: unknown }).type;
	return typeof code === 'string' ? code : undefined;
}

/** The input field an entry names (`extensions.field`, or the last name of `extensions.fields[0].field`), if any. */
export function graphqlErrorField(entry: GraphqlErrorEntry): string | undefined {
	const ext = entry.extensions ?? {};
	if (typeof ext.field === 'string') return ext.field;
	const fields = ext.fields;
	if (Array.isArray(fields) && fields[0] && typeof fields[0].field === 'string')
		return fields[0].field;
	return undefined;
}

/** One line: `message (CODE at m3.contact)`. */
export function describeGraphqlError(entry: GraphqlErrorEntry): string {
	const code = graphqlErrorCode(entry);
	const where = entry.path && entry.path.length > 0 ? `at ${entry.path.join('.')}` : '';
	const suffix = [code, where].filter(Boolean).join(' ');
	return suffix ? `${entry.message} (${suffix})` : entry.message;
}

/** The error kind of a set of entries (the first entry with a known code decides; default `validation`). */
export function graphqlErrorKind(errors: readonly GraphqlErrorEntry[]): CrmErrorKind {
	for (const e of errors) {
		const kind = KIND_BY_CODE[graphqlErrorCode(e) ?? ''];
		if (kind) return kind;
	}
	return 'validation';
}

/** The `CrmError` for a response whose `errors` are not acceptable to the caller. */
export function graphqlResponseError(
	errors: readonly GraphqlErrorEntry[],
	request: RequestSummary,
	status?: number,
): CrmError {
	const first = errors[0];
	const more =
		errors.length > 1 ? ` (+${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
	return new CrmError(`GraphQL error: ${describeGraphqlError(first)}${more}`, {
		kind: graphqlErrorKind(errors),
		status,
		crmCode: graphqlErrorCode(first),
		crmMessage: first.message,
		request,
		details: { errors },
		// The server answered; repeating the same document gives the same errors.
		retryable: false,
	});
}

/** Whether a value looks like a GraphQL response body (an object with `data` or `errors`). */
export function isGraphqlResult(body: unknown): body is GraphqlResult {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
	const b = body as Record<string, unknown>;
	return (
		('data' in b && (b.data === null || typeof b.data === 'object')) ||
		(Array.isArray(b.errors) && b.errors.length > 0)
	);
}

/** The entries of `errors` whose path starts at `responseKey`. */
export function errorsAt(
	errors: readonly GraphqlErrorEntry[] | undefined,
	responseKey: string,
): GraphqlErrorEntry[] {
	return (errors ?? []).filter((e) => e.path?.[0] === responseKey);
}
