import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { MappingCache } from '../../../core/records/mappingCache';
import type { CompiledMapping, MappingIssue, MappingSpec } from '../../../core/records/types';
import {
	buildSpecFromRules,
	type MappingOptions,
	parseJsonSpec,
	type RuleParameters,
} from './buildSpec';
import { fieldMapperProperties } from './FieldMapperV1.description';

/**
 * Field Mapper v1: maps each item from one schema to another with the core's field mapping
 * (`core/records/mapping.ts`). Invalid items fail the node, or go to the error output when the node's
 * "On Error" setting says so: n8n moves items whose JSON is only `error`/`details` there and adds the
 * input item's fields to them.
 */
// The icon is set once, in the base description of FieldMapper.node.ts (which this rule checks); a
// version class of n8n's VersionedNodeType receives it through the constructor, which the rule cannot see.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class FieldMapperV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle: '={{ $parameter["mode"] === "json" ? "JSON mapping" : "Field mappings" }}',
			defaults: { name: 'Field Mapper' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			usableAsTool: true,
			properties: fieldMapperProperties,
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const returnData: INodeExecutionData[] = [];
		// Parameters may hold expressions, so the spec is read per item. The cache compiles specs that differ only
		// in constants and defaults (e.g. a Fixed Value computed per item) once, and holds a bounded number of
		// others: memory stays flat however many items differ. Without any expression every item gets the same
		// spec: read it once (reading a large fixedCollection costs far more than mapping an item).
		const cache = new MappingCache();
		const perItem = hasExpression(node.parameters);
		let shared: Mapper | undefined;

		const mappingFor = (itemIndex: number): Mapper => {
			if (!perItem && shared) return shared;
			shared = readMapping(itemIndex);
			return shared;
		};

		const readMapping = (itemIndex: number): Mapper => {
			let spec: MappingSpec;
			if (this.getNodeParameter('mode', itemIndex) === 'json') {
				spec = parseJsonSpec({ node, itemIndex }, this.getNodeParameter('mappingJson', itemIndex));
			} else {
				const rules = this.getNodeParameter('mappings.rules', itemIndex, []) as RuleParameters[];
				const options = this.getNodeParameter('options', itemIndex, {}) as MappingOptions;
				spec = buildSpecFromRules({ node, itemIndex }, rules, options);
			}
			try {
				return { compiled: cache.get(spec), writeNulls: spec.dropUndefined === false };
			} catch (error) {
				throw new NodeOperationError(
					node,
					`Invalid mapping: ${error instanceof Error ? error.message : String(error)}`,
					{
						itemIndex,
						description: 'Fix this field mapping in the node parameters. Nothing was mapped.',
					},
				);
			}
		};

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const label = `Item ${itemIndex}`;
			let mapping: Mapper;
			try {
				mapping = mappingFor(itemIndex);
			} catch (error) {
				// A spec error: the configuration, not the item, is at fault. Spec errors are already
				// NodeOperationErrors naming the rule (returned as they are); others (e.g. a failing
				// expression in a parameter) are wrapped with the item index.
				const specError = new NodeOperationError(node, error as Error, { itemIndex });
				if (this.continueOnFail()) {
					returnData.push({
						json: { error: specError.message, details: { kind: 'mapping' } },
						pairedItem: { item: itemIndex },
					});
					continue;
				}
				throw specError;
			}

			const result = mapping.compiled.map(items[itemIndex].json, label);
			if (result.ok) {
				const json = (
					mapping.writeNulls ? undefinedToNull(result.value) : result.value
				) as IDataObject;
				returnData.push({ json, pairedItem: { item: itemIndex } });
				continue;
			}
			const message = summarise(label, result.issues);
			if (this.continueOnFail()) {
				returnData.push({
					json: { error: message, details: { issues: result.issues as unknown as IDataObject[] } },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw new NodeOperationError(node, message, {
				itemIndex,
				description:
					result.issues.length > 1
						? result.issues.map((issue) => `• ${issue.message}`).join('\n')
						: undefined,
			});
		}
		return [returnData];
	}
}

/** A compiled mapping and how to write fields without a value. */
interface Mapper {
	compiled: CompiledMapping;
	/** `dropUndefined: false`: item JSON cannot hold `undefined`, so such fields are written as null. */
	writeNulls: boolean;
}

/** Whether a parameter value holds an n8n expression (a string starting with "="), at any depth. */
function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** Replaces `undefined` values (at any depth of plain objects) by null. */
function undefinedToNull(value: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		if (entry === undefined) out[key] = null;
		else if (
			entry !== null &&
			typeof entry === 'object' &&
			Object.getPrototypeOf(entry) === Object.prototype
		) {
			out[key] = undefinedToNull(entry as Record<string, unknown>);
		} else out[key] = entry;
	}
	return out;
}

/** One line for an item's issues: the first message, and how many more there are. */
function summarise(label: string, issues: MappingIssue[]): string {
	if (issues.length === 0) return `${label} could not be mapped`;
	const [first] = issues;
	return issues.length === 1
		? first.message
		: `${first.message} (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})`;
}
