/**
 * Secret redaction. Everything the HTTP layer puts into an error message, error details, a URL shown to a
 * user or a log line passes through here, so a token, password, client secret, API key or private key never
 * leaves the process in clear text.
 *
 * Two mechanisms work together:
 * - a process-wide **registry** of known secret values (`registerSecret`): auth providers register every
 *   credential and every token they obtain; each registered value is masked wherever it appears, also in its
 *   URL-encoded, form-encoded and JSON-escaped spellings;
 * - **patterns** for secrets nobody registered: `Authorization`-like headers, `Bearer …`/`Basic …`
 *   credentials, sensitive query/form parameters and JSON fields, URL user-info, PEM private keys and
 *   JWT-shaped strings.
 */

/** What a masked secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Values shorter than this are not registered: masking a 1–3 character string everywhere would mangle text. */
export const MIN_SECRET_LENGTH = 4;

/** Upper bound of the registry; the oldest entries (long-expired tokens, typically) are dropped first. */
const MAX_SECRETS = 2000;

const registry = new Map<string, true>();
let registryPattern: RegExp | null | undefined;

/**
 * Registers a secret so that it is masked wherever it appears (raw, URL-encoded, form-encoded, JSON-escaped).
 * Empty, non-string and very short values (< {@link MIN_SECRET_LENGTH} chars) are ignored.
 */
export function registerSecret(value: unknown): void {
	if (typeof value !== 'string') return;
	const trimmed = value.trim();
	if (trimmed.length < MIN_SECRET_LENGTH) return;
	for (const variant of new Set([value, trimmed])) {
		if (variant.length < MIN_SECRET_LENGTH) continue;
		registry.delete(variant);
		registry.set(variant, true);
	}
	while (registry.size > MAX_SECRETS) {
		const oldest = registry.keys().next().value;
		if (oldest === undefined) break;
		registry.delete(oldest);
	}
	registryPattern = undefined;
}

/** Forgets every registered secret (tests; long-running hosts that rotate credentials). */
export function clearRegisteredSecrets(): void {
	registry.clear();
	registryPattern = undefined;
}

/** Number of registered secret values (for diagnostics; never exposes the values). */
export function registeredSecretCount(): number {
	return registry.size;
}

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern matching an encoded spelling, with percent-escapes matched case-insensitively. */
function encodedPattern(encoded: string): string {
	return encoded
		.split(/(%[0-9A-Fa-f]{2})/)
		.map((part) =>
			/^%[0-9A-Fa-f]{2}$/.test(part)
				? `%[${part[1].toUpperCase()}${part[1].toLowerCase()}][${part[2].toUpperCase()}${part[2].toLowerCase()}]`
				: escapeRegExp(part),
		)
		.join('');
}

function spellings(secret: string): string[] {
	const out = new Set<string>([escapeRegExp(secret)]);
	const uri = encodeURIComponent(secret);
	if (uri !== secret) out.add(encodedPattern(uri));
	const form = new URLSearchParams({ v: secret }).toString().slice(2);
	if (form !== secret) out.add(encodedPattern(form));
	const json = JSON.stringify(secret).slice(1, -1);
	if (json !== secret) out.add(escapeRegExp(json));
	// A JSON-escaped spelling inside another JSON string (double-escaped), e.g. a logged request body.
	const json2 = JSON.stringify(json).slice(1, -1);
	if (json2 !== json) out.add(escapeRegExp(json2));
	return [...out];
}

function getRegistryPattern(): RegExp | null {
	if (registryPattern !== undefined) return registryPattern;
	if (registry.size === 0) {
		registryPattern = null;
		return null;
	}
	const alternatives = new Set<string>();
	for (const secret of registry.keys()) for (const s of spellings(secret)) alternatives.add(s);
	// Longest first so that a secret containing another secret is masked whole.
	const sorted = [...alternatives].sort((a, b) => b.length - a.length);
	registryPattern = new RegExp(sorted.join('|'), 'g');
	return registryPattern;
}

