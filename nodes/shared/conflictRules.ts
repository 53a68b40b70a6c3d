/**
 * The Custom Rules conflict strategy: an ordered list of "when … then …" rules a no-code user fills in (no code,
 * no JSON). The first rule whose condition holds for the conflict settles it; none → review.
 */
import type { IDataObject } from 'n8n-workflow';

import { isBlank, type ConflictContext, type ResolveConflict } from '../../core/sync';

export interface CustomRule {
	when: string;
	text?: string;
	then: 'a' | 'b' | 'review' | 'value';
	value?: string;
	/** Side A field names, comma-separated (an expression's text) — the picker's list is joined so. */
	fields?: string;
}

const text = (v: unknown) => (isBlank(v) ? '' : String(v).trim().toLowerCase());

/** A number or an instant of a value (numbers first, then dates); undefined when it is neither. */
function magnitude(v: unknown): number | undefined {
	if (isBlank(v)) return undefined;
	if (typeof v === 'number') return v;
	const s = String(v).trim();
	if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return Number(s);
	const t = Date.parse(s);
	return Number.isFinite(t) ? t : undefined;
}

function greater(x: unknown, y: unknown): boolean {
	const mx = magnitude(x);
	const my = magnitude(y);
	return mx !== undefined && (my === undefined || mx > my);
}

function holds(rule: CustomRule, a: unknown, b: unknown): boolean {
	const needle = (rule.text ?? '').trim().toLowerCase();
	switch (rule.when) {
		case 'always':
			return true;
		case 'aBlank':
			return isBlank(a);
		case 'bBlank':
			return isBlank(b);
		case 'aContains':
			return needle !== '' && text(a).includes(needle);
		case 'bContains':
			return needle !== '' && text(b).includes(needle);
		case 'aEquals':
			return text(a) === needle;
		case 'bEquals':
			return text(b) === needle;
		case 'aLonger':
			return text(a).length > text(b).length;
		case 'bLonger':
			return text(b).length > text(a).length;
		case 'aGreater':
			return greater(a, b);
		case 'bGreater':
			return greater(b, a);
		default:
			return false;
	}
}

/** The rules as read from the node's Custom Conflict Rules parameter. */
export function readRules(raw: IDataObject | undefined): CustomRule[] {
	return ((raw?.rules as IDataObject[] | undefined) ?? []).map((r) => ({
		when: String(r.when ?? 'aBlank'),
		text: r.text === undefined ? undefined : String(r.text),
		then: (r.then ?? 'a') as CustomRule['then'],
		value: r.value === undefined ? undefined : String(r.value),
		fields:
			r.fields === undefined
				? undefined
				: Array.isArray(r.fields)
					? r.fields.map(String).join(',')
					: String(r.fields),
	}));
}

/** The engine's custom-strategy callback over the rules. */
export function rulesResolver(rules: CustomRule[]): ResolveConflict {
	return (ctx: ConflictContext) => {
		for (const rule of rules) {
			const only = (rule.fields ?? '')
				.split(',')
				.map((f) => f.trim())
				.filter(Boolean);
			if (only.length && !only.includes(ctx.fieldA)) continue;
			// b is compared in side A's terms (through the B → A transforms), so both values are alike.
			if (!holds(rule, ctx.a, ctx.bAsA)) continue;
			if (rule.then === 'review') return undefined;
			if (rule.then === 'value') return { value: rule.value ?? '' };
			return { winner: rule.then };
		}
		return undefined;
	};
}
