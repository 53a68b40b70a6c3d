/**
 * Associate and disassociate rows (Dataverse Web API "Associate and disassociate table rows"), batched:
 * - collection-valued navigation property (a 1:N relationship seen from the "one" side, or N:N):
 *   associate `POST /{set}({id})/{nav}/$ref` `{"@odata.id": "<api>/{relatedSet}({relatedId})"}`,
 *   disassociate `DELETE /{set}({id})/{nav}({relatedId})/$ref`;
 * - single-valued navigation property (a lookup of the row's own table): associate `PUT /{set}({id})/{nav}/$ref` with
 *   the same body, disassociate `DELETE /{set}({id})/{nav}/$ref` (the lookup is cleared; no related id needed).
 * A navigation property is single-valued when it is one of the table's lookups: as its many-to-one relationships name
 * them (read with the schema: `new_AccountId`, `parentcustomerid_account`), else by convention its logical name (one
 * target, or the owner) or `{lookup}_{target}` for a lookup with several targets, compared without case. Anything else
 * is taken as collection-valued, and Dataverse's answer says when it is neither.
 */
import type { BatchItemResult } from '../../batching/types';
import { odataGuid } from '../../query/odata';
import type { BatchRequest } from './batch';
import { runRequests, type RunRequestsOptions } from './batchRun';
import type { DataverseClient } from './client';
import type { DataverseSchema } from './schema';
import { itemError } from './write';

/** One link to add or remove. */
export interface RelateInput {
	/** The row's id (GUID). */
	id: string;
	/** The navigation property (`contact_customer_accounts`, `parentcustomerid_account`, `accountleads_association`). */
	relationship: string;
	/** Associate: the related row's table (entity set name), described. */
	related?: DataverseSchema;
	/** The related row's id (associate; disassociate of a collection-valued property). */
	relatedId?: string;
}

/** What was done for one input. */
export interface RelateResult {
	/** Whether the navigation property was taken as single-valued (a lookup of the row's table). */
	singleValued: boolean;
}

const NAV = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const guid = (value: string | undefined): string | undefined => {
	try {
		return value ? odataGuid(value.trim()) : undefined;
	} catch {
		return undefined;
	}
};

/** Whether `nav` names a lookup of `schema` (a single-valued navigation property). */
export function singleValued(schema: DataverseSchema, nav: string): boolean {
	for (const byTarget of Object.values(schema.navigations ?? {}))
		if (Object.values(byTarget).includes(nav)) return true;
	const name = nav.toLowerCase();
	return schema.fields.some((f) => {
		if (f.type !== 'reference') return false;
		const targets = f.referenceTo ?? [];
		if (targets.length <= 1 || f.crmType === 'Owner') return f.name === name;
		return f.name === name || targets.some((t) => `${f.name}_${t}` === name);
	});
}

/** The request of one input, or why it cannot be sent. */
function relateRequest(
	apiUrl: string,
	schema: DataverseSchema,
	operation: 'associate' | 'disassociate',
	input: RelateInput,
	contentId: string,
): BatchRequest | string {
	const id = guid(input.id);
	if (!id) return `not sent: the row ID "${input.id}" is not a GUID`;
	const nav = input.relationship.trim();
	if (!NAV.test(nav))
		return `not sent: "${input.relationship}" is not a navigation property name (letters, digits and _ only, e.g. contact_customer_accounts)`;
	const single = singleValued(schema, nav);
	const base = `${schema.name}(${id})/${nav}`;
	const relatedId = guid(input.relatedId);
	if (operation === 'disassociate') {
		if (single) return { contentId, method: 'DELETE', path: `${base}/$ref` };
		if (!relatedId)
			return `not sent: the related row ID "${input.relatedId ?? ''}" is not a GUID (${nav} is collection-valued: name the row to unlink)`;
		return { contentId, method: 'DELETE', path: `${base}(${relatedId})/$ref` };
	}
	if (!relatedId) return `not sent: the related row ID "${input.relatedId ?? ''}" is not a GUID`;
	if (!input.related) return 'not sent: no related table';
	return {
		contentId,
		method: single ? 'PUT' : 'POST',
		path: `${base}/$ref`,
		body: { '@odata.id': `${apiUrl}/${input.related.name}(${relatedId})` },
	};
}

/** Adds or removes the links, in `$batch`es; one result per input, in input order. */
export async function dataverseRelate(
	client: DataverseClient,
	schema: DataverseSchema,
	operation: 'associate' | 'disassociate',
	inputs: readonly RelateInput[],
	options: Omit<RunRequestsOptions, 'idempotent'> = {},
): Promise<Array<BatchItemResult<RelateResult>>> {
	const out: Array<BatchItemResult<RelateResult>> = new Array(inputs.length);
	const requests: BatchRequest[] = [];
	const sent: number[] = [];
	inputs.forEach((input, index) => {
		const r = relateRequest(client.apiUrl, schema, operation, input, String(index + 1));
		if (typeof r === 'string')
			out[index] = { index, ok: false, error: { message: r, code: 'INVALID_INPUT' } };
		else {
			requests.push(r);
			sent.push(index);
		}
	});
	// Removing links and setting a lookup can be repeated; adding an N:N link twice fails as a duplicate.
	const idempotent = requests.every((r) => r.method !== 'POST');
	const answers = await runRequests(client, requests, { idempotent, ...options });
	answers.forEach((a, k) => {
		const index = sent[k];
		out[index] = a.ok
			? {
					index,
					ok: true,
					value: { singleValued: singleValued(schema, inputs[index].relationship.trim()) },
				}
			: { index, ok: false, error: itemError(a.error) };
	});
	return out;
}
