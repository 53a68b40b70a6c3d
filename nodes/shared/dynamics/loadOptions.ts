/** Dropdown lists loaded from the environment's metadata (the Dynamics 365 node and its trigger). */
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getDynamicsConnector } from './connection';

/** Every table with an entity set (`listObjectTypes`), by display name. */
export async function getTables(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const tables = await (await getDynamicsConnector(this)).listObjectTypes();
	return tables
		.map((t) => ({
			name: t.custom ? `${t.label} (custom)` : t.label,
			value: t.name,
			description: t.name,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** The columns of the chosen table. */
export async function getColumns(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const table = this.getCurrentNodeParameter('table');
	if (typeof table !== 'string' || table === '')
		throw new NodeOperationError(this.getNode(), 'Choose the table first');
	const schema = await (await getDynamicsConnector(this)).describe(table);
	return schema.fields
		.map((f) => ({ name: f.label, value: f.name, description: `${f.name} (${f.crmType})` }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
