/**
 * Associations between records (v4 API): labels between two object types, and batches of 100 pairs to associate
 * (default or labelled), to unlink, or records to list the associations of (each record its own result).
 */
import type { BatchRunResult } from '../../batching/run-batches';
import type { HubSpotBatches } from './batch';
import { matchPairs } from './batchResponse';
import type { HubSpotCaller } from './clients';
import { encode } from './records';
import type {
	HubSpotAssociatedRecord,
	HubSpotAssociationLabel,
	HubSpotBatchResponse,
	HubSpotPage,
} from './types';

/** Two records to associate or unlink. */
export interface AssociationPair {
	fromId: string;
	toId: string;
}

/** An association label: its type id and category (default `USER_DEFINED`). */
export interface AssociationType {
	associationTypeId: number;
	associationCategory?: string;
}

/** Most rounds of reading further association pages in one batch. */
const MAX_ASSOCIATION_ROUNDS = 1000;

const v4 = (fromType: string, toType: string) =>
	`/crm/v4/associations/${encode(fromType)}/${encode(toType)}`;

/** Association labels between two object types. */
export async function getAssociationLabels(
	host: HubSpotCaller,
	fromType: string,
	toType: string,
): Promise<HubSpotAssociationLabel[]> {
	const res = await host.call<HubSpotPage<HubSpotAssociationLabel>>({
		method: 'GET',
		url: `${v4(fromType, toType)}/labels`,
	});
	return res.results ?? [];
}

/** Associates pairs in batches of 100: with HubSpot's default association, or with the label `type`. */
export async function associate(
	host: HubSpotCaller,
	batches: HubSpotBatches,
	fromType: string,
	toType: string,
	pairs: AssociationPair[],
	type?: AssociationType,
	signal?: AbortSignal,
): Promise<BatchRunResult<unknown>> {
	return await batches.run<AssociationPair, unknown>(pairs, signal, async (chunk) => {
		const url = type
			? `${v4(fromType, toType)}/batch/create`
			: `${v4(fromType, toType)}/batch/associate/default`;
		const inputs = chunk.map((p) =>
			type
				? {
						from: { id: String(p.fromId) },
						to: { id: String(p.toId) },
						types: [
							{
								associationCategory: type.associationCategory ?? 'USER_DEFINED',
								associationTypeId: type.associationTypeId,
							},
						],
					}
				: { from: { id: String(p.fromId) }, to: { id: String(p.toId) } },
		);
		const res = await host.call<HubSpotBatchResponse<Record<string, unknown>> | undefined>({
			method: 'POST',
			url,
			body: { inputs },
			idempotent: true,
			signal,
		});
		return matchPairs(chunk, res);
	});
}

/** Removes every association between pairs of records, in batches of 100. */
export async function removeAssociations(
	host: HubSpotCaller,
	batches: HubSpotBatches,
	fromType: string,
	toType: string,
	pairs: AssociationPair[],
	signal?: AbortSignal,
): Promise<BatchRunResult<unknown>> {
	return await batches.run<AssociationPair, unknown>(pairs, signal, async (chunk) => {
		const inputs = chunk.map((p) => ({
			from: { id: String(p.fromId) },
			to: [{ id: String(p.toId) }],
		}));
		const res = await host.call<HubSpotBatchResponse<Record<string, unknown>> | undefined>({
			method: 'POST',
			url: `${v4(fromType, toType)}/batch/archive`,
			body: { inputs },
			idempotent: true,
			signal,
		});
		return matchPairs(chunk, res);
	});
}

/**
 * The records associated with each of `fromIds` (batch read, 100 per call; each id its own result). A record with
 * more associations than one page is read again with its own cursor, with the others of the batch that need it.
 */
export async function listAssociations(
	host: HubSpotCaller,
	batches: HubSpotBatches,
	fromType: string,
	toType: string,
	fromIds: string[],
	signal?: AbortSignal,
): Promise<BatchRunResult<HubSpotAssociatedRecord[]>> {
	return await batches.run<string, HubSpotAssociatedRecord[]>(
		fromIds.map(String),
		signal,
		async (chunk) => {
			const all = new Map<string, HubSpotAssociatedRecord[]>();
			let pending = chunk.map((id) => ({ id }));
			const cursors = new Map<string, string>();
			for (let round = 0; pending.length > 0 && round < MAX_ASSOCIATION_ROUNDS; round++) {
				const res = await host.call<
					HubSpotBatchResponse<{
						from: { id: string };
						to: HubSpotAssociatedRecord[];
						paging?: { next?: { after?: string } };
					}>
				>({
					method: 'POST',
					url: `${v4(fromType, toType)}/batch/read`,
					body: {
						inputs: pending.map((p) =>
							cursors.get(p.id) ? { id: p.id, after: cursors.get(p.id) } : { id: p.id },
						),
					},
					idempotent: true,
					signal,
				});
				const next: Array<{ id: string }> = [];
				for (const result of res?.results ?? []) {
					const id = String(result.from.id);
					const to = all.get(id);
					if (to) for (const t of result.to ?? []) to.push(t);
					else all.set(id, [...(result.to ?? [])]);
					const after = result.paging?.next?.after;
					if (after && after !== cursors.get(id)) {
						cursors.set(id, after);
						next.push({ id });
					}
				}
				pending = next;
			}
			// A record without associations is not an error: HubSpot leaves it out of `results` (and may list it in errors).
			return chunk.map((id) => ({ ok: true as const, value: all.get(id) ?? [] }));
		},
	);
}
