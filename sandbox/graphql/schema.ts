/**
 * The executable schema of the GraphQL simulator: the SDL of typeDefs.ts built with graphql-js, with resolvers
 * attached to its fields. Mutations validate their input and throw one GraphQL error per bad mutation (its path is
 * the mutation's alias), so the other aliased mutations of the same request still run (partial data).
 */
import {
	buildSchema,
	GraphQLError,
	Kind,
	type GraphQLFieldResolver,
	type GraphQLObjectType,
	type GraphQLScalarType,
	type GraphQLSchema,
} from 'graphql';
import type { Collection, StoredRecord } from '../kit';
import {
	checkContactInput,
	companyNode,
	connection,
	contactNode,
	gqlError,
	inputError,
	parseGlobalId,
	type PageLimits,
} from './data';
import { TYPE_DEFS } from './typeDefs';

/** What resolvers get as context. */
export interface GraphqlContext {
	contacts: Collection;
	companies: Collection;
	pageLimits: PageLimits;
	viewer: { subject: string; authenticatedBy: string };
}

type Resolver = GraphQLFieldResolver<
	Record<string, unknown>,
	GraphqlContext,
	Record<string, unknown>
>;

function parseDateTime(value: unknown): number {
	const t =
		typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
	if (Number.isNaN(t))
		throw new GraphQLError(
			`DateTime must be an ISO 8601 date-time string, got ${JSON.stringify(value)}`,
		);
	return t;
}

const byPosition = (r: StoredRecord) => [r.position];
const byUpdated = (r: StoredRecord) => [r.updatedAt, r.position];

/** Finds a live record of `type` by global ID; a NOT_FOUND error when `required`, else null. */
function findByGlobalId(
	collection: Collection,
	type: 'Contact' | 'Company',
	id: unknown,
	required: boolean,
): StoredRecord | null {
	const ref = parseGlobalId(String(id));
	const record = ref && ref.type === type ? collection.get(ref.id) : undefined;
	if (record) return record;
	if (!required) return null;
	throw gqlError(
		`Could not resolve to a ${type} with the global id of '${String(id)}'.`,
		'NOT_FOUND',
		{
			argumentName: 'id',
		},
	);
}

const query: Record<string, Resolver> = {
	contacts: (_s, args, ctx) => {
		const filter = (args.filter ?? {}) as { updatedSince?: number; email?: string };
		const email = filter.email?.toLowerCase();
		let items = ctx.contacts.list({
			filter: (r) =>
				(filter.updatedSince === undefined || r.updatedAt >= filter.updatedSince) &&
				(email === undefined || String(r.fields.email).toLowerCase() === email),
		});
		const ordered = args.orderBy === 'UPDATED_AT';
		if (ordered)
			items = [...items].sort((a, b) => a.updatedAt - b.updatedAt || a.position - b.position);
		return connection(
			items,
			args,
			ordered ? byUpdated : byPosition,
			contactNode,
			ctx.pageLimits,
			'contacts',
		);
	},
	companies: (_s, args, ctx) =>
		connection(ctx.companies.list(), args, byPosition, companyNode, ctx.pageLimits, 'companies'),
	contact: (_s, args, ctx) => {
		const r = findByGlobalId(ctx.contacts, 'Contact', args.id, false);
		return r && contactNode(r);
	},
	company: (_s, args, ctx) => {
		const r = findByGlobalId(ctx.companies, 'Company', args.id, false);
		return r && companyNode(r);
	},
	node: (_s, args, ctx) => {
		const ref = parseGlobalId(String(args.id));
		if (ref?.type === 'Contact') return query.contact(_s, args, ctx, undefined as never);
		if (ref?.type === 'Company') return query.company(_s, args, ctx, undefined as never);
		return null;
	},
	deletedContacts: (_s, args, ctx) => {
		const since = args.since as number | undefined;
		const tombstones = ctx.contacts
			.deletedIds(since === undefined ? {} : { since })
			.map((d) => ({ id: d.id, deletedAt: d.deletedAt }))
			.sort((a, b) => a.deletedAt - b.deletedAt || Number(a.id) - Number(b.id));
		return connection(
			tombstones,
			args,
			(d) => [d.deletedAt, Number(d.id)],
			(d) => ({ id: Buffer.from(`Contact:${d.id}`).toString('base64'), deletedAt: d.deletedAt }),
			ctx.pageLimits,
			'deletedContacts',
		);
	},
	viewer: (_s, _a, ctx) => ctx.viewer,
};

