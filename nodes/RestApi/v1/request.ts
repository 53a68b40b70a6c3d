/** Reads an item's request settings and turns response bodies into records. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RateBudgetOptions } from '../../../core/http/rateLimiter';
import type { HttpMethod, HttpRequest } from '../../../core/http/types';
import { getPath } from '../../../core/records/path';
import { idempotentMethod } from '../../shared/http/errors';

type Pairs = { values?: Array<{ name?: string; value?: unknown }> };

function pairs(ctx: IExecuteFunctions, name: string, i: number): Record<string, string> {
	const list = (ctx.getNodeParameter(name, i, {}) as Pairs).values ?? [];
	const out: Record<string, string> = {};
	for (const { name: key, value } of list) if (key) out[key] = String(value ?? '');
	return out;
}

/** A JSON parameter's value: an object/array as is, a string parsed (the message names the parameter). */
export function jsonParameter(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	i: number,
): unknown {
	const raw = ctx.getNodeParameter(name, i, '') as unknown;
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') return undefined;
	try {
		return JSON.parse(raw) as unknown;
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} is not valid JSON (${(error as Error).message}): fix the JSON or use an expression that returns an object`,
			{ itemIndex: i },
		);
	}
}

/** The request of item `i`, without body (the URL still relative: the connection resolves it). */
export function readRequest(
	ctx: IExecuteFunctions,
	i: number,
): HttpRequest & { idempotent: boolean } {
	const method = ctx.getNodeParameter('method', i) as HttpMethod;
	const safe = ctx.getNodeParameter('options.idempotent', i, false) as boolean;
	return {
		method,
		url: String(ctx.getNodeParameter('path', i, '')).trim(),
		qs: pairs(ctx, 'queryParameters', i),
		headers: { Accept: 'application/json', ...pairs(ctx, 'headers', i) },
		idempotent: safe || idempotentMethod(method),
	};
}

/** The body of item `i` (and its content type), per the Body parameter. */
export function readBody(
	ctx: IExecuteFunctions,
	i: number,
): { body?: unknown; contentType?: string } {
	const type = ctx.getNodeParameter('bodyType', i, 'none') as string;
	if (type === 'json') return { body: jsonParameter(ctx, 'jsonBody', 'JSON Body', i) ?? {} };
	if (type === 'form')
		return {
			body: new URLSearchParams(pairs(ctx, 'formFields', i)).toString(),
			contentType: 'application/x-www-form-urlencoded',
		};
	if (type === 'raw')
		return {
			body: String(ctx.getNodeParameter('rawBody', i, '')),
			contentType: String(ctx.getNodeParameter('rawContentType', i, 'text/plain')),
		};
	return {};
}

/** The rate budget and timeout of the Options collection (item 0: one budget per credential and host). */
export function readConnectionOptions(ctx: IExecuteFunctions): {
	rateLimit: RateBudgetOptions;
	timeoutMs?: number;
} {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const maxRequests = Number(options.maxRequests ?? 0);
	const timeout = Number(options.timeout ?? 0);
	return {
		rateLimit: {
			maxConcurrent: Number(options.maxConcurrent ?? 4) || 4,
			...(maxRequests > 0
				? { maxRequests, intervalMs: Number(options.intervalMs ?? 1000) || 1000 }
				: {}),
		},
		timeoutMs: timeout > 0 ? timeout : undefined,
	};
}

const asItem = (value: unknown): IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: { value: value as IDataObject[keyof IDataObject] };

/**
 * The records of a response body: the array at `recordsPath`, or the whole body (an array: its elements). Throws
 * when the path does not lead to an array, naming what is there.
 */
export function selectRecords(body: unknown, recordsPath: string): IDataObject[] {
	if (recordsPath === '') {
		if (Array.isArray(body)) return body.map(asItem);
		if (body === undefined || body === '') return [];
		return [asItem(body)];
	}
	const value = getPath(body, recordsPath);
	if (Array.isArray(value)) return value.map(asItem);
	if (value === undefined || value === null) {
		const keys =
			body !== null && typeof body === 'object' ? Object.keys(body).slice(0, 10).join(', ') : '';
		throw new Error(
			`Records Path "${recordsPath}" is not in the response body${keys ? ` (its top-level keys: ${keys})` : ''}: fix the Records Path, or leave it empty to get the whole body`,
		);
	}
	throw new Error(
		`Records Path "${recordsPath}" holds a ${typeof value}, not an array of records: point it at the array`,
	);
}