/**
 * Names of fields, parameters and headers whose value is secret in any context (JSON, form, query, header).
 * Matched against the whole name, case-insensitively.
 */
const SENSITIVE_NAME =
	/^(?:[\w.-]*(?:token|secret|password|passwd|passphrase|api[_-]?key|apikey|assertion|signature|credentials?|private[_-]?key|session[_-]?id|sessionid|authorization|cookie)|pwd|hapikey|x[_-]?auth|subscription[_-]?key|ocp-apim-subscription-key)$/i;

/** Names that are secret in a query string or form body, but ordinary in JSON (e.g. an error body's `code`). */
const SENSITIVE_QUERY_NAME = /^(?:code|key|sig|auth|pass|otp)$/i;

/** Names that look sensitive but carry paging state, not credentials: kept visible for debugging. */
const NOT_SENSITIVE_NAME =
	/^(?:\$?skip_?token|(?:next_?)?page_?token|continuation_?token|sync_?token|token_?type|delta_?token|\$?deltatoken|\$?skiptoken)$/i;

/** Whether a field / header / parameter name holds a secret in a JSON object or header map. */
export function isSensitiveName(name: string): boolean {
	return SENSITIVE_NAME.test(name) && !NOT_SENSITIVE_NAME.test(name);
}

/** Whether a query-string or form parameter name holds a secret. */
export function isSensitiveParamName(name: string): boolean {
	let decoded = name;
	try {
		decoded = decodeURIComponent(name);
	} catch {
		// keep the raw name
	}
	return isSensitiveName(decoded) || SENSITIVE_QUERY_NAME.test(decoded);
}

const PEM_BLOCK =
	/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:[\s\S]*?-----END \1PRIVATE KEY-----|[^"'`]*)/g;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"']+@/gi;
const BEARER = /\b(Bearer)(\s+)([A-Za-z0-9\-._~+/!%$*]+=*)/gi;
const BASIC = /\b(Basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})/g;
const OTHER_SCHEMES = /\b(Token|OAuth|Digest|NTLM|Negotiate|SharedKey|SSWS)(\s+)([^\s"',;]{8,})/g;
const HEADER_LINE =
	/\b((?:proxy-)?authorization|(?:set-)?cookie|x-[\w-]*(?:api-?key|token|secret|auth)[\w-]*|api-?key|ocp-apim-subscription-key)(\s*:\s*)([^\r\n"]+)/gi;
const JSON_FIELD = /"([^"\\]{1,100})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false)/g;
const ESCAPED_JSON_FIELD =
	/\\"([^"\\]{1,100})\\"(\s*:\s*)(\\"(?:[^"\\]|\\[^"]|\\\\)*?\\"|-?\d[\d.eE+-]*)/g;
