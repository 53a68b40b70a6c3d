/**
 * Compiled mappings for specs read once per item (n8n parameters holding expressions), in bounded memory.
 *
 * Specs that differ only in their rules' constants and defaults share one compiled mapping: those are data,
 * never looked at when compiling, so they are handed to the mapping per item. An expression in a Fixed Value or
 * a Default Value (a different value for every item) therefore compiles once, not once per item. Specs that
 * differ anywhere else (an expression in a target, a source, a transform or a check) compile once per distinct
 * spec, and beyond `maxEntries` the least recently used one is dropped.
 */

import { compileMappingTemplate, type MappingTemplate, type RuleValues } from './mapping';
import type { CompiledMapping, MappingSpec } from './types';

/** Stands for "this rule has a constant / a default" in a cache key; the value itself is not part of the key. */
const PRESENT = true;

export class MappingCache {
	private readonly templates = new Map<string, MappingTemplate>();
	/** How many specs were compiled (cache misses), for tests and benchmarks. */
	compiles = 0;

	/** @param maxEntries the most compiled mappings kept at once (at least 1). */
	constructor(readonly maxEntries = 64) {}

	/** Compiled mappings held now (never more than `maxEntries`). */
	get size(): number {
		return this.templates.size;
	}

	/**
	 * The compiled mapping of `spec`, from the cache when a spec with the same rules (constants and defaults
	 * aside) was compiled before.
	 *
	 * @throws MappingSpecError as `compileMapping` (an unusable spec is not cached).
	 */
	get(spec: MappingSpec): CompiledMapping {
		const { key, values } = splitValues(spec);
		let template = this.templates.get(key);
		if (template) {
			this.templates.delete(key); // most recently used last
		} else {
			template = compileMappingTemplate(spec);
			this.compiles++;
			while (this.templates.size >= Math.max(1, this.maxEntries)) {
				this.templates.delete(this.templates.keys().next().value as string);
			}
		}
		this.templates.set(key, template);
		const compiled = template;
		return { map: (input, recordLabel) => compiled.map(input, recordLabel, values) };
	}
}

/** The cache key of a spec (its rules' constants and defaults reduced to their presence) and those values. */
function splitValues(spec: MappingSpec): { key: string; values?: RuleValues[] } {
	if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.rules))
		return { key: String(JSON.stringify(spec)) };
	const values: RuleValues[] = [];
	const rules = spec.rules.map((rule: unknown) => {
		if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
			values.push({});
			return rule;
		}
		const { constant, default: fallback } = rule as RuleValues;
		values.push({ constant, default: fallback });
		return {
			...rule,
			constant: constant === undefined ? undefined : PRESENT,
			default: fallback === undefined ? undefined : PRESENT,
		};
	});
	return { key: JSON.stringify({ ...spec, rules }), values };
}
