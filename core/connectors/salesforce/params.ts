/**
 * Named parameters in SOQL written by users: `SELECT Id FROM Contact WHERE Email = :email AND Id IN :ids`.
 * Each `:name` outside string literals is replaced by the value bound as a SOQL literal (strings quoted and
 * escaped, numbers, booleans, null, dates, lists for IN), so no value can change the query's structure.
 */
import { QueryValueError } from '../../query/common';
import { soqlLiteral, type SoqlValue } from '../../query/soql';

/** A bound value: a literal or a list of literals (for IN). */
export type SoqlParameterValue = SoqlValue | SoqlValue[];

/**
 * Replaces every `:name` placeholder (outside quotes) with its value from `params`.
 *
 * @throws QueryValueError naming the placeholder when a parameter is missing, or a value cannot be bound.
 */
export function bindSoqlParameters(
	text: string,
	params: Record<string, SoqlParameterValue>,
): string {
	let out = '';
	let i = 0;
	const used = new Set<string>();
	while (i < text.length) {
		const ch = text[i];
		if (ch === "'") {
			// Copy a string literal verbatim, honouring backslash escapes.
			let j = i + 1;
			while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
			out += text.slice(i, j + 1);
			i = j + 1;
			continue;
		}
		if (
			ch === ':' &&
			/[A-Za-z_]/.test(text[i + 1] ?? '') &&
			!/[A-Za-z0-9_]/.test(text[i - 1] ?? '')
		) {
			const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
			const name = m ? m[0] : '';
			// `LAST_N_DAYS:30` has a digit after the colon and is never a placeholder.
			if (!(name in params)) {
				throw new QueryValueError(
					`The query uses the parameter :${name}, but no parameter named "${name}" is defined — add it under Query Parameters (names are case-sensitive)`,
				);
			}
			const value = params[name];
			if (Array.isArray(value)) {
				if (value.length === 0)
					throw new QueryValueError(
						`The parameter :${name} is an empty list, and "IN ()" is not valid SOQL — skip the condition when there are no values`,
					);
				out += `(${value.map((v) => soqlLiteral(v)).join(',')})`;
			} else {
				out += soqlLiteral(value);
			}
			used.add(name);
			i += 1 + name.length;
			continue;
		}
		out += ch;
		i++;
	}
	return out;
}
