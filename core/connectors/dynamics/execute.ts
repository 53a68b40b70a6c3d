/**
 * Dataverse functions and actions (Web API "Use Web API functions" / "Use Web API actions"), batched:
 * - a function is a GET with its parameters as aliases, never inline: `GET /{Name}(P1=@p1,P2=@p2)?@p1='text'&@p2=5`;
 *   a bound one `GET /{set}({id})/Microsoft.Dynamics.CRM.{Name}(…)`. Values are OData literals (text quoted, quotes
 *   doubled) and then percent-encoded, so no value can end the literal or add to the URL. In a `$batch` they are
 *   top-level parts (change sets take writes only).
 * - an action is a POST with the parameters as its JSON body: `POST /{Name}`, bound `POST /{set}({id})/
 *   Microsoft.Dynamics.CRM.{Name}`; each in a change set of its own.
 * The answer's body (without `@odata.context`) is the result; 204 (no body) → `{ success: true }`.
 */
import type { BatchItemResult } from '../../batching/types';
import { encodeODataParam, odataGuid, odataLiteral } from '../../query/odata';
import type { BatchRequest } from './batch';
import { runRequests, type RunRequestsOptions } from './batchRun';
import type { DataverseClient } from './client';
import { itemError } from './write';

/** One call. */
export interface ExecuteInput {
	kind: 'function' | 'action';
	/** `WhoAmI`, `QualifyLead`, a custom API's unique name (`new_DoThing`), or a qualified name. */
	name: string;
	/** Bound: the entity set and row id. */
	bound?: { set: string; id: string };
	/** Parameter name → value (JSON values). */
	parameters: Record<string, unknown>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const PARAM = /^[A-Za-z_][A-Za-z0-9_]*$/;
const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * A parameter value as a URL-safe alias value: text quoted (a GUID bare, as `Edm.Guid` literals are), numbers and
 * booleans plain, `null`, arrays and objects as JSON (how Dataverse takes collections and entity references).
 */
export function aliasValue(value: unknown): string {
	if (typeof value === 'string')
		return encodeODataParam(GUID.test(value) ? odataGuid(value) : odataLiteral(value));
	if (value === null || typeof value === 'number' || typeof value === 'boolean')
		return encodeODataParam(odataLiteral(value));
	if (typeof value === 'object') return encodeODataParam(JSON.stringify(value));
	throw new Error(`${String(value)} cannot be sent as a parameter value`);
}

/** The request of one call, or why it cannot be sent. */
export function executeRequest(input: ExecuteInput, contentId: string): BatchRequest | string {
	const name = input.name.trim();
	if (!NAME.test(name))
		return `not sent: "${input.name}" is not a function or action name (letters, digits and _, e.g. WhoAmI)`;
	let prefix = '';
	let qualified = name;
	if (input.bound) {
		let id: string;
		try {
			id = odataGuid(input.bound.id.trim());
		} catch {
			return `not sent: the row ID "${input.bound.id}" is not a GUID`;
		}
		prefix = `${input.bound.set}(${id})/`;
		// Bound operations are called by their qualified name.
		if (!name.includes('.')) qualified = `Microsoft.Dynamics.CRM.${name}`;
	}
	const params = input.parameters ?? {};
	const bad = Object.keys(params).find((p) => !PARAM.test(p));
	if (bad !== undefined)
		return `not sent: "${bad}" is not a parameter name (letters, digits and _)`;
	if (input.kind === 'action')
		return { contentId, method: 'POST', path: `${prefix}${qualified}`, body: { ...params } };
	const entries = Object.entries(params).filter(([, v]) => v !== undefined);
	const aliases: string[] = [];
	try {
		entries.forEach(([, v], i) => aliases.push(`@p${i + 1}=${aliasValue(v)}`));
	} catch (error) {
		return `not sent: ${(error as Error).message}`;
	}
	const args = entries.map(([p], i) => `${p}=@p${i + 1}`).join(',');
	const query = aliases.length ? `?${aliases.join('&')}` : '';
	return {
		contentId,
		method: 'GET',
		path: `${prefix}${qualified}(${args})${query}`,
		topLevel: true,
	};
}

/** Runs the calls in `$batch`es; one result per input (the answer's body), in input order. */
export async function dataverseExecute(
	client: DataverseClient,
	inputs: readonly ExecuteInput[],
	options: Omit<RunRequestsOptions, 'idempotent'> = {},
): Promise<Array<BatchItemResult<Record<string, unknown>>>> {
	const out: Array<BatchItemResult<Record<string, unknown>>> = new Array(inputs.length);
	const requests: BatchRequest[] = [];
	const sent: number[] = [];
	inputs.forEach((input, index) => {
		const r = executeRequest(input, String(index + 1));
		if (typeof r === 'string')
			out[index] = { index, ok: false, error: { message: r, code: 'INVALID_INPUT' } };
		else {
			requests.push(r);
			sent.push(index);
		}
	});
	// Functions read; an action may change data, so a lost batch of actions is not sent again.
	const idempotent = requests.every((r) => r.method === 'GET');
	const answers = await runRequests(client, requests, { idempotent, ...options });
	answers.forEach((a, k) => {
		const index = sent[k];
		if (!a.ok) {
			out[index] = { index, ok: false, error: itemError(a.error) };
			return;
		}
		const body = a.part.body;
		const json: Record<string, unknown> =
			body && typeof body === 'object' && !Array.isArray(body)
				? { ...(body as Record<string, unknown>) }
				: body === undefined
					? { success: true }
					: { value: body };
		delete json['@odata.context'];
		out[index] = { index, ok: true, value: json };
	});
	return out;
}
