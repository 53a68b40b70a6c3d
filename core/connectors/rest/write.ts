/**
 * Writes over a profile: through its batch endpoint when it has one (chunks of `max`, results matched by position
 * or by their index field, a chunk refused as a whole split in halves to find the bad item), else one request per
 * record. One result per input, in input order; an answer lost after sending is `OUTCOME_UNKNOWN`.
 */
import { BATCH_CODES, type BatchItemResult } from '../../batching/types';
import { isCrmError } from '../../http';
import { setPath } from '../../records/path';
import type { WriteInput, WriteOperation, WrittenRecord } from '../contract';
import { at, fill, type Requester } from './endpoint';
import type { BatchEndpoint, ObjectProfile, WriteEndpoint } from './profile';
import { answerLost, errorOutcome, failure, type Outcome } from './outcome';
import { type Lookup, settleCreates } from './settle';

/** What a write needs. */
export interface WriteContext {
	client: Requester;
	object: ObjectProfile;
	type: string;
	key?: string;
	signal?: AbortSignal;
	/** Looks records up by a field (the profile's `find`), to settle creates whose answer was lost. */
	lookup?: Lookup;
}

/** The outcomes of creates whose answer was lost: settled by a look-up where the profile allows, else unknown. */
async function lostCreates(
	ctx: WriteContext,
	inputs: WriteInput[],
	error: unknown,
	started: number,
): Promise<Outcome[] | undefined> {
	if (!isCrmError(error) || !answerLost(error) || !ctx.lookup) return undefined;
	return await settleCreates(
		ctx.object,
		inputs,
		error,
		ctx.lookup,
		() => performance.now() - started,
		(cause, why) => errorOutcome('create', cause, why),
	);
}

const METHODS = { create: 'POST', update: 'PATCH', upsert: 'PUT', delete: 'DELETE' } as const;

/** The endpoint of an operation, with the defaults of common REST APIs (POST to the list, PATCH/DELETE by id). */
function endpointOf(o: ObjectProfile, op: WriteOperation): WriteEndpoint | undefined {
	const given = o[op];
	if (op === 'upsert') return given;
	const path = op === 'create' ? o.list.path : o.get.path;
	return { bodyPath: '', recordPath: '', ...given, path: given?.path ?? path };
}

/** What is wrong with an input before anything is sent, or undefined. */
function precheck(ctx: WriteContext, op: WriteOperation, input: WriteInput): Outcome | undefined {
	if ((op === 'update' || op === 'delete') && !input.id)
		return failure('MISSING_ID', `${op} needs the record's id: give the item an id`);
	if (op === 'upsert') {
		if (!ctx.key)
			return failure('MISSING_KEY', 'upsert needs a key field: name the unique field to match on');
		const v = input.fields[ctx.key];
		if (v === undefined || v === null || v === '')
			return failure(
				'MISSING_KEY_VALUE',
				`upsert by ${ctx.key}: the item has no ${ctx.key} value — give it one`,
			);
	}
	return undefined;
}

function written(
	ctx: WriteContext,
	op: WriteOperation,
	record: unknown,
	fallbackId?: string,
	created?: unknown,
): Outcome {
	const id = at(record, ctx.object.idPath) ?? fallbackId;
	if (id === undefined || id === null)
		return failure(
			BATCH_CODES.badBatchResponse,
			`${op} answered without an id at "${ctx.object.idPath}" — set objects.${ctx.type}.${op}.recordPath to where the written record is`,
		);
	const value: WrittenRecord = { id: String(id) };
	if (typeof created === 'boolean') value.created = created;
	else if (op === 'create') value.created = true;
	return { ok: true, value };
}

async function single(
	ctx: WriteContext,
	op: WriteOperation,
	e: WriteEndpoint,
	input: WriteInput,
): Promise<Outcome> {
	const value = ctx.key ? input.fields[ctx.key] : undefined;
	const vars = {
		id: input.id ?? '',
		key: ctx.key ?? '',
		value: value === undefined ? '' : String(value),
	};
	const qs: Record<string, string> = {};
	for (const [k, v] of Object.entries(e.query ?? {})) qs[k] = fill(v, vars);
	if (op === 'upsert' && e.keyParam && ctx.key) qs[e.keyParam] = ctx.key;
	let body: unknown;
	if (op !== 'delete') {
		body = input.fields;
		if (e.bodyPath) setPath((body = {}) as Record<string, unknown>, e.bodyPath, input.fields);
	}
	const started = performance.now();
	try {
		const response = await ctx.client.request({
			method: e.method ?? METHODS[op],
			url: fill(e.path ?? '', vars),
			qs,
			body,
			idempotent: op !== 'create',
			signal: ctx.signal,
		});
		if (op === 'delete') return { ok: true, value: { id: String(input.id) } };
		return written(ctx, op, at(response.body, e.recordPath), input.id);
	} catch (error) {
		// A delete sent again after a lost answer finds nothing when the first one was applied: the record is gone.
		if (
			op === 'delete' &&
			isCrmError(error) &&
			error.kind === 'notFound' &&
			(error.attempts ?? 1) > 1
		)
			return { ok: true, value: { id: String(input.id) } };
		if (op === 'create')
			return (await lostCreates(ctx, [input], error, started))?.[0] ?? errorOutcome(op, error);
		return errorOutcome(op, error);
	}
}

