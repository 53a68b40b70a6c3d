/** Test doubles for the HTTP layer: a scripted fake transport and response builders. */
import {
	buildUrl,
	isCrmError,
	type CrmError,
	type HttpRequest,
	type HttpResponse,
	type Transport,
} from '../../../core/http';

/** One scripted outcome: a response, an error to throw, or a function of the request. */
export type Step =
	| HttpResponse
	| Error
	| ((req: HttpRequest, index: number) => HttpResponse | Error | Promise<HttpResponse | Error>);

/** A recorded call. */
export interface Call {
	request: HttpRequest;
	/** `Date.now()` when the call was made (fake clock under jest fake timers). */
	at: number;
}

/**
 * A transport that answers from a script (in order; the last step repeats) or from a router function,
 * and records every request with the (fake) time it was sent.
 */
export class FakeTransport implements Transport {
	readonly calls: Call[] = [];
	private index = 0;

	constructor(
		private readonly steps:
			| Step[]
			| ((req: HttpRequest, index: number) => HttpResponse | Error | Promise<HttpResponse | Error>),
	) {}

	async send(request: HttpRequest): Promise<HttpResponse> {
		const i = this.index++;
		this.calls.push({ request, at: Date.now() });
		let step: Step;
		if (typeof this.steps === 'function') step = this.steps;
		else step = this.steps[Math.min(i, this.steps.length - 1)];
		const outcome = typeof step === 'function' ? await step(request, i) : step;
		if (outcome instanceof Error) throw outcome;
		return { ...outcome, url: outcome.url || buildUrl(request.url, request.qs) };
	}
}

/** Builds a response. */
export function res(
	status: number,
	body?: unknown,
	headers: Record<string, string> = {},
): HttpResponse {
	const h: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
	if (body !== undefined && typeof body === 'object' && !h['content-type'])
		h['content-type'] = 'application/json';
	return { status, headers: h, body, url: '' };
}

/** A Node-style network error with a `code` (as Node's net/tls layers raise them). */
export function netError(
	code: string,
	message = `${code.toLowerCase()} error`,
	syscall?: string,
): NodeJS.ErrnoException {
	const err = new Error(message) as NodeJS.ErrnoException;
	err.code = code;
	if (syscall) err.syscall = syscall;
	return err;
}

/** Awaits a promise that must reject with a CrmError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<CrmError> {
	const outcome = await p.then(
		() => new Error('expected a rejection'),
		(err: unknown) => err,
	);
	if (!isCrmError(outcome))
		throw new Error(`expected a CrmError rejection, got: ${String(outcome)}`);
	return outcome;
}
