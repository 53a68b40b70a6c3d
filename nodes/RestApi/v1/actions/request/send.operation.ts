/**
 * Send a Request: one request per input item (or one paged read per item); the response's records become items
 * paired with it. A failure becomes the item's error (HTTP status and the API's message), "outcome unknown" when
 * a request that is not safe to repeat lost its answer.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forEachItem } from '../../../../shared/items';
import type { HttpConnection } from '../../../../shared/http/connection';
import { describeHttpError } from '../../../../shared/http/errors';
import { readPages, readPaging } from '../../paging';
import { readBody, readRequest, selectRecords } from '../../request';
import { bodyFields, optionsField, requestFields } from './fields';
import { paginationFields } from './pagination';

const show = { operation: ['send'] };

export const description: INodeProperties[] = [
	...requestFields(show, 'GET'),
	...bodyFields(show),
	...paginationFields(show),
	optionsField(show),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connection: HttpConnection,
): Promise<INodeExecutionData[]> {
	let current = { method: 'GET', idempotent: true };
	return await forEachItem(
		this,
		items,
		async (i, emit) => {
			const base = readRequest(this, i);
			current = { method: base.method, idempotent: base.idempotent };
			const { body, contentType } = readBody(this, i);
			const request = {
				...base,
				url: connection.resolve(base.url),
				...(body !== undefined ? { body } : {}),
				headers: contentType ? { ...base.headers, 'Content-Type': contentType } : base.headers,
			};
			const recordsPath = String(this.getNodeParameter('recordsPath', i, '')).trim();
			const paging = readPaging(this, i);
			if (paging.mode === 'none') {
				const response = await connection.client.request(request);
				for (const record of selectRecords(response.body, recordsPath)) emit(record);
				return;
			}
			for await (const records of readPages(connection, request, recordsPath, paging))
				for (const record of records) emit(record);
		},
		(error) => describeHttpError(error, current.method as 'GET', current.idempotent),
	);
}
