/**
 * HubSpot's legacy Contacts API v1 "create or update by e-mail" (`POST /contacts/v1/contact/createOrUpdate/email/{email}`),
 * the one call n8n's built-in HubSpot node (v2) makes for Contact › Create or Update. HubSpot still serves it
 * (deprecated); the benchmark's baseline runs that node against this simulator.
 *
 * Body `{properties: [{property, value}]}`; answer 200 `{vid, isNew}`. The write is the v3 upsert by `email` (same
 * validation, unique-value index and rate limits); errors come in the simulator's HubSpot error shape.
 */
import { json, type SandboxRequest, type SandboxServer } from '../kit';
import type { HubSpotData } from './data';
import { hubspotError, jsonBody } from './wire';
import { planWrite } from './writes';

/** The v1 contact route(s). */
export class LegacyContactsApi {
	constructor(private readonly data: HubSpotData) {}

	install(s: SandboxServer): void {
		s.post('/contacts/v1/contact/createOrUpdate/email/:email', (req) => this.createOrUpdate(req), {
			kind: 'v1.contact.createOrUpdate',
		});
	}

	private async createOrUpdate(req: SandboxRequest) {
		const def = this.data.mustType('contacts');
		const body = await jsonBody<{ properties?: unknown }>(req);
		if (!Array.isArray(body.properties))
			throw hubspotError(400, 'VALIDATION_ERROR', 'properties must be a list of {property, value}');
		const properties: Record<string, unknown> = {};
		for (const entry of body.properties as Array<{ property?: unknown; value?: unknown }>) {
			if (typeof entry?.property !== 'string')
				throw hubspotError(400, 'VALIDATION_ERROR', 'each property needs a "property" name');
			properties[entry.property] = entry.value;
		}
		const email = req.params.email;
		const plan = planWrite(
			this.data,
			def,
			'upsert',
			{ id: email, idProperty: 'email', properties },
			new Map(),
			0,
		);
		if (!plan.ok)
			throw hubspotError(
				plan.httpStatus,
				plan.error.category,
				plan.error.message,
				plan.error.errors ? { errors: plan.error.errors } : undefined,
			);
		const { record, isNew } = plan.run();
		return json({ vid: Number(record.id), isNew });
	}
}
