/**
 * N copies of one operation in one request, done on the syntax tree (graphql-js `parse` / `visit` / `print`, never
 * string splicing, which breaks on comments, strings, fragments and nested braces): every root field of copy i gets
 * the alias `m{i}` (`m{i}_{k}` when the operation has several root fields) and every variable `$x` becomes `$x{i}`,
 * declared once per copy (`$x_{i}` when the template has names like `$a` and `$a1`). Variables listed as shared keep their name and are declared once. Fragments are kept once.
 *
 *   mutation($input: ContactInput!) { createContact(input: $input) { contact { id } } }
 *   → mutation($input0: ContactInput!, $input1: ContactInput!) {
 *       m0: createContact(input: $input0) { contact { id } }  m1: createContact(input: $input1) { contact { id } } }
 */
import type {
	DefinitionNode,
	DocumentNode,
	FieldNode,
	OperationDefinitionNode,
	VariableDefinitionNode,
} from 'graphql';
import { CrmError } from '../http/errors';
import { vendor } from '../vendor';

/** One root field of the template: its response key as written (alias or name). */
export interface TemplateField {
	responseKey: string;
}

/** A parsed template, ready to be copied. */
export interface AliasTemplate {
	operation: OperationDefinitionNode;
	others: DefinitionNode[];
	fields: FieldNode[];
	/** Names of the per-copy variables. */
	variables: string[];
	shared: Set<string>;
	/** Between a variable's name and the copy number: `''` (`$input0`), or `_` when that could clash (`$a`, `$a1`). */
	separator: '' | '_';
}

/** What one built request needs to map its answer back. */
export interface AliasedRequest {
	query: string;
	/** For copy i (in the order given), its aliases → the template's response keys. */
	aliases: Array<Array<{ alias: string; responseKey: string }>>;
	/** Renamed variable name → copy index. */
	variableOwner: Map<string, number>;
	/** Variables of the request: the copies' renamed ones plus the shared ones. */
	variables: Record<string, unknown>;
}

function invalid(message: string): CrmError {
	return new CrmError(message, {
		kind: 'validation',
		hint: 'Write one operation whose root fields use variables for the per-item values.',
	});
}

/** Parses and checks a template (one operation; root selections are fields; no per-copy variables in fragments). */
export function parseAliasTemplate(
	text: string,
	sharedVariables: readonly string[] = [],
): AliasTemplate {
	const { Kind, parse, visit } = vendor.graphql();
	let document: DocumentNode;
	try {
		document = parse(text);
	} catch (err) {
		throw invalid(`The GraphQL document does not parse: ${(err as Error).message}`);
	}
	const operations = document.definitions.filter(
		(d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
	);
	if (operations.length !== 1)
		throw invalid(
			`The document must hold exactly one operation to repeat per item (found ${operations.length})`,
		);
	const operation = operations[0];
	const fields: FieldNode[] = [];
	for (const sel of operation.selectionSet.selections) {
		if (sel.kind !== Kind.FIELD)
			throw invalid(
				'The root selections of the operation must be fields (no fragments at the root)',
			);
		fields.push(sel);
	}
	const shared = new Set(sharedVariables);
	const variables = (operation.variableDefinitions ?? [])
		.map((v) => v.variable.name.value)
		.filter((name) => !shared.has(name));
	const all = [...variables, ...shared];
	const clashes = all.some((a) =>
		all.some((b) => b !== a && b.startsWith(a) && /^\d+$/.test(b.slice(a.length))),
	);
	const others = document.definitions.filter((d) => d !== operation);
	for (const fragment of others) {
		visit(fragment, {
			Variable(node) {
				if (!shared.has(node.name.value))
					throw invalid(
						`Variable $${node.name.value} is used inside a fragment: fragments are shared by all items, so only shared variables may appear in them — inline the fragment or share the variable`,
					);
			},
		});
	}
	return { operation, others, fields, variables, shared, separator: clashes ? '_' : '' };
}

/**
 * Builds one request holding a copy of the template per entry of `perItemVariables` (each entry: the template's
 * variable values for that item). Shared variable values come from `sharedValues`.
 */
export function buildAliasedRequest(
	template: AliasTemplate,
	perItemVariables: ReadonlyArray<Record<string, unknown>>,
	sharedValues: Record<string, unknown> = {},
): AliasedRequest {
	const { Kind, print, visit } = vendor.graphql();
	const { operation, fields, variables: names, shared } = template;
	const defs = operation.variableDefinitions ?? [];
	const sharedDefs = defs.filter((d) => shared.has(d.variable.name.value));
	const taken = new Set<string>(sharedDefs.map((d) => d.variable.name.value));
	const variableOwner = new Map<string, number>();
	const variables: Record<string, unknown> = {};
	for (const d of sharedDefs) {
		const name = d.variable.name.value;
		if (name in sharedValues) variables[name] = sharedValues[name];
	}
	const newDefs: VariableDefinitionNode[] = [...sharedDefs];
	const selections: FieldNode[] = [];
	const aliases: AliasedRequest['aliases'] = [];
	perItemVariables.forEach((values, i) => {
		const rename = new Map<string, string>();
		for (const name of names) {
			const renamed = `${name}${template.separator}${i}`;
			if (taken.has(renamed))
				throw invalid(
					`Variable $${renamed} (for item ${i}) would clash with another variable of the template: rename the variables`,
				);
			taken.add(renamed);
			rename.set(name, renamed);
			variableOwner.set(renamed, i);
			if (name in values) variables[renamed] = values[name];
		}
		for (const def of defs) {
			const to = rename.get(def.variable.name.value);
			if (to)
				newDefs.push({
					...def,
					variable: { ...def.variable, name: { kind: Kind.NAME, value: to } },
				});
		}
		const itemAliases: Array<{ alias: string; responseKey: string }> = [];
		fields.forEach((field, k) => {
			const alias = fields.length === 1 ? `m${i}` : `m${i}_${k}`;
			const renamed = visit(field, {
				Variable(node) {
					const to = rename.get(node.name.value);
					return to ? { ...node, name: { kind: Kind.NAME, value: to } } : undefined;
				},
			});
			selections.push({ ...renamed, alias: { kind: Kind.NAME, value: alias } });
			itemAliases.push({ alias, responseKey: field.alias?.value ?? field.name.value });
		});
		aliases.push(itemAliases);
	});
	const document: DocumentNode = {
		kind: Kind.DOCUMENT,
		definitions: [
			{
				...operation,
				variableDefinitions: newDefs,
				selectionSet: { ...operation.selectionSet, selections },
			},
			...template.others,
		],
	};
	return { query: print(document), aliases, variableOwner, variables };
}
