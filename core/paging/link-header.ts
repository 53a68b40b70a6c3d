/**
 * RFC 8288 `Link` header parsing: `<https://api.example.com/items?page=2>; rel="next", <…>; rel="last"`.
 * Handles several links in one header (or several headers joined by commas), commas and semicolons
 * inside `<…>` URIs and quoted parameter values, backslash escapes in quoted strings, space-separated
 * relation types (`rel="next last"`), and case-insensitive parameter names and relation types.
 */

export interface LinkValue {
	/** The target URI as written (or resolved, when a base URL was given). */
	uri: string;
	/** Relation types, lower-cased (`rel="Next last"` → `['next', 'last']`). */
	rel: string[];
	/** All parameters by lower-cased name; the first occurrence of a name wins (RFC 8288 §3). */
	params: Record<string, string>;
}

const WS = /[ \t]/;

/**
 * Parses a `Link` header value. Malformed link-values are skipped (the rest is still parsed), because
 * one odd link must not hide a valid `next`.
 *
 * @param header the header value; an array (several `Link` headers) is treated as one comma list.
 * @param baseUrl when given, relative URIs are resolved against it (RFC 8288: relative to the request URL).
 */
export function parseLinkHeader(
	header: string | readonly string[] | undefined,
	baseUrl?: string,
): LinkValue[] {
	if (header === undefined) return [];
	const text = typeof header === 'string' ? header : header.join(', ');
	const links: LinkValue[] = [];
	let i = 0;
	const n = text.length;
	const skipWs = () => {
		while (i < n && WS.test(text[i])) i++;
	};
	const skipToNextLink = () => {
		// Skip to the next top-level comma, stepping over quoted strings.
		while (i < n && text[i] !== ',') {
			if (text[i] === '"') readQuoted();
			else i++;
		}
	};
	const readQuoted = (): string => {
		let value = '';
		i++; // opening quote
		while (i < n && text[i] !== '"') {
			if (text[i] === '\\' && i + 1 < n) i++;
			value += text[i];
			i++;
		}
		i++; // closing quote (or past the end)
		return value;
	};
	const readToken = (): string => {
		const start = i;
		while (i < n && !WS.test(text[i]) && text[i] !== ';' && text[i] !== ',' && text[i] !== '=') i++;
		return text.slice(start, i);
	};

	while (i < n) {
		while (i < n && (WS.test(text[i]) || text[i] === ',')) i++;
		if (i >= n) break;
		if (text[i] !== '<') {
			skipToNextLink();
			continue;
		}
		const close = text.indexOf('>', i + 1);
		if (close < 0) break;
		const rawUri = text.slice(i + 1, close).trim();
		i = close + 1;
		const params: Record<string, string> = {};
		let malformed = false;
		for (;;) {
			skipWs();
			if (i >= n || text[i] === ',') break;
			if (text[i] !== ';') {
				malformed = true;
				skipToNextLink();
				break;
			}
			i++;
			skipWs();
			const name = readToken().toLowerCase();
			skipWs();
			let value = '';
			if (text[i] === '=') {
				i++;
				skipWs();
				value = text[i] === '"' ? readQuoted() : readToken();
			}
			if (name !== '' && !(name in params)) params[name] = value;
		}
		if (malformed) continue;
		let uri = rawUri;
		if (baseUrl !== undefined) {
			try {
				uri = new URL(rawUri, baseUrl).toString();
			} catch {
				uri = rawUri;
			}
		}
		const rel = (params.rel ?? '')
			.split(/\s+/)
			.filter((r) => r !== '')
			.map((r) => r.toLowerCase());
		links.push({ uri, rel, params });
	}
	return links;
}

/** The URI of the first link with relation type `rel` (default `next`), or undefined. */
export function findLink(
	header: string | readonly string[] | undefined,
	rel = 'next',
	baseUrl?: string,
): string | undefined {
	const wanted = rel.toLowerCase();
	return parseLinkHeader(header, baseUrl).find((link) => link.rel.includes(wanted))?.uri;
}
