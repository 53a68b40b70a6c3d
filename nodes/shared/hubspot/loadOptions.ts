/** Dropdown lists loaded from the HubSpot account. */
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getConnector } from './transport';

function objectTypeParameter(ctx: ILoadOptionsFunctions, name = 'objectType'): string {
	const value = ctx.getCurrentNodeParameter(name);
	if (typeof value !== 'string' || value === '') {
		throw new NodeOperationError(
			ctx.getNode(),
			`Choose the ${name === 'objectType' ? 'object' : 'object type'} first`,
		);
	}
	return value;
}

/** Standard and custom CRM objects of the account. */
export async function getObjectTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connector = await getConnector(this);
	const types = await connector.listObjectTypes();
	return types.map((t) => ({
		name: t.custom ? `${t.label} (custom)` : t.label,
		value: t.name,
		description: t.objectTypeId,
	}));
}

async function propertiesOf(
	ctx: ILoadOptionsFunctions,
	parameter: string,
): Promise<INodePropertyOptions[]> {
	const connector = await getConnector(ctx);
	const properties = await connector.getProperties(objectTypeParameter(ctx, parameter));
	return properties
		.filter((p) => !p.hidden)
		.sort((a, b) => a.label.localeCompare(b.label))
		.map((p) => ({ name: p.label, value: p.name, description: `${p.name} (${p.type})` }));
}

/** Properties of the chosen object. */
export async function getProperties(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await propertiesOf(this, 'objectType');
}

/** Association labels between the chosen object types, plus HubSpot's default association. */
export async function getAssociationLabels(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const connector = await getConnector(this);
	const labels = await connector.getAssociationLabels(
		objectTypeParameter(this, 'objectType'),
		objectTypeParameter(this, 'toObjectType'),
	);
	return [
		{ name: 'Default (Unlabelled)', value: 'default' },
		...labels
			.filter((l) => l.label)
			.map((l) => ({
				name: String(l.label),
				value: `${l.category}:${l.typeId}`,
				description: `Type ${l.typeId} (${l.category})`,
			})),
	];
}
