/**
 * `POST /api/data/v9.2/$batch` (OData v4.0 §11.7, Dataverse's "Execute batch operations using the Web API"). Every
 * inner request runs through the simulator's own routes (`SandboxServer.dispatchInner`, with the batch's
 * `Authorization`), so any route works inside a batch and the request log counts each inner request with its own
 * kind, plus one `batch` entry; service protection charges the batch per inner request run (`countOperation`).
 * Change sets are atomic: each runs in a store transaction (`Store.transaction`, an undo log of the writes made in
 * its async call chain) that is rolled back when one of its requests fails — O(the change set's writes), and writes of
 * other, concurrent requests are left alone.
 */
import { randomUUID } from 'node:crypto';
import {
	HttpError,
	text,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
	type Store,
} from '../kit';
import {
	boundaryOf,
	entityIdOf,
	parseBatch,
	writeBatchResponse,
	type InnerRequest,
	type ResponseItem,
	type ResponsePart,
} from './batchParse';
import { countOperation, markInternalRequest } from './limits';
import { API_PATH, DV, ODATA_HEADERS, preferences } from './wire';

/** Most requests one batch may hold, and most operations one change set may hold. */
export const MAX_BATCH_REQUESTS = 1000;

/** The methods a change set accepts (ODL's rule). */
const CHANGESET_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class BatchApi {
	constructor(
		private readonly server: SandboxServer,
		private readonly store: Store,
	) {}

	install(s: SandboxServer): void {
		s.post(`${API_PATH}/$batch`, (req) => this.batch(req), { kind: 'batch' });
	}

	private async batch(req: SandboxRequest): Promise<Reply> {
		const boundary = boundaryOf(req.header('content-type'));
		if (boundary === undefined)
			throw DV.bad(
				"The content type of a $batch request must be 'multipart/mixed' with a boundary.",
				'0x80060888',
			);
		const items = parseBatch(await req.text(), boundary);
		checkLimits(items);
		const continueOnError = preferences(req.headers.prefer).has('odata.continue-on-error');
		const auth = req.header('authorization');
		const out: ResponseItem[] = [];
		// Without `odata.continue-on-error` the batch stops at the first failure: later parts are neither run nor
		// answered, and the batch's own status is the failed request's (Dataverse's example: `400 BadRequest`).
		let failedStatus: number | undefined;
		for (const item of items) {
			if (item.type === 'request') {
				const reply = await this.run(req, item.request, auth, new Map());
				if (reply.dropped) return req.destroyConnection();
				out.push({ reply });
				if (reply.status >= 400) failedStatus ??= reply.status;
			} else {
				const result = await this.changeset(req, item.requests, auth);
				if ('dropped' in result) return req.destroyConnection();
				out.push(result.item);
				if (result.failed !== undefined) failedStatus ??= result.failed;
			}
			if (failedStatus !== undefined && !continueOnError) break;
		}
		const id = randomUUID();
		const body = writeBatchResponse(
			out,
			`batchresponse_${id}`,
			() => `changesetresponse_${randomUUID()}`,
		);
		return text(
			body,
			continueOnError || failedStatus === undefined ? 200 : failedStatus,
			{ ...ODATA_HEADERS },
			`multipart/mixed; boundary=batchresponse_${id}`,
		);
	}

	/**
	 * Runs a change set as one unit: on the first failing request the store goes back to where it was before the
	 * change set, and the change set is answered by that failure alone (OData v4.0 §11.7.4: a failed change set gets
	 * one response); earlier requests of it are not answered.
	 */
	private async changeset(
		req: SandboxRequest,
		requests: InnerRequest[],
		auth: string | undefined,
	): Promise<{ item: ResponseItem; failed?: number } | { dropped: true }> {
		const tx = this.store.transaction();
		try {
			const result = await tx.run(() => this.changesetParts(req, requests, auth));
			if ('item' in result && result.failed === undefined) tx.commit();
			else tx.rollback();
			return result;
		} catch (err) {
			if (tx.open) tx.rollback();
			throw err;
		}
	}

	private async changesetParts(
		req: SandboxRequest,
		requests: InnerRequest[],
		auth: string | undefined,
	): Promise<{ item: ResponseItem; failed?: number } | { dropped: true }> {
		const refs = new Map<string, string>();
		const parts: ResponsePart[] = [];
		for (const inner of requests) {
			const reply = await this.run(req, inner, auth, refs);
			if (reply.dropped) return { dropped: true };
			const part: ResponsePart = {
				reply,
				...(inner.contentId !== undefined ? { contentId: inner.contentId } : {}),
			};
			if (reply.status >= 400) return { item: part, failed: reply.status };
			const entityId = entityIdOf(reply);
			if (inner.contentId !== undefined && entityId !== undefined)
				refs.set(inner.contentId, entityId);
			parts.push(part);
		}
		return { item: { changeset: parts } };
	}

	/** One inner request through the server's routes; errors of the part itself become Dataverse error replies. */
	private async run(
		req: SandboxRequest,
		inner: InnerRequest,
		auth: string | undefined,
		refs: Map<string, string>,
	): Promise<Reply> {
		// Service protection charges the batch its per-operation cost for every inner request it runs.
		countOperation(req);
		try {
			const target = resolveTarget(inner.target, refs);
			if (/\/\$batch(\?|$)/.test(new URL(target, req.baseUrl).pathname))
				throw DV.bad('A batch request cannot contain another batch request.', '0x80060888');
			const headers = { ...inner.headers };
			// dynamics-web-api leaves `Authorization` out of the parts: they act with the batch's credentials.
			if (auth !== undefined) headers.authorization = auth;
			return await this.server.dispatchInner({
				method: inner.method,
				target,
				headers,
				body: resolveBody(inner.body, refs),
				baseUrl: req.baseUrl,
				// Service protection counts the `$batch` once (the outer request), not each part again.
				prepare: markInternalRequest,
			});
		} catch (err) {
			if (!(err instanceof HttpError)) throw err;
			return this.errorPart(err);
		}
	}

	private errorPart(err: HttpError): Reply {
		const code = err.code && /^0x[0-9a-f]+$/i.test(err.code) ? err.code : '0x0';
		return {
			status: err.status,
			headers: {
				'Content-Type': 'application/json; odata.metadata=minimal',
				...ODATA_HEADERS,
			},
			body: JSON.stringify({ error: { code, message: err.message } }),
		};
	}
}

