/**
 * What the GraphQL node makes of answers: the operation and variables of an item, the records at a path of the
 * answer, and the item error of GraphQL errors (every message with its path and code, partial data kept) or of a lost
 * answer to a mutation ("outcome unknown").
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { BATCH_CODES } from '../../../core/batching/types';
import { graphqlErrorsOf, prepareOperation } from '../../../core/graphql/client';
import {
	describeGraphqlError,
	graphqlErrorCode,
	graphqlErrorField,
	type GraphqlErrorEntry,
} from '../../../core/graphql/errors';
import { isCrmError } from '../../../core/http/errors';
import { getPath } from '../../../core/records/path';
import type { ItemError } from '../../shared/items';
import { jsonParameter } from '../../shared/http/description';
import { describeHttpError, outcomeUnknown } from '../../shared/http/errors';

/** One item's operation. */
export interface ItemOperation {
	query: string;
	variables: Record<string, unknown>;
	operationName?: string;
	mutation: boolean;
	/** Options → Safe to Repeat. */
	safe: boolean;
}

/** Reads item `i`'s document, variables (a JSON object) and operation name; checks the document parses. */
export function readOperation(ctx: IExecuteFunctions, i: number): ItemOperation {
	const query = String(ctx.getNodeParameter('query', i, '')).trim();
	if (query === '') throw new Error('Query is empty: write the GraphQL document to send');
	const variables = jsonParameter(ctx, 'variables', 'Variables', i) ?? {};
	if (typeof variables !== 'object' || variables === null || Array.isArray(variables))
		throw new Error('Variables must be a JSON object, e.g. {"first": 100}');
	const operationName = String(ctx.getNodeParameter('operationName', i, '')).trim() || undefined;
	const prepared = prepareOperation(query, operationName);
	return {
		query,
		variables: variables as Record<string, unknown>,
		operationName,
		mutation: prepared.operation === 'mutation',
		safe: ctx.getNodeParameter('options.idempotent', i, false) as boolean,
	};
}

/** The answer of an operation that ran with errors (its partial data kept). */
export class GraphqlItemError extends Error {
	constructor(
		readonly errors: GraphqlErrorEntry[],
		readonly data: unknown,
	) {
		super(`GraphQL error: ${errors.map(describeGraphqlError).join('; ')}`);
	}
}

/** The item error of GraphQL errors: every message with its path, code and field; the partial data if any. */
export function graphqlItemError(errors: GraphqlErrorEntry[], data?: unknown): ItemError {
	const first = errors[0];
	return {
		message: `GraphQL error: ${errors.map(describeGraphqlError).join('; ')}`,
		code: graphqlErrorCode(first) ?? 'GRAPHQL_ERROR',
		details: {
			errors: errors.map((e) => ({
				message: e.message,
				...(e.path ? { path: e.path.join('.') } : {}),
				...(graphqlErrorCode(e) ? { code: graphqlErrorCode(e) } : {}),
				...(graphqlErrorField(e) ? { field: graphqlErrorField(e) } : {}),
			})),
			...(data !== undefined && data !== null ? { data: data as IDataObject } : {}),
		},
	};
}

/** The reason of a failed operation, as an item's error (`mutation`/`safe`: whether a lost answer is unknown). */
export function describeGraphqlFailure(
	error: unknown,
	mutation: boolean,
	safe: boolean,
): ItemError {
	if (error instanceof GraphqlItemError) return graphqlItemError(error.errors, error.data);
	if (mutation && !safe && outcomeUnknown(error, 'POST', false) && isCrmError(error))
		return {
			message: `outcome unknown: the mutation was sent but its answer was lost (${error.message}) — it may or may not have been applied. Check in the API before re-running this item: re-running it may apply it twice. (Turn on "Safe to Repeat" in the options when it is, to let the node retry it.)`,
			code: BATCH_CODES.outcomeUnknown,
			details: { networkCode: error.networkCode, status: error.status },
		};
	const errors = graphqlErrorsOf(error);
	if (errors && errors.length > 0) {
		const reason = graphqlItemError(errors);
		return {
			...reason,
			details: {
				status: isCrmError(error) ? error.status : undefined,
				...(reason.details as IDataObject),
			},
		};
	}
	return describeHttpError(error, 'POST', true);
}

const asItem = (value: unknown): IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: { value: value as IDataObject[keyof IDataObject] };

/**
 * The records of an answer's `data`: the list at `recordsPath` (`data.contacts.nodes` or `contacts.nodes`), one item
 * each, or the object there as one item; empty path: the whole `data`. Throws when the path leads nowhere.
 */
export function selectRecords(data: unknown, recordsPath: string): IDataObject[] {
	const path = recordsPath.replace(/^data(\.|$)/, '');
	const value = path === '' ? data : getPath(data, path);
	if (Array.isArray(value)) return value.map(asItem);
	if (value !== undefined && value !== null) return [asItem(value)];
	const keys = data !== null && typeof data === 'object' ? Object.keys(data).join(', ') : '';
	throw new Error(
		`Records Path "${recordsPath}" ${value === null ? 'is null in the answer (nothing found)' : 'is not in the answer'}${keys ? ` — data holds: ${keys}` : ''}: fix the Records Path, or leave it empty to get the whole data`,
	);
}
