/**
 * What an endpoint offers, read the standard way: the introspection query of graphql-js (`getIntrospectionQuery`)
 * turned into a client-side schema (`buildClientSchema`). Used to list operations and to find the connections a
 * query field returns (for pagination settings), without hand-written knowledge of the API.
 */
import type { GraphQLField, GraphQLSchema, IntrospectionQuery } from 'graphql';
import { CrmError } from '../http/errors';
import type { GraphqlClient } from './client';
import { vendor } from '../vendor';

/** Fetches the endpoint's schema by introspection. A server with introspection off gives a clear error. */
export async function fetchSchema(
	client: GraphqlClient,
	signal?: AbortSignal,
): Promise<GraphQLSchema> {
	const { buildClientSchema, getIntrospectionQuery } = vendor.graphql();
	const data = await client.query<IntrospectionQuery>({ query: getIntrospectionQuery(), signal });
	if (!data || typeof data !== 'object' || !('__schema' in data)) {
		throw new CrmError('The endpoint did not answer the introspection query with a schema', {
			kind: 'fatal',
			hint: 'Introspection may be disabled on this server: write the query by hand.',
		});
	}
	return buildClientSchema(data);
}

/** One root field: its name, arguments and whether it returns a Relay connection. */
export interface RootFieldInfo {
	name: string;
	description?: string;
	args: Array<{ name: string; type: string }>;
	/** The named return type. */
	type: string;
	/** Set when the field returns a connection: where the nodes are (`edges.node` or `nodes`). */
	connection?: { nodesPath: 'edges.node' | 'nodes'; cursorArgument?: string };
}

function connectionOf(field: GraphQLField<unknown, unknown>): RootFieldInfo['connection'] {
	const { getNamedType, isObjectType } = vendor.graphql();
	const type = getNamedType(field.type);
	if (!isObjectType(type)) return undefined;
	const fields = type.getFields();
	const pageInfo = fields.pageInfo && getNamedType(fields.pageInfo.type);
	if (!pageInfo || !isObjectType(pageInfo)) return undefined;
	const info = pageInfo.getFields();
	if (!info.hasNextPage || !info.endCursor) return undefined;
	const nodesPath = fields.edges ? 'edges.node' : fields.nodes ? 'nodes' : undefined;
	if (!nodesPath) return undefined;
	const cursorArgument = field.args.find((a) => a.name === 'after')?.name;
	return { nodesPath, cursorArgument };
}

/** The root fields of queries or mutations. */
export function rootFields(
	schema: GraphQLSchema,
	operation: 'query' | 'mutation',
): RootFieldInfo[] {
	const { getNamedType } = vendor.graphql();
	const root = operation === 'query' ? schema.getQueryType() : schema.getMutationType();
	if (!root) return [];
	return Object.values(root.getFields()).map((field) => {
		const connection = operation === 'query' ? connectionOf(field) : undefined;
		return {
			name: field.name,
			...(field.description ? { description: field.description } : {}),
			args: field.args.map((a) => ({ name: a.name, type: String(a.type) })),
			type: getNamedType(field.type).name,
			...(connection ? { connection } : {}),
		};
	});
}
