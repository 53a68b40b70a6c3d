/**
 * Batch endpoints of CRM objects for the HubSpot simulator: `POST /crm/v3/objects/{type}/batch/{read, create,
 * update, upsert, archive}`, with the batch size limit, duplicate-id check, `batchFailure` faults, atomic or
 * partial (207) handling of invalid inputs, and the order of results (reads: request or reversed; writes:
 * reversed for the next n calls when asked).
 */
import {
	HttpError,
	empty,
	json,
	type Clock,
	type Reply,
	type SandboxRequest,
	type SandboxServer,
} from '../kit';
import type { HubSpotData } from './data';
import { planWrite, type Outcome } from './writes';
import { batchReply, hubspotError, jsonBody, type BatchError } from './wire';

/**
 * How batch writes treat invalid inputs: `atomic` (what HubSpot does for create/update/upsert: one
 * invalid input fails the whole call with 400, a duplicate unique value with 409), or `partial` (207
 * MULTI_STATUS: the valid inputs are written, each invalid one gets its own error).
 */
export type HubSpotBatchMode = 'atomic' | 'partial';

/** Order of batch read results (see `HubSpotSimulatorOptions.readResultOrder`). */
export type HubSpotReadResultOrder = 'request' | 'reversed';

/** The batch endpoints and their settings. */
export class BatchService {
	/** How invalid inputs of batch writes are treated. */
	mode: HubSpotBatchMode;
	/** Order of batch read results (objects and v4 associations). */
	readResultOrder: HubSpotReadResultOrder;
	/** Batch answers still to give in reverse order (see `answerBatchesInReverse`). */
	reversedBatches = 0;

	constructor(
		private readonly server: SandboxServer,
		private readonly clock: Clock,
		private readonly data: HubSpotData,
		private readonly maxBatchSize: number,
		mode: HubSpotBatchMode,
		readResultOrder: HubSpotReadResultOrder,
	) {
		this.mode = mode;
		this.readResultOrder = readResultOrder;
	}

	/** Batch read results in the configured order. */
	inReadOrder<T>(results: T[]): T[] {
		return this.readResultOrder === 'reversed' ? [...results].reverse() : results;
	}

