/** What the operations share: parameters, reading mapped fields, turning per-input results into items. */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BatchItemError, BatchItemResult } from '../../../../core/batching/types';
import { describeHubSpotError } from '../../../../core/connectors/hubspot/connector';
import { isCrmError } from '../../../../core/http/errors';
import { timeoutOption } from '../../../shared/descriptions';

export { nameList, objectJson } from '../../../shared/hubspot/records';

/** The object picker (standard and custom objects of the account). */
export function objectTypeField(
	resource: string,
	operations?: string[],
	name = 'objectType',
	displayName = 'Object',
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getObjectTypes' },
		required: true,
		default: 'contacts',
		description:
			'The CRM object: a standard one or a custom object of the account. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: {
			show: { resource: [resource], ...(operations ? { operation: operations } : {}) },
		},
	};
}

/** A multi-select of the object's properties to return. */
export function propertiesOption(): INodeProperties {
	return {
		displayName: 'Property Names or IDs',
		name: 'properties',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getProperties', loadOptionsDependsOn: ['objectType'] },
		default: [],
		description:
			'Properties to return (default: HubSpot\'s default properties of the object). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

/** An error item for the error output (`error` + `details`, as n8n expects). */
export function errorItem(error: BatchItemError, itemIndex: number): INodeExecutionData {
	return {
		json: {
			error: error.message,
			details: { code: error.code, ...(error.details as IDataObject | undefined) } as IDataObject,
		},
		pairedItem: { item: itemIndex },
	};
}

/**
 * Turns per-input batch results into output items in input order: successes as items, failures to the error output
 * (with "On Error: Continue") or as the node's error naming the item (otherwise).
 */
export function resultsToItems<T>(
	ctx: IExecuteFunctions,
	results: Array<BatchItemResult<T>>,
	itemIndexes: number[],
	toJson: (value: T, itemIndex: number) => IDataObject | IDataObject[],
): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	const sorted = [...results].sort((a, b) => a.index - b.index);
	for (const result of sorted) {
		const itemIndex = itemIndexes[result.index];
		if (result.ok) {
			const json = toJson(result.value, itemIndex);
			for (const j of Array.isArray(json) ? json : [json])
				out.push({ json: j, pairedItem: { item: itemIndex } });
			continue;
		}
		if (ctx.continueOnFail()) {
			out.push(errorItem(result.error, itemIndex));
			continue;
		}
		throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${result.error.message}`, {
			itemIndex,
			description:
				'HubSpot rejected this item. Other items of the same run may already have been written. Set "On Error" to "Continue (using error output)" to route failed items to the error output instead.',
		});
	}
	return out;
}

/** Runs `fn` for one item; a failure becomes an error item (On Error: Continue) or the node's error. */
export async function perItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fn: () => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[]> {
	try {
		const json = await fn();
		return (Array.isArray(json) ? json : [json]).map((j) => ({
			json: j,
			pairedItem: { item: itemIndex },
		}));
	} catch (error) {
		if (ctx.continueOnFail()) {
			if (isCrmError(error)) {
				const message =
					error.kind === 'authentication'
						? describeHubSpotError(error).message
						: (error.crmMessage ?? error.message);
				return [
					errorItem(
						{
							message,
							code: error.crmCode ?? error.kind,
							details: { status: error.status, hint: error.hint },
						},
						itemIndex,
					),
				];
			}
			return [
				errorItem({ message: error instanceof Error ? error.message : String(error) }, itemIndex),
			];
		}
		if (error instanceof NodeOperationError)
			throw new NodeOperationError(ctx.getNode(), error, { itemIndex });
		const message = isCrmError(error)
			? error.message
			: error instanceof Error
				? error.message
				: String(error);
		throw new NodeOperationError(ctx.getNode(), message, {
			itemIndex,
			description: isCrmError(error) ? error.hint : undefined,
		});
	}
}

/** Converts values the resource mapper produced (Luxon dates, booleans) to what the connector sends. */
export function normaliseValue(value: unknown): unknown {
	if (
		value !== null &&
		typeof value === 'object' &&
		typeof (value as { toMillis?: unknown }).toMillis === 'function'
	) {
		return (value as { toMillis: () => number }).toMillis();
	}
	return value;
}

/** How the resource mapper is set: read once (neither can hold an expression). */
export interface MapperSettings {
	mode: string;
	matchingColumns: string[];
}

/** Reads the resource mapper's mode and matching columns. */
export function mapperSettings(ctx: IExecuteFunctions): MapperSettings {
	return {
		mode: ctx.getNodeParameter('fields.mappingMode', 0, 'defineBelow') as string,
		matchingColumns: (ctx.getNodeParameter('fields.matchingColumns', 0, []) as string[]) ?? [],
	};
}

/** The mapped values of one item: `defineBelow` values, or the item's own fields when auto-mapping. */
export function mappedValues(
	ctx: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	settings: MapperSettings,
): Record<string, unknown> {
	let raw: Record<string, unknown>;
	if (settings.mode === 'autoMapInputData') {
		raw = item.json;
	} else {
		raw =
			(ctx.getNodeParameter('fields.value', itemIndex, {}) as Record<string, unknown> | null) ?? {};
	}
	const values: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(raw)) {
		if (value === undefined) continue;
		values[key] = normaliseValue(value);
	}
	return values;
}

/** The resource mapper parameter of a write operation. */
export function fieldsMapper(
	operation: string,
	mode: 'add' | 'update' | 'upsert',
): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'fields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['objectType'],
			resourceMapper: {
				resourceMapperMethod: 'getFields',
				mode,
				fieldWords: { singular: 'property', plural: 'properties' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		displayOptions: { show: { resource: ['record'], operation: [operation] } },
	};
}

/** Groups item indexes by a per-item string parameter (e.g. the object, which may be an expression). */
export function groupBy(
	ctx: IExecuteFunctions,
	count: number,
	parameter: string,
): Map<string, number[]> {
	const groups = new Map<string, number[]>();
	for (let i = 0; i < count; i++) {
		const key = String(ctx.getNodeParameter(parameter, i));
		const list = groups.get(key);
		if (list) list.push(i);
		else groups.set(key, [i]);
	}
	return groups;
}

const RERUN_NOTES: Record<string, string> = {
	create:
		"Re-running needs care: when HubSpot's answer is lost (dropped connection, timeout, server error), records with a unique property (a contact's email, a property with unique values) are looked up and reported as written or sent again; the others go to the error output with code OUTCOME_UNKNOWN — check those in HubSpot before re-running them. Other error-output items were not written and are safe to re-run.",
	update:
		'Safe to re-run: an update sets the given values, so running an item twice changes nothing more. A lost answer is retried.',
	upsert:
		'Safe to re-run: records are matched on the unique property, so running an item twice never creates a duplicate. A lost answer is retried.',
	delete:
		'Safe to re-run: archiving a record twice changes nothing more. A lost answer is retried.',
};

/** The node's help on whether a write operation's items can be run again (a notice above its fields). */
export function rerunNotice(operation: string): INodeProperties {
	return {
		displayName: RERUN_NOTES[operation],
		name: `${operation}RerunNotice`,
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['record'], operation: [operation] } },
	};
}

/** The Options collection of a write operation (Timeout). */
export function writeOptions(operation: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [timeoutOption],
		displayOptions: { show: { resource: ['record'], operation: [operation] } },
	};
}

/** The reason of an error that concerns the whole run, as an item's error (its fix from the description when given). */
function runErrorReason(error: unknown): BatchItemError {
	if (isCrmError(error))
		return {
			message: error.message,
			code: error.crmCode ?? error.kind,
			details: { hint: error.hint },
		};
	const message = error instanceof Error ? error.message : String(error);
	const description = (error as { description?: unknown } | null)?.description;
	return {
		message:
			typeof description === 'string' && description !== '' && !message.includes(description)
				? `${message} — ${description}`
				: message,
		code: 'NODE_SETTINGS',
	};
}

/**
 * Runs a write operation so that every input item ends on exactly one output: `run` puts each item's output items into
 * `out` by item index. An error of the whole run (invalid settings, a failure before any result) under "Continue (using
 * error output)" becomes one error item per item without a result, naming the reason and the fix — never a thrown
 * error, which n8n would answer by passing the input items to the success output. Otherwise it is thrown.
 */
export async function perItemRun(
	ctx: IExecuteFunctions,
	count: number,
	run: (out: Map<number, INodeExecutionData[]>) => Promise<void>,
): Promise<INodeExecutionData[]> {
	const out = new Map<number, INodeExecutionData[]>();
	try {
		await run(out);
	} catch (error) {
		if (!ctx.continueOnFail())
			throw error instanceof NodeOperationError
				? error
				: new NodeOperationError(ctx.getNode(), error as Error);
		const reason = runErrorReason(error);
		for (let i = 0; i < count; i++) if (!out.has(i)) out.set(i, [errorItem(reason, i)]);
	}
	return [...out.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, items]) => items);
}

/** Adds output items to `out` under their paired item index. */
export function collect(out: Map<number, INodeExecutionData[]>, items: INodeExecutionData[]): void {
	for (const item of items) {
		const index = (item.pairedItem as { item: number }).item;
		const list = out.get(index);
		if (list) list.push(item);
		else out.set(index, [item]);
	}
}

/**
 * A per-item failure found before sending (missing or invalid id): an error item with "Continue (using error output)",
 * else thrown — the operations check every item before writing any, so nothing is written then.
 */
export function rejectItem(
	ctx: IExecuteFunctions,
	out: Map<number, INodeExecutionData[]>,
	itemIndex: number,
	error: BatchItemError,
): void {
	if (!ctx.continueOnFail())
		throw new NodeOperationError(ctx.getNode(), error.message, { itemIndex });
	out.set(itemIndex, [errorItem(error, itemIndex)]);
}
