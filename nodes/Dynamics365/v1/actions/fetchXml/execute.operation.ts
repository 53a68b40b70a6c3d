import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import { limitProperties } from '../../../../shared/descriptions';
import { perItem } from '../../../../shared/items';

const show = { resource: ['fetchXml'], operation: ['execute'] };

export const description: INodeProperties[] = [
	{
		displayName: 'FetchXML',
		name: 'fetchXml',
		type: 'string',
		typeOptions: { rows: 8 },
		required: true,
		default: '',
		placeholder:
			'<fetch><entity name="contact"><attribute name="fullname" /><order attribute="fullname" /></entity></fetch>',
		description:
			'The query (e.g. from Advanced Find → Download FetchXML). Paging is done for you: page and paging-cookie are set on each request.',
		displayOptions: { show },
	},
	...limitProperties(show),
];

/** Runs one FetchXML query per item, following the paging cookie page by page until the last page or the limit. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const xml = String(this.getNodeParameter('fetchXml', i));
		const returnAll = this.getNodeParameter('returnAll', i) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i) as number);
		out.push(
			...(await perItem(this, i, async () => {
				const rows: IDataObject[] = [];
				// A small limit asks for small pages (a query's own `count` wins).
				const pageSize = Number.isFinite(limit) ? Math.min(limit, 5000) : undefined;
				for await (const page of connector.fetchXml(xml, { pageSize })) {
					for (const row of page) {
						if (rows.length >= limit) break;
						rows.push(row as IDataObject);
					}
					if (rows.length >= limit) break;
				}
				return rows;
			})),
		);
	}
	return out;
}
