/** HubSpot objects as n8n item JSON, and list parameters (the HubSpot node and the HubSpot Trigger). */
import type { IDataObject } from 'n8n-workflow';

import type { HubSpotObject } from '../../../core/connectors/hubspot/types';

/** Reads a list-of-names parameter given as an array or a comma-separated string. */
export function nameList(value: unknown): string[] {
	if (Array.isArray(value))
		return value
			.map(String)
			.map((s) => s.trim())
			.filter(Boolean);
	if (typeof value === 'string')
		return value
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);
	return [];
}

/** A HubSpot object as an item's JSON (HubSpot's own shape). */
export function objectJson(object: HubSpotObject): IDataObject {
	const json: IDataObject = { id: object.id, properties: object.properties as IDataObject };
	if (object.createdAt !== undefined) json.createdAt = object.createdAt;
	if (object.updatedAt !== undefined) json.updatedAt = object.updatedAt;
	if (object.archived !== undefined) json.archived = object.archived;
	if (object.new !== undefined) json.new = object.new;
	if (object.associations !== undefined)
		json.associations = object.associations as unknown as IDataObject;
	return json;
}
