/** How many batch requests of one write to keep in flight, within what the rate budget lets run at once. */

/** What the cap needs of a rate budget: its `maxConcurrent` (the rate limiter lets 10 run when unset). */
export interface ConcurrencyBudget {
	readonly config: { readonly maxConcurrent?: number };
}

/**
 * `requested` (default `fallback`), at least 1, at most the budget's `maxConcurrent` (10 when the budget sets none;
 * no cap without a budget), so the budget never queues requests the write started.
 */
export function boundedConcurrency(
	requested: number | undefined,
	fallback: number,
	budget: ConcurrencyBudget | undefined,
): number {
	const wanted = Math.max(1, Math.floor(requested ?? fallback) || 1);
	const cap = budget ? (budget.config.maxConcurrent ?? 10) : Number.POSITIVE_INFINITY;
	return Math.max(1, Math.min(wanted, cap));
}
