/** URL helpers shared by transports and the client: base-URL resolution, query strings, the https rule. */
import { isIP } from 'node:net';
import { CrmError } from './errors';
import { redactUrl } from './redact';
import type { HttpRequest } from './types';

/**
 * Resolves `url` against `baseUrl`. Absolute URLs are returned unchanged; a path is appended to the base
 * URL's path (so `https://org/api/data/v9.2` + `/accounts` → `https://org/api/data/v9.2/accounts`, unlike
 * WHATWG resolution which would drop the base path).
 */
export function resolveUrl(baseUrl: string | undefined, url: string): string {
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
	if (!baseUrl) {
		throw new CrmError(
			`Cannot send a request to the relative URL "${redactUrl(url)}": no base URL is configured`,
			{
				kind: 'fatal',
				hint: 'Configure the base URL (instance URL) of the API or pass an absolute URL.',
			},
		);
	}
	const base = baseUrl.replace(/\/+$/, '');
	if (!url) return base;
	return url.startsWith('/') || url.startsWith('?') ? `${base}${url}` : `${base}/${url}`;
}

function encodeQueryComponent(value: string): string {
	// Strict RFC 3986 encoding (%20 for spaces, also !'()*), keeping `$` readable for `$filter`-style system query options
	// ($filter, $select). What is reported as the request URL is then exactly what goes on the wire.
	return encodeURIComponent(value)
		.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
		.replace(/%24/g, '$');
}

/** Serialises query parameters (arrays repeat the key; undefined values are skipped). */
export function buildQueryString(qs: HttpRequest['qs']): string {
	if (!qs) return '';
	const parts: string[] = [];
	for (const [key, value] of Object.entries(qs)) {
		if (value === undefined) continue;
		const values = Array.isArray(value) ? value : [value];
		for (const v of values)
			parts.push(`${encodeQueryComponent(key)}=${encodeQueryComponent(String(v))}`);
	}
	return parts.join('&');
}

/** Appends the serialised `qs` to `url` (respecting an existing query string). */
export function buildUrl(url: string, qs?: HttpRequest['qs']): string {
	const query = buildQueryString(qs);
	if (!query) return url;
	const hashIndex = url.indexOf('#');
	const head = hashIndex >= 0 ? url.slice(0, hashIndex) : url;
	const hash = hashIndex >= 0 ? url.slice(hashIndex) : '';
	const sep = head.includes('?') ? (head.endsWith('?') || head.endsWith('&') ? '' : '&') : '?';
	return `${head}${sep}${query}${hash}`;
}

/** Whether a host name is loopback: `localhost` (and `*.localhost`), 127.0.0.0/8, `::1`. */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (host === 'localhost' || host.endsWith('.localhost')) return true;
	const ipVersion = isIP(host);
	if (ipVersion === 4) return host.startsWith('127.');
	if (ipVersion === 6)
		return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
	return false;
}

/**
 * Throws a `fatal` {@link CrmError} unless `url` is https, or http to a loopback host, or `allowInsecure` is set.
 * Credentials must never travel in clear text across a network.
 */
export function assertSecureUrl(url: string, allowInsecure = false): URL {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new CrmError(`Invalid URL "${redactUrl(url)}"`, {
			kind: 'fatal',
			hint: 'Use an absolute http(s) URL.',
		});
	}
	if (parsed.protocol === 'https:') return parsed;
	if (parsed.protocol !== 'http:') {
		throw new CrmError(`Unsupported URL scheme "${parsed.protocol}" in "${redactUrl(url)}"`, {
			kind: 'fatal',
			hint: 'Only https (and http to loopback) URLs are supported.',
		});
	}
	if (allowInsecure || isLoopbackHost(parsed.hostname)) return parsed;
	throw new CrmError(
		`Refusing to send a request over plain http to ${parsed.host} (${redactUrl(url)}): credentials and data would travel unencrypted`,
		{
			kind: 'fatal',
			reachedServer: false,
			hint: 'Use an https URL. For a trusted internal network only, set the "allow insecure" option.',
		},
	);
}
