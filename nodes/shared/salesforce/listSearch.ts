import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { getConnector } from './transport';

/** The org's objects for the Object picker, filtered by the search text (name or label). */
export async function searchObjects(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const connector = await getConnector(this);
	const needle = (filter ?? '').trim().toLowerCase();
	const objects = (await connector.listObjects())
		.filter((o) => o.queryable !== false)
		.filter(
			(o) =>
				!needle ||
				o.name.toLowerCase().includes(needle) ||
				String(o.label).toLowerCase().includes(needle),
		)
		.sort((a, b) => String(a.label).localeCompare(String(b.label)));
	return { results: objects.map((o) => ({ name: `${o.label} (${o.name})`, value: o.name })) };
}