function batchItem(ctx: WriteContext, op: WriteOperation, input: WriteInput): unknown {
	const idPath = ctx.object.idPath;
	if (op === 'delete') return { [idPath]: input.id };
	if (op === 'update') return { ...input.fields, [idPath]: input.id };
	return input.fields;
}

function resultOf(
	ctx: WriteContext,
	op: WriteOperation,
	b: BatchEndpoint,
	r: unknown,
	input: WriteInput,
): Outcome {
	const err = at(r, b.errorPath);
	if (err !== undefined && err !== null && err !== false) {
		const code = at(err, b.errorCodePath);
		const message =
			at(err, b.errorMessagePath) ?? (typeof err === 'string' ? err : JSON.stringify(err));
		return failure(code === undefined ? 'ERROR' : String(code), String(message), err);
	}
	if (op === 'delete') return { ok: true, value: { id: String(input.id) } };
	const record = b.recordPath ? at(r, b.recordPath) : undefined;
	const id = record !== undefined ? at(record, ctx.object.idPath) : at(r, b.idPath);
	const fallback = id === undefined || id === null ? input.id : String(id);
	return written(
		ctx,
		op,
		{ [ctx.object.idPath]: fallback },
		fallback,
		b.createdPath ? at(r, b.createdPath) : undefined,
	);
}

async function sendBatch(
	ctx: WriteContext,
	op: WriteOperation,
	b: BatchEndpoint,
	inputs: WriteInput[],
): Promise<Outcome[]> {
	const items = inputs.map((i) => batchItem(ctx, op, i));
	const body: Record<string, unknown> = {};
	const vars: Record<string, string> = { operation: op, key: ctx.key ?? '' };
	for (const [k, v] of Object.entries(b.body ?? {})) {
		const value =
			typeof v === 'string' ? v.replace(/\{(\w+)\}/g, (w, n: string) => vars[n] ?? w) : v;
		if (value !== '') body[k] = value; // `{key}` outside an upsert: left out
	}
	let payload: unknown = items;
	if (b.itemsPath) {
		setPath(body, b.itemsPath, items);
		payload = body;
	}
	let answer: unknown;
	const started = performance.now();
	try {
		answer = (
			await ctx.client.request({
				method: b.method,
				url: b.path,
				body: payload,
				// Not a batch delete: sent again, it would answer "not found" for what the lost one deleted.
				idempotent: op === 'update' || op === 'upsert',
				signal: ctx.signal,
			})
		).body;
	} catch (error) {
		// An all-or-nothing API refuses the whole chunk for one bad item: halves find it and let the others through.
		if (isCrmError(error) && error.kind === 'validation' && inputs.length > 1) {
			const half = Math.ceil(inputs.length / 2);
			return [
				...(await sendBatch(ctx, op, b, inputs.slice(0, half))),
				...(await sendBatch(ctx, op, b, inputs.slice(half))),
			];
		}
		if (op === 'create') {
			const settled = await lostCreates(ctx, inputs, error, started);
			if (settled) return settled;
		}
		return inputs.map(() => errorOutcome(op, error));
	}
	const results = at(answer, b.resultsPath);
	if (!Array.isArray(results))
		return inputs.map(() =>
			failure(
				BATCH_CODES.badBatchResponse,
				`outcome unknown: the batch answer has no results at "${b.resultsPath}" — set objects.${ctx.type}.${op}.batch.resultsPath`,
			),
		);
	return inputs.map((input, i) => {
		const r =
			b.match === 'index' ? results.find((x) => Number(at(x, b.indexPath)) === i) : results[i];
		if (r === undefined)
			return failure(
				BATCH_CODES.outcomeUnknown,
				`outcome unknown: the batch answer has no result for item ${i} — check objects.${ctx.type}.${op}.batch.match / indexPath`,
			);
		return resultOf(ctx, op, b, r, input);
	});
}

/** Writes every input; one result each, in input order. */
export async function writeAll(
	ctx: WriteContext,
	op: WriteOperation,
	inputs: WriteInput[],
): Promise<Array<BatchItemResult<WrittenRecord>>> {
	const out: Outcome[] = new Array<Outcome>(inputs.length);
	const e = endpointOf(ctx.object, op);
	const todo: number[] = [];
	inputs.forEach((input, i) => {
		const bad = e
			? precheck(ctx, op, input)
			: failure(
					'UNSUPPORTED',
					`the profile has no ${op} endpoint for ${ctx.type} — add objects.${ctx.type}.${op}`,
				);
		if (bad) out[i] = bad;
		else todo.push(i);
	});
	if (e?.batch) {
		for (let s = 0; s < todo.length; s += e.batch.max) {
			const chunk = todo.slice(s, s + e.batch.max);
			const results = await sendBatch(
				ctx,
				op,
				e.batch,
				chunk.map((i) => inputs[i]),
			);
			chunk.forEach((i, k) => (out[i] = results[k]));
		}
	} else if (e) {
		const queue = [...todo];
		const worker = async () => {
			for (let i = queue.shift(); i !== undefined; i = queue.shift())
				out[i] = await single(ctx, op, e, inputs[i]);
		};
		await Promise.all([worker(), worker(), worker(), worker()]);
	}
	return out.map((o, index) =>
		o.ok
			? { index, ok: true as const, value: o.value }
			: { index, ok: false as const, error: o.error },
	);
}
