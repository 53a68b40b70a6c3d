/**
 * One HubSpot batch write call (≤100 inputs) with everything around it that keeps each input's result true: inputs
 * with one key merged in order (HubSpot rejects a batch with duplicate ids), results matched to inputs by trace id
 * or key, an input a whole-batch rejection names failed alone and the others sent again at once, and a create whose
 * answer was lost settled by reading its inputs back by a unique value (see settle.ts).
 */
import { BATCH_CODES, type ItemOutcome } from '../../batching/types';
import { CrmError, isCrmError } from '../../http/errors';
import {
	type BatchKind,
	blamedTraceIds,
	describeHubSpotError,
	matchBatchResponse,
} from './batchResponse';
import type { HubSpotCaller } from './clients';
import { encode, toProperties } from './records';
import {
	type CreateSettlement,
	isAnswerLost,
	lostRepeatableOutcome,
	MAX_LOST_CREATE_ROUNDS,
	settledOutcome,
} from './settle';
import type { HubSpotBatchResponse, HubSpotObject } from './types';

/** Options of the batch writes. */
export interface BatchWriteOptions {
	/** Unique property identifying records (update/read/upsert): `email`, a custom unique property; default the record id. */
	idProperty?: string;
	/** Properties to return (batch read). */
	properties?: string[];
	signal?: AbortSignal;
}

/** An input of a batch write: its key (record id or unique value; none for a create) and its properties. */
export interface WriteInput {
	id?: string;
	properties: Record<string, unknown>;
}

/** What one batch write call needs: where it goes, how inputs go on the wire, and how to settle lost creates. */
export interface WriteChunkContext<TIn extends WriteInput> {
	call: HubSpotCaller['call'];
	objectType: string;
	kind: BatchKind;
	options: BatchWriteOptions;
	toWire: (input: TIn) => Record<string, unknown>;
	/** The next `objectWriteTraceId` (unique over the whole run). */
	nextTraceId: () => string;
	/** Settles the inputs (wire properties) of a batch create whose answer was lost. */
	settle: (
		inputs: Array<Record<string, unknown>>,
		firstSentAt: number,
	) => Promise<CreateSettlement[]>;
}

