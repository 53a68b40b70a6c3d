/** Dropdown lists loaded from the environment's metadata (tables and columns shared with the Dynamics 365 Trigger). */
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listDataverseNavigations } from '../../../../core/connectors/dynamics/relationships';
import { getDynamicsConnector } from '../../../shared/dynamics/connection';

export { getColumns, getTables } from '../../../shared/dynamics/loadOptions';

const KINDS = {
	oneToMany: 'rows that point at this one (one-to-many)',
	manyToOne: 'lookup of this table (many-to-one)',
	manyToMany: 'many-to-many',
};

/**
 * The navigation properties of the chosen table's relationships, from its relationship metadata. Where it cannot be
 * read, the error says to type the name in as an expression.
 */
export async function getRelationships(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const table = this.getCurrentNodeParameter('table');
	if (typeof table !== 'string' || table === '')
		throw new NodeOperationError(this.getNode(), 'Choose the table first');
	const connector = await getDynamicsConnector(this);
	const { entity } = await connector.describe(table);
	try {
		const navigations = await listDataverseNavigations(connector.client, entity.logicalName);
		return navigations.map((n) => ({
			name: `${n.name} → ${n.otherTable}`,
			value: n.name,
			description: `${KINDS[n.kind]}: ${n.schemaName}`,
		}));
	} catch (error) {
		throw new NodeOperationError(
			this.getNode(),
			`Could not read the relationships of ${table}: ${(error as Error).message}`,
			{
				description:
					'Type the navigation property in as an expression instead, e.g. contact_customer_accounts (account → its contacts) or primarycontactid (a lookup of this table).',
			},
		);
	}
}
