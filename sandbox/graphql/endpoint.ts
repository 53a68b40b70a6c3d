/**
 * GraphQL over HTTP, the way common servers answer it (Apollo Server, GitHub, graphql-http):
 * - `POST` with `application/json` `{query, variables?, operationName?}`, or `GET ?query=&variables=&operationName=`
 *   (queries only: a mutation over GET answers 405 with `Allow: POST`);
 * - a request that cannot run (no query, bad JSON, parse or validation errors, unknown operation, variables that do
 *   not coerce, a limit exceeded) answers 400 with `{errors}` and no `data`;
 * - a request that ran answers 200 with `{data, errors?}`: a failed field is null and its error carries `path` (the
 *   alias) and `extensions.code`, while the other fields keep their data.
 */
import {
	execute,
	getOperationAST,
	GraphQLError,
	Kind,
	parse,
	validate,
	type DocumentNode,
	type FragmentDefinitionNode,
	type GraphQLSchema,
} from 'graphql';
import { HttpError, json, type Reply, type SandboxRequest } from '../kit';
import { checkOperation, measureOperation, type OperationLimits } from './limits';
import type { GraphqlContext } from './schema';

/** The parts of a GraphQL request. */
interface GraphqlParams {
	query?: unknown;
	variables?: unknown;
	operationName?: unknown;
}

/** A 4xx answer in the GraphQL error format. */
export function requestError(
	status: number,
	message: string,
	code: string,
	headers: Record<string, string> = {},
	extensions: Record<string, unknown> = {},
): Reply {
	return json({ errors: [{ message, extensions: { code, ...extensions } }] }, status, headers);
}

function errorsReply(status: number, errors: readonly GraphQLError[], code: string): Reply {
	return json(
		{
			errors: errors.map((e) => {
				const out = e.toJSON();
				return { ...out, extensions: { code, ...out.extensions } };
			}),
		},
		status,
	);
}

async function readParams(req: SandboxRequest): Promise<GraphqlParams> {
	if (req.method === 'GET') {
		const variables = req.query.get('variables');
		let parsed: unknown;
		if (variables !== null && variables !== '') {
			try {
				parsed = JSON.parse(variables);
			} catch {
				throw new HttpError(400, 'Variables are invalid JSON.', 'BAD_REQUEST');
			}
		}
		return {
			query: req.query.get('query') ?? undefined,
			variables: parsed,
			operationName: req.query.get('operationName') ?? undefined,
		};
	}
	const type = req.contentType;
	if (type !== 'application/json' && !type.endsWith('+json'))
		throw new HttpError(415, 'Content-Type must be application/json', 'UNSUPPORTED_MEDIA_TYPE');
	const body = await req.json();
	if (Array.isArray(body))
		throw new HttpError(
			400,
			'Batched requests (a JSON array) are not supported; send one operation per request',
			'BAD_REQUEST',
		);
	if (typeof body !== 'object' || body === null)
		throw new HttpError(
			400,
			'The body must be a JSON object {query, variables, operationName}',
			'BAD_REQUEST',
		);
	return body as GraphqlParams;
}

/** What the endpoint needs from the simulator. */
export interface EndpointOptions {
	schema: GraphQLSchema;
	limits: OperationLimits;
	/** Most lexical tokens in a document (parse limit). */
	maxTokens: number;
	context(req: SandboxRequest): GraphqlContext;
}

/** Handles one GraphQL request. */
export async function handleGraphql(req: SandboxRequest, options: EndpointOptions): Promise<Reply> {
	const params = await readParams(req);
	const { query, operationName } = params;
	const variables = params.variables ?? {};
	if (typeof query !== 'string' || query.trim() === '')
		return requestError(400, 'Must provide query string.', 'BAD_REQUEST');
	if (typeof variables !== 'object' || Array.isArray(variables))
		return requestError(400, 'Variables must be a JSON object.', 'BAD_REQUEST');
	if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
		return requestError(400, 'operationName must be a string.', 'BAD_REQUEST');
	let document: DocumentNode;
	try {
		document = parse(query, { maxTokens: options.maxTokens });
	} catch (err) {
		if (err instanceof GraphQLError) return errorsReply(400, [err], 'GRAPHQL_PARSE_FAILED');
		throw err;
	}
	const invalid = validate(options.schema, document);
	if (invalid.length > 0) return errorsReply(400, invalid, 'GRAPHQL_VALIDATION_FAILED');
	const operation = getOperationAST(document, (operationName as string | null) ?? undefined);
	if (!operation) {
		return requestError(
			400,
			operationName
				? `Unknown operation named "${String(operationName)}".`
				: 'Must provide operation name if query contains multiple operations.',
			'BAD_REQUEST',
		);
	}
	const introspection = operation.selectionSet.selections.every(
		(s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'),
	);
	req.kind = introspection ? 'introspection' : operation.operation;
	if (req.method === 'GET' && operation.operation !== 'query') {
		return requestError(
			405,
			`Can only perform a ${operation.operation} operation from a POST request.`,
			'METHOD_NOT_ALLOWED',
			{ Allow: 'POST' },
		);
	}
	const fragments: Record<string, FragmentDefinitionNode> = {};
	for (const def of document.definitions)
		if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
	const measure = measureOperation(
		operation,
		fragments,
		variables as Record<string, unknown>,
		options.limits.defaultPageSize,
	);
	const overLimit = checkOperation(measure, options.limits);
	if (overLimit) return errorsReply(400, [overLimit], 'QUERY_LIMIT');
	const result = await execute({
		schema: options.schema,
		document,
		variableValues: variables as Record<string, unknown>,
		operationName: (operationName as string | null) ?? undefined,
		contextValue: options.context(req),
	});
	if (!('data' in result) || result.data === undefined)
		return errorsReply(400, result.errors ?? [], 'BAD_USER_INPUT');
	if (!result.errors) return json({ data: result.data });
	return json({
		data: result.data,
		errors: result.errors.map((e) => {
			// Resolvers' own errors carry their code; what is left (a thrown bug, a null in a non-null field) is ours.
			const out = e.toJSON();
			return { ...out, extensions: { code: 'INTERNAL_SERVER_ERROR', ...out.extensions } };
		}),
	});
}
