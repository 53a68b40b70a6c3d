/** Reads an item's request settings and turns response bodies into records. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { HttpMethod, HttpRequest } from '../../../core/http/types';
import { getPath } from '../../../core/records/path';
import { jsonParameter } from '../../shared/http/description';
import { idempotentMethod } from '../../shared/http/errors';

export { jsonParameter };

type Pairs = { values?: Array<{ name?: string; value?: unknown }> };

function pairs(ctx: IExecuteFunctions, name: string, i: number): Record<string, string> {
	const list = (ctx.getNodeParameter(name, i, {}) as Pairs).values ?? [];
	const out: Record<string, string> = {};
	for (const { name: key, value } of list) if (key) out[key] = String(value ?? '');
	return out;
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
