/**
 * The config checked against both objects' schemas (describe), before anything is read or written: every field it
 * names exists (by its setting's path), and every field a value flows to can be written. Gives the field types the
 * value comparison uses.
 */
import type { ObjectSchema } from '../connectors/contract';
import { SyncConfigError, type ResolvedConfig } from './config';
import type { FieldTypes } from './diff';
import type { SideRuntime } from './plan';
import type { Side } from './store/types';

const flowsTo = (direction: string, side: Side) =>
	direction === 'both' || direction === (side === 'b' ? 'aToB' : 'bToA');

export async function checkSchemas(
	cfg: ResolvedConfig,
	sides: Record<Side, SideRuntime>,
): Promise<FieldTypes> {
	const schemas: Record<Side, ObjectSchema> = {
		a: await sides.a.connector.describe(sides.a.objectType),
		b: await sides.b.connector.describe(sides.b.objectType),
	};
	const problems: string[] = [];
	const types: FieldTypes = { a: new Map(), b: new Map() };
	for (const side of ['a', 'b'] as const) {
		const schema = schemas[side];
		const byName = new Map(schema.fields.map((f) => [f.name, f]));
		for (const f of schema.fields) types[side].set(f.name, f.type);
		const some = schema.fields
			.filter((f) => !f.readOnly)
			.slice(0, 5)
			.map((f) => f.name)
			.join(', ');
		const exists = (path: string, name: string) => {
			if (byName.has(name)) return true;
			problems.push(
				`${path}: "${name}" is not a field of ${schema.name} — use one of its API names, e.g. ${some}`,
			);
			return false;
		};
		cfg.fields.forEach((pair, i) => {
			const name = pair[side];
			if (!exists(`fields[${i}].${side}`, name) || !flowsTo(pair.direction, side)) return;
			const field = byName.get(name);
			if (field && (field.readOnly || (!field.updateable && !field.createable)))
				problems.push(
					`fields[${i}].${side}: "${name}" is read-only on ${schema.name} — let values flow only from it (direction "${side === 'a' ? 'aToB' : 'bToA'}") or remove the pair`,
				);
		});
		cfg.matchKeys.forEach((k, i) => exists(`matchKeys[${i}].${side}`, k[side]));
		cfg.scope[side].forEach((c, i) => exists(`scope.${side}[${i}].field`, c.field));
		const archive = cfg.deletes === 'archive' ? cfg.archive?.[side] : undefined;
		if (archive) exists(`archive.${side}.field`, archive.field);
	}
	if (problems.length) throw new SyncConfigError(problems);
	return types;
}