function writeContact(
	ctx: GraphqlContext,
	input: Record<string, unknown>,
	target: StoredRecord | null,
): StoredRecord {
	const { fields, problems } = checkContactInput(input, {
		create: target === null,
		contacts: ctx.contacts,
		companies: ctx.companies,
		selfId: target?.id,
	});
	if (problems.length > 0) throw inputError(problems);
	if (target) return ctx.contacts.update(target.id, fields) as StoredRecord;
	return ctx.contacts.create({ subscribed: false, tags: [], ...fields });
}

const mutation: Record<string, Resolver> = {
	createContact: (_s, args, ctx) => ({
		contact: contactNode(writeContact(ctx, args.input as Record<string, unknown>, null)),
	}),
	updateContact: (_s, args, ctx) => {
		const target = findByGlobalId(ctx.contacts, 'Contact', args.id, true);
		return {
			contact: contactNode(writeContact(ctx, args.input as Record<string, unknown>, target)),
		};
	},
	upsertContact: (_s, args, ctx) => {
		const email = String(args.email);
		const existing = ctx.contacts.findBy('email', email, { caseInsensitive: true })[0] ?? null;
		// Found: the stored address keeps its spelling (unless the input changes it); not found: created with it.
		const input = existing
			? (args.input as Record<string, unknown>)
			: { ...(args.input as Record<string, unknown>), email };
		try {
			return {
				contact: contactNode(writeContact(ctx, input, existing)),
				created: existing === null,
			};
		} catch (err) {
			// The e-mail comes from the `email` argument: name it.
			if (err instanceof GraphQLError && err.extensions.field === 'email')
				throw gqlError(err.message.replace('Invalid input', 'Invalid email'), 'BAD_USER_INPUT', {
					...err.extensions,
					code: 'BAD_USER_INPUT',
					argumentName: 'email',
				});
			throw err;
		}
	},
	deleteContact: (_s, args, ctx) => {
		const target = findByGlobalId(ctx.contacts, 'Contact', args.id, true) as StoredRecord;
		ctx.contacts.delete(target.id);
		return { deletedContactId: args.id };
	},
};

const contact: Record<string, Resolver> = {
	company: (source, _a, ctx) => {
		const id = source.companyId as string | null;
		const r = id ? ctx.companies.get(id) : undefined;
		return r ? companyNode(r) : null;
	},
};

const company: Record<string, Resolver> = {
	contacts: (source, args, ctx) =>
		connection(
			ctx.contacts.list({ filter: (r) => r.fields.companyId === source.storeId }),
			args,
			byPosition,
			contactNode,
			ctx.pageLimits,
			'contacts',
		),
};

function attach(
	schema: GraphQLSchema,
	typeName: string,
	resolvers: Record<string, Resolver>,
): void {
	const fields = (schema.getType(typeName) as GraphQLObjectType).getFields();
	for (const [name, resolve] of Object.entries(resolvers)) {
		if (!fields[name]) throw new Error(`${typeName}.${name} is not in the schema`);
		fields[name].resolve = resolve as never;
	}
}

/** Builds the executable schema (one per simulator; resolvers read the store from the context). */
export function buildGraphqlSchema(): GraphQLSchema {
	const schema = buildSchema(TYPE_DEFS);
	const dateTime = schema.getType('DateTime') as GraphQLScalarType;
	Object.assign(dateTime, {
		serialize: (value: unknown) => new Date(value as number).toISOString(),
		parseValue: parseDateTime,
		parseLiteral: (ast: { kind: string; value?: string }) => {
			if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
			return parseDateTime(ast.value);
		},
	});
	attach(schema, 'Query', query);
	attach(schema, 'Mutation', mutation);
	attach(schema, 'Contact', contact);
	attach(schema, 'Company', company);
	return schema;
}
