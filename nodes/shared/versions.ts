/**
 * A new node version that only renames an operation's stored value (the value saved workflows hold, so the old
 * version keeps it): the new version reuses the old one's parameters and operations, with the value renamed.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { Operations } from './router';

/** One operation value renamed from one version to the next. */
export interface OperationRename {
	resource: string;
	from: string;
	to: string;
	/** The option's new name in the Operation list (default: unchanged). */
	displayName?: string;
}

type Conditions = Record<string, unknown>;

/** `displayOptions.show`/`hide` with `operation` and `/operation` conditions naming `from` renamed, for the resource. */
function renameConditions(conditions: Conditions | undefined, rename: OperationRename) {
	if (!conditions) return conditions;
	const resources = conditions.resource ?? conditions['/resource'];
	if (Array.isArray(resources) && !resources.includes(rename.resource)) return conditions;
	const out: Conditions = { ...conditions };
	for (const key of ['operation', '/operation']) {
		const values = out[key];
		if (Array.isArray(values))
			out[key] = values.map((v: unknown) => (v === rename.from ? rename.to : v));
	}
	return out;
}

/** A deep copy of a parameter (or a nested option / collection) with the operation value renamed. */
function renameIn(value: unknown, rename: OperationRename): unknown {
	if (Array.isArray(value)) return value.map((v) => renameIn(v, rename));
	if (value === null || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [key, v] of Object.entries(value)) out[key] = renameIn(v, rename);
	const display = out.displayOptions as { show?: Conditions; hide?: Conditions } | undefined;
	if (display) {
		out.displayOptions = {
			...display,
			...(display.show ? { show: renameConditions(display.show, rename) } : {}),
			...(display.hide ? { hide: renameConditions(display.hide, rename) } : {}),
		};
	}
	const resources = display?.show?.resource;
	const isOperationList =
		out.name === 'operation' &&
		out.type === 'options' &&
		Array.isArray(resources) &&
		resources.includes(rename.resource);
	if (isOperationList) {
		out.options = (out.options as Array<Record<string, unknown>>).map((option) =>
			option.value === rename.from
				? { ...option, value: rename.to, name: rename.displayName ?? option.name }
				: option,
		);
		if (out.default === rename.from) out.default = rename.to;
	}
	return out;
}

/** The parameters of a node version with one operation value renamed (options and every display condition). */
export function renameOperationValue(
	properties: INodeProperties[],
	rename: OperationRename,
): INodeProperties[] {
	return properties.map((p) => renameIn(p, rename) as INodeProperties);
}

/** The router's operations with one operation value renamed. */
export function renameOperationKey<C>(
	operations: Operations<C>,
	rename: OperationRename,
): Operations<C> {
	const ofResource = operations[rename.resource];
	if (!ofResource || !Object.prototype.hasOwnProperty.call(ofResource, rename.from))
		throw new Error(`No operation "${rename.from}" of "${rename.resource}" to rename`);
	const renamed = Object.fromEntries(
		Object.entries(ofResource).map(([value, op]) => [
			value === rename.from ? rename.to : value,
			op,
		]),
	);
	return { ...operations, [rename.resource]: renamed };
}