const PARAM = /(^|[?&;\s#,({])([A-Za-z0-9_.$%[\]-]{1,100})=([^&#\s"'<>;,)}]*)/g;

function maskBearer(_m: string, scheme: string, space: string, token: string): string {
	// "Bearer authentication failed": a plain lower-case word is prose, not a token.
	if (/^[a-z]+$/.test(token) && token.length < 20) return `${scheme}${space}${token}`;
	return `${scheme}${space}${REDACTED}`;
}

function maskBasic(_m: string, scheme: string, space: string, value: string): string {
	// Only mask what decodes to "user:password": "Basic authentication" stays readable.
	const decoded = Buffer.from(value, 'base64').toString('utf8');
	const binary = [...decoded].some((c) => c.charCodeAt(0) < 9 || c === '\uFFFD');
	if (!decoded.includes(':') || binary) return `${scheme}${space}${value}`;
	return `${scheme}${space}${REDACTED}`;
}

/**
 * Masks every secret in a string: registered secrets (any spelling) and pattern-recognised ones.
 * Safe to call repeatedly (idempotent).
 */
export function redactString(input: string): string {
	if (!input) return input;
	let s = input;
	const registered = getRegistryPattern();
	if (registered) s = s.replace(registered, REDACTED);
	s = s.replace(PEM_BLOCK, '[REDACTED PRIVATE KEY]');
	s = s.replace(JWT, '[REDACTED JWT]');
	s = s.replace(URL_USERINFO, `$1${REDACTED}@`);
	s = s.replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
	s = s.replace(BEARER, maskBearer);
	s = s.replace(BASIC, maskBasic);
	s = s.replace(OTHER_SCHEMES, maskBearer);
	s = s.replace(JSON_FIELD, (m, name: string, sep: string, value: string) =>
		isSensitiveName(name) && value !== '""' && value !== `"${REDACTED}"`
			? `"${name}"${sep}"${REDACTED}"`
			: m,
	);
	s = s.replace(ESCAPED_JSON_FIELD, (m, name: string, sep: string) =>
		isSensitiveName(name) ? `\\"${name}\\"${sep}\\"${REDACTED}\\"` : m,
	);
	s = s.replace(PARAM, (m, lead: string, name: string, value: string) =>
		value && value !== REDACTED && isSensitiveParamName(name) ? `${lead}${name}=${REDACTED}` : m,
	);
	return s;
}

/** Masks secrets in a URL: sensitive query parameters, user-info and registered secrets anywhere in it. */
export function redactUrl(url: string): string {
	return redactString(url);
}

/** Options of {@link redactValue}. */
export interface RedactValueOptions {
	/** Deeper levels are replaced by `'[…]'`. Default 12. */
	maxDepth?: number;
	/** Longer strings are truncated (after masking). Default 10 000. */
	maxStringLength?: number;
	/** Treat keys like query/form parameters (masks `code`, `key`, … too). Default false. */
	paramNames?: boolean;
}

/**
 * Deep-copies a value with every secret masked: keys named like secrets get `[REDACTED]`, strings pass
 * through {@link redactString}, Buffers become a size note, cycles are cut. Never mutates its input.
 */
export function redactValue<T = unknown>(value: T, options: RedactValueOptions = {}): T {
	const maxDepth = options.maxDepth ?? 12;
	const maxLen = options.maxStringLength ?? 10_000;
	const seen = new WeakSet<object>();
	const isSecretKey = options.paramNames ? isSensitiveParamName : isSensitiveName;

	const walk = (v: unknown, depth: number): unknown => {
		if (typeof v === 'string') {
			const r = redactString(v);
			return r.length > maxLen ? `${r.slice(0, maxLen)}… (${r.length - maxLen} more chars)` : r;
		}
		if (v === null || typeof v !== 'object') {
			return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
		}
		if (Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
			return `[binary ${(v as ArrayBuffer).byteLength} bytes]`;
		}
		if (seen.has(v)) return '[Circular]';
		if (depth >= maxDepth) return '[…]';
		seen.add(v);
		try {
			if (v instanceof Date) return v.toISOString();
			if (v instanceof URLSearchParams) return redactString(v.toString());
			if (v instanceof Error) return { name: v.name, message: redactString(v.message) };
			if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
			if (v instanceof Map) {
				const out: Record<string, unknown> = {};
				for (const [k, val] of v)
					out[String(k)] =
						isSecretKey(String(k)) && val != null && val !== '' ? REDACTED : walk(val, depth + 1);
				return out;
			}
			const out: Record<string, unknown> = {};
			for (const [k, val] of Object.entries(v)) {
				out[k] =
					isSecretKey(k) && val !== null && val !== undefined && val !== ''
						? REDACTED
						: walk(val, depth + 1);
			}
			return out;
		} finally {
			seen.delete(v);
		}
	};
	return walk(value, 0) as T;
}

/** Masks a header map: sensitive header names are masked whole, other values through {@link redactString}. */
export function redactHeaders(
	headers: Record<string, string | string[] | undefined> | undefined,
): Record<string, string> {
	const out: Record<string, string> = {};
	if (!headers) return out;
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		const text = Array.isArray(value) ? value.join(', ') : String(value);
		out[name] =
			isSensitiveName(name) || /^(?:x-)?api-?key$/i.test(name) ? REDACTED : redactString(text);
	}
	return out;
}
