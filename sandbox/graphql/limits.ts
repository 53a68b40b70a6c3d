/**
 * Limits a GraphQL server checks before it executes an operation (as GitHub, Shopify, Apollo servers with
 * depth/cost plugins do): the nesting depth, an estimated cost (each field costs 1; fields under a connection
 * with `first: n` count n times, like GitHub's node limit), and the number of root fields (aliases included,
 * so one request cannot carry thousands of mutations). Fragments are followed; introspection fields (`__schema`,
 * `__type`) are not counted.
 */
import {
	GraphQLError,
	Kind,
	type FragmentDefinitionNode,
	type OperationDefinitionNode,
	type SelectionSetNode,
	type ValueNode,
} from 'graphql';

/** The limits (see {@link GraphqlLimits}). */
export interface OperationLimits {
	maxDepth: number;
	maxCost: number;
	maxRootFields: number;
	/** Page size assumed for a connection without `first`. */
	defaultPageSize: number;
}

/** Names of the fields that return connections (counted with the default page size when `first` is absent). */
export const CONNECTION_FIELDS = new Set(['contacts', 'companies', 'deletedContacts']);

/** What was measured. */
export interface OperationMeasure {
	depth: number;
	cost: number;
	rootFields: number;
}

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
	if (!node) return undefined;
	if (node.kind === Kind.INT) return Number(node.value);
	if (node.kind === Kind.VARIABLE) return variables[node.name.value];
	return undefined;
}

/** Measures an operation. */
export function measureOperation(
	operation: OperationDefinitionNode,
	fragments: Record<string, FragmentDefinitionNode>,
	variables: Record<string, unknown>,
	defaultPageSize: number,
): OperationMeasure {
	let rootFields = 0;
	const walk = (set: SelectionSetNode, depth: number, root: boolean, seen: Set<string>) => {
		let maxDepth = depth;
		let cost = 0;
		for (const sel of set.selections) {
			if (sel.kind === Kind.FIELD) {
				const name = sel.name.value;
				if (name.startsWith('__')) continue;
				if (root) rootFields++;
				cost += 1;
				if (!sel.selectionSet) continue;
				const firstArg = sel.arguments?.find((a) => a.name.value === 'first');
				const isConnection = firstArg !== undefined || CONNECTION_FIELDS.has(name);
				const inner = walk(sel.selectionSet, depth + 1, false, seen);
				const first = argValue(firstArg?.value, variables);
				const n = isConnection
					? typeof first === 'number' && first > 0
						? first
						: firstArg
							? 0
							: defaultPageSize
					: 1;
				cost += isConnection ? n * inner.cost : inner.cost;
				maxDepth = Math.max(maxDepth, inner.depth);
			} else {
				let inner: SelectionSetNode | undefined;
				if (sel.kind === Kind.INLINE_FRAGMENT) inner = sel.selectionSet;
				else if (!seen.has(sel.name.value)) inner = fragments[sel.name.value]?.selectionSet;
				if (!inner) continue;
				const next = sel.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, sel.name.value]) : seen;
				const r = walk(inner, depth, root, next);
				cost += r.cost;
				maxDepth = Math.max(maxDepth, r.depth);
			}
		}
		return { depth: maxDepth, cost };
	};
	const { depth, cost } = walk(operation.selectionSet, 0, true, new Set());
	return { depth, cost, rootFields };
}

/** The error for an operation over a limit, or undefined. */
export function checkOperation(
	measure: OperationMeasure,
	limits: OperationLimits,
): GraphQLError | undefined {
	if (measure.rootFields > limits.maxRootFields)
		return new GraphQLError(
			`This request has ${measure.rootFields} root fields (aliases included); at most ${limits.maxRootFields} are allowed per request. Split it into several requests.`,
			{
				extensions: {
					code: 'TOO_MANY_ROOT_FIELDS',
					limit: limits.maxRootFields,
					rootFields: measure.rootFields,
				},
			},
		);
	if (measure.depth > limits.maxDepth)
		return new GraphQLError(
			`The query exceeds the maximum depth of ${limits.maxDepth} (depth ${measure.depth}).`,
			{ extensions: { code: 'QUERY_TOO_DEEP', limit: limits.maxDepth, depth: measure.depth } },
		);
	if (measure.cost > limits.maxCost)
		return new GraphQLError(
			`The query has a cost of ${measure.cost}, more than the maximum of ${limits.maxCost}: request fewer records per connection (\`first\`) or fewer nested connections.`,
			{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: limits.maxCost, cost: measure.cost } },
		);
	return undefined;
}
