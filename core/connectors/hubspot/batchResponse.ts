/**
 * HubSpot's batch answers, input by input: which failure of a whole batch call is worth splitting the batch for
 * (`classifyHubSpotBatchError`), the readable reason of a failure (`describeHubSpotError`), and the pairing of a
 * batch response's results and errors with the inputs sent (`matchBatchResponse`, `matchPairs`).
 */
import type { BatchItemError, ItemOutcome } from '../../batching/types';
import { isCrmError } from '../../http/errors';
import type { HubSpotBatchResponse, HubSpotErrorBody, HubSpotObject } from './types';

/** The batch endpoints of `/crm/v3/objects/{type}/batch/{kind}`. */
export type BatchKind = 'create' | 'update' | 'upsert' | 'archive' | 'read';

/** The `objectWriteTraceId`s a whole-batch rejection names in its context (HubSpot's way of pointing at the input). */
export function blamedTraceIds(error: unknown): Set<string> {
	const out = new Set<string>();
	if (!isCrmError(error) || (error.status !== 400 && error.status !== 409 && error.status !== 422))
		return out;
	const body = error.details as Partial<HubSpotErrorBody> | undefined;
	const collect = (context: Record<string, unknown> | undefined) => {
		const traces = context?.objectWriteTraceId;
		for (const t of Array.isArray(traces) ? traces : traces === undefined ? [] : [traces])
			out.add(String(t));
	};
	collect(body?.context);
	for (const e of body?.errors ?? []) collect(e.context);
	return out;
}

/** HubSpot's detail messages when it gives them ("Email address x is invalid"), else its message. */
function readableMessage(body: Partial<HubSpotErrorBody> | undefined, fallback: string): string {
	const details = (body?.errors ?? [])
		.map((e) => e.message)
		.filter((m): m is string => typeof m === 'string' && m.trim() !== '');
	if (details.length > 0) return [...new Set(details)].join('; ');
	return body?.message || fallback;
}

/** How runBatches reacts when HubSpot fails a whole batch call. */
export function classifyHubSpotBatchError(error: unknown): 'splittable' | 'failChunk' | 'fatal' {
	if (!isCrmError(error)) return 'failChunk';
	if (error.kind === 'authentication' || error.kind === 'permission') return 'fatal';
	// An unknown object type fails every batch alike: splitting would cost two calls per item for nothing.
	if (/Unable to infer object type/i.test(`${error.crmMessage ?? ''} ${error.message}`))
		return 'fatal';
	if (
		error.status === 400 ||
		error.status === 409 ||
		error.status === 413 ||
		error.status === 422 ||
		error.status === 404
	)
		return 'splittable';
	return 'failChunk';
}

/** The failure reason of an input from a thrown error: HubSpot's own message first. */
export function describeHubSpotError(error: unknown): BatchItemError {
	if (isCrmError(error)) {
		const body = error.details as Partial<HubSpotErrorBody> | undefined;
		let message = readableMessage(body, error.crmMessage ?? error.message);
		if (error.kind === 'authentication' && !/reconnect/i.test(message)) {
			message = `${message} — HubSpot refused the credential: it must be reconnected (OAuth2: open the credential in n8n and reconnect it; private app: paste a valid access token), then re-run these items`;
		}
		return {
			message,
			code: error.crmCode ?? error.kind,
			details: {
				hubspotMessage: body?.message,
				status: error.status,
				category: body?.category,
				correlationId: body?.correlationId,
				context: body?.context,
				errors: body?.errors,
			},
		};
	}
	return { message: error instanceof Error ? error.message : String(error) };
}

/** Every id, key or trace id an error names in its context (and its sub-errors' contexts). */
export function contextValues(error: HubSpotErrorBody): string[] {
	const out: string[] = [];
	const visit = (v: unknown) => {
		if (Array.isArray(v)) v.forEach(visit);
		else if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
	};
	if (error.context) Object.values(error.context).forEach(visit);
	for (const e of error.errors ?? []) if (e.context) Object.values(e.context).forEach(visit);
	return out;
}

/** The failure reason of one input from a HubSpot error entry. */
export function itemError(error: HubSpotErrorBody): BatchItemError {
	return {
		message: readableMessage(error, 'HubSpot reported an error for this input'),
		code: error.category ?? error.subCategory?.toString(),
		details: {
			hubspotMessage: error.message,
			category: error.category,
			correlationId: error.correlationId,
			context: error.context,
			errors: error.errors,
		},
	};
}

/**
 * Pairs a batch response with its inputs: results by `objectWriteTraceId`, else by id / unique-property value
 * (HubSpot does not promise result order); errors by the ids, keys or trace ids in their `context`.
 */