/** Sends one chunk of a batch write; one outcome per input of `chunk`, in order. */
export async function sendWriteChunk<TIn extends WriteInput>(
	ctx: WriteChunkContext<TIn>,
	chunk: TIn[],
): Promise<Array<ItemOutcome<HubSpotObject>>> {
	const { objectType, kind, options, toWire } = ctx;
	const keyed = kind !== 'create';
	const caseInsensitive =
		kind !== 'create' && (options.idProperty === 'email' || options.idProperty === 'hs_email');
	const keyOf = (input: TIn) => {
		const id = String(input.id ?? '');
		return caseInsensitive ? id.trim().toLowerCase() : id;
	};
	// Several inputs with one key would make HubSpot reject the batch ("duplicate IDs"): merge them, in order,
	// into one wire input (what sending them one after the other would leave), each getting its result.
	const slots: number[] = [];
	const wire: Array<Record<string, unknown>> = [];
	const slotKeys: string[] = [];
	const byKey = new Map<string, number>();
	for (let i = 0; i < chunk.length; i++) {
		const input = chunk[i];
		if (keyed) {
			const key = keyOf(input);
			if (!key) {
				slots.push(-1);
				continue;
			}
			const existing = byKey.get(key);
			if (existing !== undefined) {
				slots.push(existing);
				const merged = wire[existing] as { properties?: Record<string, unknown> };
				if (merged.properties)
					merged.properties = { ...merged.properties, ...toProperties(input.properties) };
				continue;
			}
			byKey.set(key, wire.length);
			slotKeys.push(key);
		} else {
			slotKeys.push('');
		}
		slots.push(wire.length);
		const body = toWire(input);
		if (kind === 'create' || kind === 'update' || kind === 'upsert')
			body.objectWriteTraceId = ctx.nextTraceId();
		wire.push(body);
	}
	// When HubSpot rejects the whole batch for an input it names (context.objectWriteTraceId), that input fails
	// with HubSpot's message and the others are sent again at once: k bad inputs cost k extra calls, not a
	// bisection. A rejection naming no input is thrown, and runBatches splits the chunk to isolate it.
	const outcomes: Array<ItemOutcome<HubSpotObject>> = new Array(wire.length);
	let pending = wire.map((_, i) => i);
	// A create whose answer is lost is settled by reading the inputs back by a unique value (see settle.ts); the
	// inputs not found are sent again, at most MAX_LOST_CREATE_ROUNDS times.
	const firstSentAt = performance.now();
	let lostRounds = 0;
	const settle = async (indexes: number[], cause: unknown): Promise<number[]> => {
		lostRounds++;
		const settled = await ctx.settle(
			indexes.map((i) => (wire[i].properties ?? {}) as Record<string, unknown>),
			firstSentAt,
		);
		const resend: number[] = [];
		indexes.forEach((i, j) => {
			const s = settled[j];
			if (s.state === 'notWritten' && lostRounds <= MAX_LOST_CREATE_ROUNDS) resend.push(i);
			else outcomes[i] = settledOutcome(s, cause, lostRounds);
		});
		return resend;
	};
	for (
		let round = 0;
		pending.length > 0 && round <= wire.length + MAX_LOST_CREATE_ROUNDS;
		round++
	) {
		const body: Record<string, unknown> = { inputs: pending.map((i) => wire[i]) };
		if (kind === 'read') {
			// The unique property must come back: results are matched to inputs by its value.
			// (E-mail is among a contact's default properties; a custom unique property is not.)
			const wanted = options.properties ?? [];
			const id = options.idProperty;
			body.properties =
				id && !wanted.includes(id) && (wanted.length > 0 || id !== 'email')
					? [...wanted, id]
					: wanted;
			if (options.idProperty) body.idProperty = options.idProperty;
		}
		let response: HubSpotBatchResponse | undefined;
		try {
			response = await ctx.call<HubSpotBatchResponse | undefined>({
				method: 'POST',
				url: `/crm/v3/objects/${encode(objectType)}/batch/${kind}`,
				body,
				// Upsert by key, update to given values, archive and read are safe to repeat; create is not.
				idempotent: kind !== 'create',
				signal: options.signal,
			});
		} catch (error) {
			if (
				kind !== 'read' &&
				(isAnswerLost(error) ||
					(kind === 'create' && lostRounds > 0 && isCrmError(error) && error.status === 409))
			) {
				// Create: settle by unique value (a 409 after a lost round may be our own earlier, late-applied create).
				// Update / upsert / archive were already retried by the retry policy (safe to repeat): outcome unknown.
				if (kind === 'create') pending = await settle(pending, error);
				else {
					for (const i of pending) outcomes[i] = lostRepeatableOutcome(kind, error);
					pending = [];
				}
				continue;
			}
			const named = blamedTraceIds(error);
			const blamed = pending.filter((i) => named.has(String(wire[i].objectWriteTraceId)));
			if (blamed.length === 0 || blamed.length === pending.length) {
				if (round === 0) throw error;
				const described = describeHubSpotError(error);
				for (const i of pending) outcomes[i] = { ok: false, error: described };
				break;
			}
			const described = describeHubSpotError(error);
			for (const i of blamed) outcomes[i] = { ok: false, error: described };
			pending = pending.filter((i) => !blamed.includes(i));
			continue;
		}
		const matched = matchBatchResponse(
			kind,
			pending.map((i) => wire[i]),
			pending.map((i) => slotKeys[i]),
			response,
			{ idProperty: options.idProperty, caseInsensitive },
		);
		const conflicted: number[] = [];
		pending.forEach((i, j) => {
			const m = matched[j];
			// After a lost round, a per-input conflict (207) may be our own earlier create: settle it too.
			if (
				kind === 'create' &&
				lostRounds > 0 &&
				!m.ok &&
				/CONFLICT|already exists/i.test(`${m.error.code ?? ''} ${m.error.message}`)
			)
				conflicted.push(i);
			else outcomes[i] = m;
		});
		pending =
			conflicted.length > 0
				? await settle(
						conflicted,
						new CrmError(
							'HubSpot reported a conflict for an input sent again after a lost answer',
							{ kind: 'conflict' },
						),
					)
				: [];
	}
	for (const i of pending) {
		outcomes[i] ??= {
			ok: false,
			error: {
				message: `not written: HubSpot gave no usable answer for this input after ${wire.length + MAX_LOST_CREATE_ROUNDS} attempts — re-run it`,
				code: BATCH_CODES.notSent,
			},
		};
	}
	return slots.map((slot, i): ItemOutcome<HubSpotObject> => {
		if (slot >= 0) return outcomes[slot];
		return {
			ok: false,
			error: {
				message: `input ${i}: no ${options.idProperty ?? 'record id'} given — every ${kind} needs the ${options.idProperty ?? 'id'} of its record`,
				code: 'MISSING_ID',
			},
		};
	});
}
