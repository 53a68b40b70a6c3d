/**
 * Whole-run secret checks for node tests: a secret must appear nowhere in what n8n keeps of an execution, not only
 * in the message a test happens to look at.
 *
 * `executionText(run)` serialises n8n's entire run (`IRun`, i.e. `run.data`): every node's task data with the items
 * of every output (success and error output: `json`, `binary`, an item's `error`), each task's `error`, the run's
 * `resultData.error`, the execution stack and metadata. Errors are written out in full, beyond the `toJSON()` n8n
 * persists: name, message, description, stack, every enumerable own property, the `messages` n8n shows, the
 * `errorResponse` and the whole `cause` chain (an error that kept an axios request with its `Authorization` header
 * in a cause would be found). Left out is only where n8n itself stores secrets on purpose: the credentials (and the
 * credential updates, e.g. a refreshed OAuth2 token, that n8n writes to its encrypted credentials table) are not
 * part of `run.data`, so they are not in this text either.
 *
 * `expectNoSecretsInRun(run, secrets)` fails naming the secret's kind and the place around it.
 */
import type { IRun } from 'n8n-workflow';

/** Longest text kept for one value; a secret is much shorter. */
const MAX_STRING = 1_000_000;

function errorShape(error: Error): Record<string, unknown> {
	const e = error as Error & Record<string, unknown>;
	const out: Record<string, unknown> = { name: e.name, message: e.message, stack: e.stack };
	for (const key of [
		'description',
		'messages',
		'errorResponse',
		'context',
		'httpCode',
		'extra',
		'tags',
	])
		if (e[key] !== undefined) out[key] = e[key];
	for (const key of Object.keys(e)) if (!(key in out)) out[key] = e[key];
	if (typeof (e as { toJSON?: unknown }).toJSON === 'function') {
		try {
			out.toJSON = (e as unknown as { toJSON(): unknown }).toJSON();
		} catch {
			// a toJSON that throws is n8n's problem, not a leak
		}
	}
	if (e.cause !== undefined) out.cause = e.cause;
	return out;
}

/** Everything n8n keeps of a run, as one text (errors in full, cycles cut). */
export function executionText(run: { run: IRun } | IRun): string {
	const data =
		'run' in run && (run as { run: IRun }).run?.data ? (run as { run: IRun }).run : (run as IRun);
	const seen = new WeakSet<object>();
	const text = JSON.stringify(data, function replacer(_key, value: unknown) {
		if (typeof value === 'bigint') return String(value);
		if (typeof value === 'string')
			return value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value;
		if (value === null || typeof value !== 'object') return value;
		if (seen.has(value)) return '[circular]';
		seen.add(value);
		if (value instanceof Error) return errorShape(value);
		if (Buffer.isBuffer(value)) return value.toString('utf8');
		return value;
	});
	return text ?? '';
}

/**
 * Fails if any of `secrets` (by name: `{ password: '…' }`) appears in the run's execution data. A secret shorter than
 * 8 characters is refused: it would make the check match by chance or pass vacuously. Returns the text's length, so
 * a caller can assert the check saw something.
 */
export function expectNoSecretsInRun(
	run: { run: IRun } | IRun,
	secrets: Record<string, string | undefined>,
): number {
	const text = executionText(run);
	const problems: string[] = [];
	for (const [name, secret] of Object.entries(secrets)) {
		if (typeof secret !== 'string' || secret.length < 8)
			throw new Error(
				`secret "${name}" is missing or shorter than 8 characters: the check would be vacuous`,
			);
		// The text is JSON: a secret with a newline or quote (a PEM key) appears there escaped.
		const escaped = JSON.stringify(secret).slice(1, -1);
		const at = text.indexOf(escaped);
		if (at >= 0)
			problems.push(
				`${name} found in the execution data: …${text.slice(Math.max(0, at - 120), at)}<${name}>…`,
			);
		// Also URL-encoded (a token in a query string) and base64 (a Basic header).
		const encoded = encodeURIComponent(secret);
		if (encoded !== secret && text.includes(encoded))
			problems.push(`${name} found URL-encoded in the execution data`);
		const b64 = Buffer.from(secret).toString('base64').replace(/=+$/, '');
		if (b64.length >= 12 && text.includes(b64))
			problems.push(`${name} found base64-encoded in the execution data`);
	}
	if (problems.length > 0)
		throw new Error(`Secrets leaked into the run:\n- ${problems.join('\n- ')}`);
	return text.length;
}