export function matchBatchResponse(
	kind: BatchKind,
	wire: Array<Record<string, unknown>>,
	keys: string[],
	response: HubSpotBatchResponse | undefined,
	options: { idProperty?: string; caseInsensitive?: boolean } = {},
): Array<ItemOutcome<HubSpotObject>> {
	const outcomes: Array<ItemOutcome<HubSpotObject> | undefined> = new Array(wire.length).fill(
		undefined,
	);
	const norm = (v: unknown) =>
		options.caseInsensitive
			? String(v ?? '')
					.trim()
					.toLowerCase()
			: String(v ?? '');
	const byTrace = new Map<string, number>();
	const byKey = new Map<string, number>();
	wire.forEach((w, i) => {
		if (typeof w.objectWriteTraceId === 'string') byTrace.set(w.objectWriteTraceId, i);
		if (keys[i]) byKey.set(norm(keys[i]), i);
	});
	if (
		kind === 'archive' &&
		(!response || !Array.isArray(response.errors) || response.errors.length === 0)
	) {
		return wire.map((w) => ({
			ok: true,
			value: { id: String(w.id), properties: {}, archived: true },
		}));
	}
	const results = response?.results ?? [];
	const unplaced: HubSpotObject[] = [];
	for (const result of results) {
		let index =
			result.objectWriteTraceId !== undefined ? byTrace.get(result.objectWriteTraceId) : undefined;
		if (index === undefined && kind !== 'create') {
			const useProperty =
				options.idProperty && options.idProperty !== 'hs_object_id' && kind !== 'archive';
			const key = useProperty ? result.properties?.[options.idProperty as string] : result.id;
			if (key !== undefined && key !== null) index = byKey.get(norm(key));
			if (index === undefined) index = byKey.get(norm(result.id));
		}
		if (index !== undefined && outcomes[index] === undefined)
			outcomes[index] = { ok: true, value: result };
		else unplaced.push(result);
	}
	const errors = response?.errors ?? [];
	const unmatchedErrors: HubSpotErrorBody[] = [];
	for (const error of errors) {
		const values = contextValues(error);
		let matched = false;
		for (const value of values) {
			const index = byTrace.get(value) ?? byKey.get(norm(value));
			if (index !== undefined && outcomes[index] === undefined) {
				outcomes[index] = { ok: false, error: itemError(error) };
				matched = true;
			}
		}
		if (!matched) unmatchedErrors.push(error);
	}
	const open = outcomes.map((o, i) => (o === undefined ? i : -1)).filter((i) => i >= 0);
	// Results HubSpot returned without a trace id or key (batch create): in order, when the counts agree.
	if (unplaced.length > 0 && unplaced.length === open.length && unmatchedErrors.length === 0) {
		open.forEach((index, j) => (outcomes[index] = { ok: true, value: unplaced[j] }));
	}
	return outcomes.map((outcome, i): ItemOutcome<HubSpotObject> => {
		if (outcome) return outcome;
		if (unmatchedErrors.length === 1) return { ok: false, error: itemError(unmatchedErrors[0]) };
		if (unmatchedErrors.length > 1) {
			return {
				ok: false,
				error: {
					message: `HubSpot reported ${unmatchedErrors.length} errors for this batch without saying which input each is about: ${unmatchedErrors
						.map((e) => e.message)
						.slice(0, 3)
						.join(' | ')}`,
					code: unmatchedErrors[0].category,
					details: { errors: unmatchedErrors },
				},
			};
		}
		const what = kind === 'read' ? 'not found' : 'no result';
		return {
			ok: false,
			error: {
				message: `${what}: HubSpot returned no result for ${keys[i] ? `"${keys[i]}"` : `input ${i}`} in its ${kind} batch response`,
				code: kind === 'read' ? 'OBJECT_NOT_FOUND' : 'NO_RESULT',
			},
		};
	});
}

/** Pairs an association batch response with its (from, to) pairs: errors by the ids in their context. */
export function matchPairs(
	chunk: Array<{ fromId: string; toId: string }>,
	res: HubSpotBatchResponse<Record<string, unknown>> | undefined,
): Array<ItemOutcome<unknown>> {
	const errors = res?.errors ?? [];
	const results = res?.results ?? [];
	return chunk.map((pair, i): ItemOutcome<unknown> => {
		const error = errors.find((e) => {
			const values = contextValues(e);
			return (
				values.includes(String(pair.fromId)) &&
				(values.includes(String(pair.toId)) || values.length === 1)
			);
		});
		if (error) return { ok: false, error: itemError(error) };
		if (errors.length > 0 && results.length === 0 && errors.length === 1)
			return { ok: false, error: itemError(errors[0]) };
		return { ok: true, value: results[i] ?? { fromId: pair.fromId, toId: pair.toId } };
	});
}
