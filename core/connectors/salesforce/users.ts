/**
 * Salesforce users as contract users (`CrmConnector.listUsers`): one SOQL query on `User` (Id, Email, Name, IsActive),
 * every page through the connector's query paging. Inactive users are listed too: records keep pointing at them.
 */
import type { CrmUser } from '../contract';
import type { SalesforceConnector, SalesforceRecord } from './connector';

/** The query: every user, in Id order. */
export const USERS_SOQL = 'SELECT Id, Email, Name, IsActive FROM User ORDER BY Id';

/** One `User` row as a contract user. */
export function salesforceUser(record: SalesforceRecord): CrmUser {
	const user: CrmUser = { id: String(record.Id), active: record.IsActive !== false };
	if (typeof record.Email === 'string' && record.Email !== '') user.email = record.Email;
	if (typeof record.Name === 'string' && record.Name !== '') user.name = record.Name;
	return user;
}

/** Every user of the org, every page. */
export async function listSalesforceUsers(
	salesforce: SalesforceConnector,
	options: { signal?: AbortSignal } = {},
): Promise<CrmUser[]> {
	const users: CrmUser[] = [];
	for await (const page of salesforce.queryPages(USERS_SOQL, { signal: options.signal }))
		users.push(...page.map(salesforceUser));
	return users;
}
