/**
 * A small method + path router. Patterns are strings with `:name` parameters (also inside a segment,
 * e.g. `/accounts(:id)` for OData keys) and an optional trailing `*` (captured as `params['*']`), or
 * regular expressions whose named groups become parameters. A single trailing slash is ignored.
 */
import { HttpError, type Handler } from './http';

/** Per-route settings. */
export interface RouteOptions {
	/** Request-log label for requests to this route (e.g. `query`, `batch.create`). */
	kind?: string;
	/** Body size cap for this route (overrides the server's). */
	maxBodyBytes?: number;
}

/** A registered route. */
export interface Route {
	methods: ReadonlySet<string> | '*';
	pattern: string | RegExp;
	regex: RegExp;
	handler: Handler;
	options: RouteOptions;
}

/** The outcome of matching a request. */
export type RouteMatch =
	| { type: 'found'; route: Route; params: Record<string, string> }
	| { type: 'methodNotAllowed'; allowed: string[] }
	| { type: 'notFound' };

const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compiles a string pattern into an anchored regular expression with named groups. */
export function compilePattern(pattern: string): RegExp {
	if (!pattern.startsWith('/')) throw new Error(`Route pattern must start with '/': ${pattern}`);
	let body = pattern.replace(/\/+$/, '');
	let rest = '';
	if (body.endsWith('/*')) {
		body = body.slice(0, -2);
		rest = '(?:/(?<__rest>.*))?';
	} else if (body.endsWith('*')) {
		body = body.slice(0, -1);
		rest = '(?<__rest>.*)';
	}
	let source = '';
	let last = 0;
	for (const m of body.matchAll(PARAM)) {
		source += escapeRegex(body.slice(last, m.index)) + `(?<${m[1]}>[^/]+?)`;
		last = (m.index ?? 0) + m[0].length;
	}
	source += escapeRegex(body.slice(last));
	return new RegExp(`^${source}${rest}/?$`);
}

function escapeRegex(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		throw new HttpError(400, `Malformed percent-encoding in path: ${value}`, 'malformed_path');
	}
}

/** Routes requests by method and path; first registered match wins. */
export class Router {
	private readonly routes: Route[] = [];

	/** Registers a route. `method` may be one method, several, or `'*'` for any. */
	add(
		method: string | string[],
		pattern: string | RegExp,
		handler: Handler,
		options: RouteOptions = {},
	): this {
		const methods =
			method === '*'
				? '*'
				: new Set((Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase()));
		const regex = typeof pattern === 'string' ? compilePattern(pattern) : pattern;
		this.routes.push({ methods, pattern, regex, handler, options });
		return this;
	}

	get(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.add('GET', pattern, handler, options);
	}

	post(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.add('POST', pattern, handler, options);
	}

	put(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.add('PUT', pattern, handler, options);
	}

	patch(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.add('PATCH', pattern, handler, options);
	}

	delete(pattern: string | RegExp, handler: Handler, options?: RouteOptions): this {
		return this.add('DELETE', pattern, handler, options);
	}

	/** Finds the route for a method and (encoded) path. HEAD falls back to GET routes. */
	match(method: string, path: string): RouteMatch {
		const m = method.toUpperCase();
		const allowed = new Set<string>();
		for (const route of this.routes) {
			const found = route.regex.exec(path);
			if (!found) continue;
			const accepts = (x: string) => route.methods === '*' || route.methods.has(x);
			if (accepts(m) || (m === 'HEAD' && accepts('GET'))) {
				const params: Record<string, string> = {};
				for (const [key, value] of Object.entries(found.groups ?? {})) {
					if (value === undefined) continue;
					params[key === '__rest' ? '*' : key] = decode(value);
				}
				return { type: 'found', route, params };
			}
			if (route.methods !== '*') route.methods.forEach((x) => allowed.add(x));
		}
		return allowed.size > 0
			? { type: 'methodNotAllowed', allowed: [...allowed] }
			: { type: 'notFound' };
	}
}
