/**
 * Account-wide lists and forms: owners (paged on `paging.next.after` with `core/paging`), pipelines and their
 * stages, and form submissions (on HubSpot's forms host).
 */
import { PagingLoopError } from '../../paging/errors';
import { paginate } from '../../paging/paginate';
import type { HubSpotCaller } from './clients';
import { encode } from './records';
import { HUBSPOT_API_URL } from './transport';
import type { HubSpotOwner, HubSpotPage, HubSpotPipeline } from './types';

/** HubSpot's forms submission host. */
export const HUBSPOT_FORMS_URL = 'https://api.hsforms.com';

/** Most owner pages read (100 owners each). */
const MAX_OWNER_PAGES = 1000;

/** A field of a form submission. */
export interface FormField {
	name: string;
	value: string;
	objectTypeId?: string;
}

/** Options of {@link submitForm}. */
export interface SubmitFormOptions {
	context?: Record<string, unknown>;
	secure?: boolean;
	submissionsUrl?: string;
}

/** Options of {@link listOwners}. */
export interface ListOwnersOptions {
	/** The archived (deactivated) owners instead of the active ones (`archived=true`: HubSpot lists them apart). */
	archived?: boolean;
	signal?: AbortSignal;
}

/** Owners (for dropdowns), every page; a cursor handed out again ends the list. */
export async function listOwners(
	host: HubSpotCaller,
	options: ListOwnersOptions = {},
): Promise<HubSpotOwner[]> {
	const owners: HubSpotOwner[] = [];
	const pages = paginate<HubSpotPage<HubSpotOwner>, HubSpotOwner, string>({
		fetchPage: async (after) =>
			await host.call<HubSpotPage<HubSpotOwner>>({
				method: 'GET',
				url: '/crm/v3/owners',
				qs: { limit: 100, after, ...(options.archived ? { archived: true } : {}) },
				signal: options.signal,
			}),
		items: (page) => page.results ?? [],
		next: (page, after) => {
			const next = page.paging?.next?.after;
			return !next || next === after ? undefined : next;
		},
		maxPages: MAX_OWNER_PAGES,
		tokenLabel: 'cursor',
		signal: options.signal,
	});
	try {
		for await (const page of pages) owners.push(...page);
	} catch (error) {
		if (!(error instanceof PagingLoopError)) throw error;
	}
	return owners;
}

/** Pipelines and their stages of an object type (deals, tickets). */
export async function listPipelines(
	host: HubSpotCaller,
	objectType: string,
): Promise<HubSpotPipeline[]> {
	const res = await host.call<HubSpotPage<HubSpotPipeline>>({
		method: 'GET',
		url: `/crm/v3/pipelines/${encode(objectType)}`,
	});
	return res.results ?? [];
}

/**
 * Submits a form (`/submissions/v3/integration/submit/{portalId}/{formGuid}` on api.hsforms.com, or the sandbox's
 * base URL; the secure variant with `secure: true`). Not retried after it may have reached HubSpot.
 */
export async function submitForm(
	host: HubSpotCaller,
	portalId: string,
	formGuid: string,
	fields: FormField[],
	options: SubmitFormOptions = {},
): Promise<{ inlineMessage?: string; redirectUri?: string }> {
	// HubSpot serves submissions on its forms host; a sandbox serves them on its own base URL.
	const base = (
		options.submissionsUrl ?? (host.baseUrl === HUBSPOT_API_URL ? HUBSPOT_FORMS_URL : host.baseUrl)
	).replace(/\/+$/, '');
	const path = options.secure ? 'secure/submit' : 'submit';
	return await host.call<{ inlineMessage?: string; redirectUri?: string }>({
		method: 'POST',
		url: `${base}/submissions/v3/integration/${path}/${encode(portalId)}/${encode(formGuid)}`,
		body: {
			fields: fields.map((f) => ({
				objectTypeId: f.objectTypeId ?? '0-1',
				name: f.name,
				value: f.value,
			})),
			...(options.context ? { context: options.context } : {}),
		},
	});
}
