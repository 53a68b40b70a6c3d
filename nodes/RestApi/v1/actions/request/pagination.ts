/** Records Path, Pagination and its stop condition and limits (the single-request operation). */
import type { INodeProperties } from 'n8n-workflow';

type Show = { operation: string[] };

/** The paging modes. */
export const PAGING_MODES = ['none', 'offset', 'page', 'cursor', 'nextUrl', 'linkHeader'] as const;

export function paginationFields(show: Show): INodeProperties[] {
	const when = (...modes: string[]) => ({ show: { ...show, pagination: modes } });
	const paged = when('offset', 'page', 'cursor', 'nextUrl', 'linkHeader');
	return [
		{
			displayName: 'Records Path',
			name: 'recordsPath',
			type: 'string',
			default: '',
			placeholder: 'data',
			description:
				'Dot path of the array of records in the response body (e.g. data or result.items): each record becomes an item. Empty: the whole body is one item (a body that is itself an array gives one item per element).',
			displayOptions: { show },
		},
		{
			displayName: 'Pagination',
			name: 'pagination',
			type: 'options',
			options: [
				{ name: 'Cursor From the Body', value: 'cursor' },
				{ name: 'Link Header', value: 'linkHeader' },
				{ name: 'Next URL From the Body', value: 'nextUrl' },
				{ name: 'None', value: 'none' },
				{ name: 'Offset and Limit', value: 'offset' },
				{ name: 'Page Number', value: 'page' },
			],
			default: 'none',
			description: 'How the API pages its results; pages are read one after the other',
			displayOptions: { show },
		},
		{
			displayName: 'Offset Parameter',
			name: 'offsetParam',
			type: 'string',
			default: 'offset',
			displayOptions: when('offset'),
		},
		{
			displayName: 'Page Parameter',
			name: 'pageParam',
			type: 'string',
			default: 'page',
			displayOptions: when('page'),
		},
		{
			displayName: 'First Page',
			name: 'firstPage',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1,
			displayOptions: when('page'),
		},
		{
			displayName: 'Cursor Path',
			name: 'cursorPath',
			type: 'string',
			default: 'next_cursor',
			description: 'Dot path of the next cursor in the body; empty or missing ends the read',
			displayOptions: when('cursor'),
		},
		{
			displayName: 'Cursor Parameter',
			name: 'cursorParam',
			type: 'string',
			default: 'cursor',
			description: 'Query parameter that sends the cursor back',
			displayOptions: when('cursor'),
		},
		{
			displayName: 'Next URL Path',
			name: 'nextUrlPath',
			type: 'string',
			default: 'next',
			description: 'Dot path of the next page URL in the body; empty or missing ends the read',
			displayOptions: when('nextUrl'),
		},
		{
			displayName: 'Page Size Parameter',
			name: 'pageSizeParam',
			type: 'string',
			default: 'limit',
			description: 'Query parameter of the page size (empty: not sent)',
			displayOptions: paged,
		},
		{
			displayName: 'Page Size',
			name: 'pageSize',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 100,
			displayOptions: paged,
		},
		{
			displayName: 'Stop When',
			name: 'stopWhen',
			type: 'options',
			options: [
				{ name: 'A Body Path Is Empty', value: 'pathEmpty' },
				{ name: 'A Body Path Is False (e.g. Has_more)', value: 'pathFalse' },
				{ name: 'A Body Path Is True (e.g. Last)', value: 'pathTrue' },
				{ name: 'A Page Is Shorter Than the Page Size', value: 'shortPage' },
				{
					name: 'No More Pages',
					value: 'auto',
					description:
						'An empty page, or no next cursor / next URL / next link (for offset and page numbers: an empty page)',
				},
			],
			default: 'auto',
			description: 'Also stops at an empty page and when there is no next page',
			displayOptions: paged,
		},
		{
			displayName: 'Stop Path',
			name: 'stopPath',
			type: 'string',
			default: 'has_more',
			description: 'Dot path in the response body checked after every page',
			displayOptions: {
				show: {
					...show,
					pagination: paged.show.pagination,
					stopWhen: ['pathFalse', 'pathTrue', 'pathEmpty'],
				},
			},
		},
		{
			displayName: 'Max Records',
			name: 'maxRecords',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Stop after this many records (0: no limit); no further page is requested',
			displayOptions: paged,
		},
		{
			displayName: 'Max Pages',
			name: 'maxPages',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Stop after this many pages (0: no limit)',
			displayOptions: paged,
		},
	];
}