	/** `POST /crm/v3/objects/:type/batch/{op}`. */
	async handle(req: SandboxRequest, op: string): Promise<Reply> {
		const data = this.data;
		const def = data.mustType(req.params.type);
		const body = await jsonBody<{
			inputs?: unknown;
			properties?: unknown;
			idProperty?: unknown;
			archived?: unknown;
		}>(req);
		if (!Array.isArray(body.inputs))
			throw hubspotError(400, 'VALIDATION_ERROR', 'inputs must be an array');
		const inputs = body.inputs as unknown[];
		if (inputs.length > this.maxBatchSize) {
			throw hubspotError(
				400,
				'VALIDATION_ERROR',
				`Batch input of ${inputs.length} exceeds the limit of ${this.maxBatchSize} inputs per request; split it into several calls.`,
			);
		}
		const done = (results: unknown[], errors: BatchError[], status: number) => {
			if (op !== 'read' && this.reversedBatches > 0 && results.length + errors.length > 0) {
				this.reversedBatches--;
				results.reverse();
				errors.reverse();
			}
			return batchReply(req, this.clock, results, errors, status);
		};
		const idOf = (x: unknown) => {
			const id = (x as { id?: unknown } | null)?.id;
			return id === undefined || id === null ? undefined : String(id);
		};

		if (op === 'archive') {
			for (const input of inputs) {
				const id = idOf(input);
				if (id !== undefined) data.archiveRecord(def, id);
			}
			return empty(204);
		}
		if (op === 'read') {
			const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
			const props = Array.isArray(body.properties) ? (body.properties as string[]) : undefined;
			const archived = body.archived === true;
			const results: unknown[] = [];
			const missing: string[] = [];
			const seen = new Set<string>();
			for (const input of inputs) {
				const id = idOf(input);
				if (id === undefined || seen.has(id)) continue;
				seen.add(id);
				const r = data.lookup(def, id, idProperty, archived);
				if (r) results.push(data.recordJson(def, r, props));
				else missing.push(id);
			}
			const errors: BatchError[] = missing.length
				? [
						{
							status: 'error',
							category: 'OBJECT_NOT_FOUND',
							message: `Could not get some ${def.label} objects, they may be deleted or not exist. Check that ids are valid.`,
							context: { ids: missing },
						},
					]
				: [];
			return done(this.inReadOrder(results), errors, 200);
		}

		const mode = op as 'create' | 'update' | 'upsert';
		if (mode !== 'create') {
			const counts = new Map<string, number>();
			for (const input of inputs) {
				const key = `${String((input as { idProperty?: unknown } | null)?.idProperty ?? 'hs_object_id')}:${(idOf(input) ?? '').toLowerCase()}`;
				counts.set(key, (counts.get(key) ?? 0) + 1);
			}
			const dups = [...counts].filter(([, c]) => c > 1).map(([k]) => k.slice(k.indexOf(':') + 1));
			if (dups.length > 0)
				throw hubspotError(
					400,
					'VALIDATION_ERROR',
					`Duplicate IDs found in batch input: [${dups.join(', ')}]. IDs must be unique`,
				);
		}
		const injected = this.server.faults.batchFailures(req, inputs, (x) => idOf(x));
		const claims = new Map<string, string>();
		const plans: Outcome[] = inputs.map((input, i) => {
			const f = injected.get(i);
			if (f) {
				const trace = (input as { objectWriteTraceId?: unknown } | null)?.objectWriteTraceId;
				const id = idOf(input);
				return {
					ok: false,
					kind: 'injected',
					httpStatus: f.status,
					error: {
						status: 'error',
						category:
							/^[A-Z_]+$/.test(f.code) && f.code !== 'INJECTED_FAILURE'
								? f.code
								: f.status >= 500
									? 'INTERNAL_ERROR'
									: 'VALIDATION_ERROR',
						message: f.message,
						context: {
							...(id !== undefined ? { ids: [id] } : {}),
							...(typeof trace === 'string' ? { objectWriteTraceId: [trace] } : {}),
						},
					},
				};
			}
			return planWrite(data, def, mode, input, claims, i);
		});
		if (this.mode === 'atomic') {
			const firstBlocking = plans.find(
				(p): p is Extract<Outcome, { ok: false }> =>
					!p.ok && (p.kind === 'validation' || p.kind === 'conflict'),
			);
			if (firstBlocking) {
				throw hubspotError(
					firstBlocking.httpStatus,
					firstBlocking.error.category,
					firstBlocking.error.message,
					{
						...(firstBlocking.error.errors ? { errors: firstBlocking.error.errors } : {}),
						...(firstBlocking.error.context ? { context: firstBlocking.error.context } : {}),
					},
				);
			}
		}
		const results: unknown[] = [];
		const errors: BatchError[] = [];
		for (const [i, p] of plans.entries()) {
			if (!p.ok) {
				errors.push(p.error);
				continue;
			}
			const { record, isNew } = p.run();
			const trace = (inputs[i] as { objectWriteTraceId?: unknown } | null)?.objectWriteTraceId;
			results.push({
				...data.recordJson(def, record, undefined, true),
				...(mode === 'upsert' ? { new: isNew } : {}),
				...(typeof trace === 'string' ? { objectWriteTraceId: trace } : {}),
			});
		}
		return done(results, errors, mode === 'create' ? 201 : 200);
	}

	/** `GET|PUT /__sandbox/batch-mode`. */
	installAdmin(s: SandboxServer): void {
		s.admin('GET', '/batch-mode', () => json({ mode: this.mode }));
		s.admin('PUT', '/batch-mode', async (req) => {
			const body = await req.json<{ mode?: unknown }>();
			if (body?.mode !== 'atomic' && body?.mode !== 'partial')
				throw new HttpError(400, 'mode must be atomic or partial', 'invalid_mode');
			this.mode = body.mode;
			return json({ mode: this.mode });
		});
	}
}
