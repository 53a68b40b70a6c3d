import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeBaseDescription,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { Strategy } from '../../../core/sync';
import { readRules, rulesResolver } from '../../shared/conflictRules';
import { errorItem, toNodeError } from '../../shared/items';
import { resolverProperties, strategyOptions } from './description';
import { resolveConflictItem, resolvePair, type Routed, type Settings } from './resolve';

const STRATEGIES = new Set(strategyOptions.map((o) => String(o.value)));

/**
 * Conflict Resolver v1: each input item ends on exactly one output — Resolved (every differing field settled),
 * Review (some field no strategy or rule settled) — or, when invalid, on the error output (On Error: Continue
 * (using error output); n8n moves `{ error, details }` items there) or fails the node.
 */
// The icon is set once, in the base description of ConflictResolver.node.ts (which this rule checks); a
// version class of n8n's VersionedNodeType receives it through the constructor, which the rule cannot see.
// eslint-disable-next-line @n8n/community-nodes/icon-validation
export class ConflictResolverV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = {
			...baseDescription,
			version: 1,
			subtitle:
				'={{ $parameter["inputShape"] === "pair" ? "Pair of records" : "CRM Sync conflicts" }}',
			defaults: { name: 'Conflict Resolver' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
			outputNames: ['Resolved', 'Review'],
			usableAsTool: true,
			properties: resolverProperties,
		};
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const resolved: INodeExecutionData[] = [];
		const review: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			let routed: Routed;
			try {
				routed = resolveItem(this, i, items[i].json);
			} catch (error) {
				if (!this.continueOnFail()) throw toNodeError(this, error, i);
				resolved.push(
					errorItem(
						{
							message: error instanceof Error ? error.message : String(error),
							code: 'INVALID_ITEM',
						},
						i,
					),
				);
				continue;
			}
			(routed.output === 'resolved' ? resolved : review).push({
				json: routed.json,
				pairedItem: { item: i },
			});
		}
		return [resolved, review];
	}
}

const invalid = (ctx: IExecuteFunctions, i: number, message: string) =>
	new NodeOperationError(ctx.getNode(), message, { itemIndex: i });

function strategyOf(ctx: IExecuteFunctions, i: number, value: unknown, where: string): Strategy {
	const s = String(value ?? '');
	if (!STRATEGIES.has(s))
		throw invalid(
			ctx,
			i,
			`${where}: "${s}" is not a strategy — use one of ${[...STRATEGIES].join(', ')}`,
		);
	return s as Strategy;
}

function settingsOf(ctx: IExecuteFunctions, i: number): Settings {
	const overrides = new Map<string, Strategy>();
	const rules = ctx.getNodeParameter('fieldStrategies.rules', i, []) as IDataObject[];
	for (const r of rules) {
		const field = String(r.field ?? '').trim();
		if (!field)
			throw invalid(
				ctx,
				i,
				'Field Strategies › Field: empty — enter the field name the strategy is for',
			);
		overrides.set(field, strategyOf(ctx, i, r.strategy, `Field Strategies › ${field}`));
	}
	return {
		strategy: strategyOf(ctx, i, ctx.getNodeParameter('strategy', i), 'Conflict Strategy'),
		overrides,
		custom: rulesResolver(readRules(ctx.getNodeParameter('customRules', i, {}) as IDataObject)),
	};
}

function timeOf(ctx: IExecuteFunctions, name: string, i: number): string | undefined {
	const v = ctx.getNodeParameter(name, i, '') as unknown;
	if (v === undefined || v === null || v === '') return undefined;
	return v instanceof Date ? v.toISOString() : String(v);
}

/** A record parameter: an object, or JSON text of one. */
function recordOf(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	i: number,
	optional = false,
) {
	let v = ctx.getNodeParameter(name, i, optional ? '' : undefined) as unknown;
	if (optional && (v === '' || v === undefined || v === null)) return undefined;
	if (typeof v === 'string') {
		try {
			v = JSON.parse(v);
		} catch {
			throw invalid(
				ctx,
				i,
				`${label}: not JSON of a record — set ${label} to an object, e.g. {{ $json.a }}`,
			);
		}
	}
	if (!v || typeof v !== 'object' || Array.isArray(v))
		throw invalid(
			ctx,
			i,
			`${label}: ${v === undefined || v === null || v === '' ? 'empty' : 'not an object'} — set ${label} to the record's fields as an object, e.g. {{ $json.${name === 'recordA' ? 'a' : name === 'recordB' ? 'b' : 'base'} }}`,
		);
	return v as IDataObject;
}

function resolveItem(ctx: IExecuteFunctions, i: number, json: IDataObject): Routed {
	const settings = settingsOf(ctx, i);
	const times = { a: timeOf(ctx, 'updatedAtA', i), b: timeOf(ctx, 'updatedAtB', i) };
	if (ctx.getNodeParameter('inputShape', i) !== 'pair')
		return resolveConflictItem(settings, json, times);
	const a = recordOf(ctx, 'recordA', 'Record A', i) as IDataObject;
	const b = recordOf(ctx, 'recordB', 'Record B', i) as IDataObject;
	const base = recordOf(ctx, 'base', 'Base Record', i, true);
	let fields: string[] | undefined;
	if (ctx.getNodeParameter('fieldsToCompare', i) === 'list') {
		fields = String(ctx.getNodeParameter('fields', i, ''))
			.split(',')
			.map((f) => f.trim())
			.filter(Boolean);
		if (!fields.length)
			throw invalid(
				ctx,
				i,
				'Fields: empty — enter the field names to compare, or choose All Fields',
			);
	}
	return resolvePair(settings, { a, b, base }, fields, times);
}
