import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { getConnector } from './transport';
import { currentObject } from './currentObject';

/** The fields of the chosen object. */
export async function getFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const object = currentObject(this);
	if (!object) return [];
	const connector = await getConnector(this);
	const described = await connector.describe(object);
	return described.fields
		.map((f) => ({ name: `${f.label} (${f.name})`, value: f.name, description: f.type }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