/** Refuses batches with more than 1,000 requests, or change sets with more than 1,000 operations or a GET. */
function checkLimits(items: ReturnType<typeof parseBatch>): void {
	let total = 0;
	for (const item of items) {
		if (item.type === 'request') {
			total++;
			continue;
		}
		if (item.requests.length > MAX_BATCH_REQUESTS)
			throw DV.bad(
				`The current change set contains too many operations. A maximum number of '${MAX_BATCH_REQUESTS}' operations are allowed in a change set.`,
				'0x0',
			);
		for (const r of item.requests)
			if (!CHANGESET_METHODS.has(r.method))
				throw DV.bad(
					`An invalid HTTP method '${r.method}' was detected for a request in a change set. Requests in change sets only support the HTTP methods 'POST', 'PUT', 'DELETE', and 'PATCH'.`,
					'0x0',
				);
		total += item.requests.length;
	}
	if (total > MAX_BATCH_REQUESTS)
		throw DV.bad(
			`The current batch message contains too many parts. Only batch messages with a maximum number of '${MAX_BATCH_REQUESTS}' query operations, including changeset operations, are allowed.`,
			'0x0',
		);
}

/**
 * The URL an inner request goes to: `$n[/…]` becomes the entity URL the change set's request with `Content-ID: n`
 * created; absolute URLs and `/api/…` paths stay; anything else is relative to the service root.
 */
function resolveTarget(target: string, refs: Map<string, string>): string {
	const ref = /^\$([^/?]+)(.*)$/.exec(target);
	if (ref) {
		const url = refs.get(ref[1]);
		if (url === undefined) throw missingRef(`$${ref[1]}`);
		return url + ref[2];
	}
	if (/^https?:\/\//i.test(target) || target.startsWith('/')) return target;
	return `${API_PATH}/${target}`;
}

/** Replaces `"$n"` values of `@odata.bind` / `@odata.id` properties with the entity URLs they stand for. */
function resolveBody(body: string, refs: Map<string, string>): string {
	if (!body.includes('"$')) return body;
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		return body; // the route answers the malformed body
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
	const out = { ...(parsed as Record<string, unknown>) };
	for (const [k, v] of Object.entries(out)) {
		if (!/@odata\.(bind|id)$/.test(k) && k !== '@odata.id') continue;
		if (typeof v !== 'string' || !/^\$[^/]+$/.test(v)) continue;
		const url = refs.get(v.slice(1));
		if (url === undefined) throw missingRef(v);
		out[k] = url;
	}
	return JSON.stringify(out);
}

/** Dataverse's answer to a `$n` that no earlier request of the change set declared (status 400 per the docs). */
function missingRef(ref: string): HttpError {
	return DV.bad(`Content-ID Reference: '${ref}' does not exist in the batch context.`, '0x0');
}
