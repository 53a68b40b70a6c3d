/**
 * One shape for every benchmark figure (`npm run bench -- --json` prints an array of these as its last line), the
 * table line printed for it, and what the baseline scenarios share: a workflow around one node and the measurement
 * of one run (seconds, peak RSS).
 */
import type { INode, INodeParameters } from 'n8n-workflow';

import type { WorkflowJson } from '../test/helpers/engine';

/** One scenario's figures (issue #14's format). */
export interface BenchEntry {
	scenario: string;
	records: number | null;
	seconds: number;
	recordsPerSecond: number | null;
	/** What the vendor's limits allow at most over a sustained run (a burst inside the first window can beat it), when known. */
	ceilingRecordsPerSecond: number | null;
	/** HTTP requests the simulator(s) answered (token requests excluded), when the scenario counts them. */
	apiCalls: number | null;
	http429: number | null;
	/** Peak RSS of the whole process while the scenario ran (it includes what earlier scenarios left on the heap). */
	peakRssMb: number;
	/** Records missing from / doubled in the simulator's final state (reads: from the ids read). */
	lost: number | null;
	duplicates: number | null;
	/** True on n8n's own built-in nodes' runs. */
	baseline: boolean;
	/** The scenario a baseline run is the comparison for (ours), else null. */
	comparesTo: string | null;
	/** What the figures mean beyond the columns (batching used, configuration, why a size differs). */
	note?: string;
}

const fmt = (v: number | null, digits = 0): string => (v === null ? '-' : v.toFixed(digits));

/** The table header matching {@link entryLine}. */
export const ENTRY_HEADER =
	'scenario                                       | records |  seconds | records/s | API calls | 429s | peak RSS | lost | dups';

/** One table line. */
export function entryLine(e: BenchEntry): string {
	return [
		e.scenario.padEnd(46),
		fmt(e.records).padStart(7),
		fmt(e.seconds, 2).padStart(8),
		fmt(e.recordsPerSecond, 1).padStart(9),
		fmt(e.apiCalls).padStart(9),
		fmt(e.http429).padStart(4),
		`${fmt(e.peakRssMb)} MB`.padStart(8),
		fmt(e.lost).padStart(4),
		fmt(e.duplicates).padStart(4),
	].join(' | ');
}

/** Runs `work`, sampling RSS every 50 ms: its result, the seconds it took and the peak RSS in MB. */
export async function measured<T>(
	work: () => Promise<T>,
): Promise<{ result: T; seconds: number; peakRssMb: number }> {
	let peak = process.memoryUsage().rss;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
	const started = performance.now();
	try {
		const result = await work();
		const seconds = (performance.now() - started) / 1000;
		peak = Math.max(peak, process.memoryUsage().rss);
		return { result, seconds, peakRssMb: peak / 1024 / 1024 };
	} finally {
		clearInterval(sampler);
	}
}

/** Manual Trigger → Code (`jsCode`'s items) → `node` (errors to its second output). */
export function flowAround(jsCode: string, node: Omit<INode, 'id' | 'position'>): WorkflowJson {
	const base = (name: string, type: string, parameters: INodeParameters, x: number): INode => ({
		id: `00000000-0000-4000-8000-00000000000${x}`,
		name,
		type,
		typeVersion: type.endsWith('code') ? 2 : 1,
		position: [x * 200, 0],
		parameters,
	});
	return {
		nodes: [
			base('Start', 'n8n-nodes-base.manualTrigger', {}, 1),
			base('Input', 'n8n-nodes-base.code', { jsCode }, 2),
			{ ...node, id: '00000000-0000-4000-8000-000000000003', position: [600, 0] } as INode,
		],
		connections: {
			Start: { main: [[{ node: 'Input', type: 'main', index: 0 }]] },
			Input: { main: [[{ node: node.name, type: 'main', index: 0 }]] },
		},
	};
}

/** Counts names expected once each in a final state: how many are missing and how many extra copies exist. */
export function lostAndDuplicates(
	expected: string[],
	found: Iterable<string>,
): { lost: number; duplicates: number } {
	const seen = new Map<string, number>();
	for (const name of found) seen.set(name, (seen.get(name) ?? 0) + 1);
	let lost = 0;
	let duplicates = 0;
	for (const name of expected) {
		const n = seen.get(name) ?? 0;
		if (n === 0) lost++;
		else duplicates += n - 1;
	}
	return { lost, duplicates };
}

/** An entry whose figures are yet unknown (null): for the scenario name and its seconds, to fill in. */
export function noFigures(scenario: string, seconds: number): BenchEntry {
	return {
		scenario,
		records: null,
		seconds,
		recordsPerSecond: null,
		ceilingRecordsPerSecond: null,
		apiCalls: null,
		http429: null,
		peakRssMb: process.memoryUsage().rss / 1024 / 1024,
		lost: null,
		duplicates: null,
		baseline: false,
		comparesTo: null,
	};
}
