/**
 * HubSpot owners as contract users (`CrmConnector.listUsers`): what `hubspot_owner_id` holds is the owner id (not
 * the HubSpot user id). Active owners and archived ones (`archived=true`, listed apart by HubSpot) are read, every
 * page of each; an archived owner is an inactive user, since records may still point at it.
 */
import type { CrmUser } from '../contract';
import type { HubSpotConnector } from './connector';
import type { HubSpotOwner } from './types';

/** One owner as a contract user. */
export function hubspotUser(owner: HubSpotOwner, active: boolean): CrmUser {
	const user: CrmUser = { id: String(owner.id), active };
	if (owner.email) user.email = owner.email;
	const name = [owner.firstName, owner.lastName].filter((part) => part?.trim()).join(' ');
	if (name) user.name = name;
	return user;
}

/** Every owner, active first, then the archived ones (an id listed as both counts as active). */
export async function listHubSpotUsers(
	hubspot: HubSpotConnector,
	options: { signal?: AbortSignal } = {},
): Promise<CrmUser[]> {
	const active = await hubspot.listOwners({ signal: options.signal });
	const archived = await hubspot.listOwners({ archived: true, signal: options.signal });
	const ids = new Set(active.map((o) => String(o.id)));
	return [
		...active.map((o) => hubspotUser(o, o.archived !== true)),
		...archived.filter((o) => !ids.has(String(o.id))).map((o) => hubspotUser(o, false)),
	];
}
