/** What every step of the demo uses: its failure, printing, and reading the simulators' request logs. */
import { wrap } from './format';

/** A check of the demo that did not hold: printed as the reason, exit code 1. */
export class DemoFailure extends Error {}

export function expect(condition: boolean, message: string): void {
	if (!condition) throw new DemoFailure(message);
}

/** Longest line the demo prints. */
export const WIDTH = 112;

export const log = (line = ''): void => console.log(line);
export const say = (text: string, first = '   ', rest = '     '): void => {
	for (const line of wrap(text, WIDTH, first, rest)) log(line);
};

/** What the demo reads of a simulator's request log. */
export interface Logged {
	log: {
		entries(): Array<{ seq: number; kind?: string; status: number }>;
		last(): { seq: number } | undefined;
	};
}

/** The simulator's requests after `mark` (a `seq`, from {@link mark}). */
export const requestsSince = (sim: Logged, since: number) =>
	sim.log.entries().filter((e) => e.seq > since);
export const mark = (sim: Logged): number => sim.log.last()?.seq ?? 0;

/** `kind n (status…)` per kind, e.g. `token 1 · collections.create 1 (200)`. */
export function byKind(requests: Array<{ kind?: string; status: number }>): string {
	const kinds = new Map<string, Map<number, number>>();
	for (const r of requests) {
		const statuses = kinds.get(r.kind ?? '(none)') ?? new Map<number, number>();
		statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
		kinds.set(r.kind ?? '(none)', statuses);
	}
	return [...kinds]
		.map(([kind, statuses]) => {
			const n = [...statuses.values()].reduce((a, b) => a + b, 0);
			return `${kind} ${n} (${[...statuses].map(([s, k]) => (statuses.size > 1 ? `${k}×${s}` : String(s))).join(', ')})`;
		})
		.join(' · ');
}
