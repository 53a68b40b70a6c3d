/**
 * Field Mapper benchmark: N items (default 100,000) mapped through n8n's engine (the Field Mapper node, built
 * package) with the same rules twice: all static, then with an expression rule whose value differs per item
 * (`={{ $json.email.split('@')[1] }}`), which makes every item's spec distinct. Prints items/s and the peak RSS
 * of each run (sampled every 50 ms); asserts nothing. Run: `BENCH=fieldmapper npm run bench`
 * (`BENCH_FIELDMAPPER_ITEMS=20000` for another count), or `npm run build && node dist/bench/fieldMapper.js [N]`.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { loadWorkflow, runWorkflow, type WorkflowJson } from '../test/helpers/engine';
import { noFigures, type BenchEntry } from './entry';

const MAPPER = 'Field Mapper';

/** Rules of a typical contact mapping; `expression` adds a Fixed Value rule computed per item. */
function rules(expression: boolean): IDataObject[] {
	return [
		{
			target: 'FirstName',
			source: 'first_name',
			transforms: { steps: [{ type: 'trim' }, { type: 'titlecase' }] },
			type: 'string',
			required: true,
		},
		{
			target: 'Email',
			source: 'email',
			transforms: { steps: [{ type: 'trim' }, { type: 'lowercase' }] },
			type: 'email',
			required: true,
		},
		{ target: 'LeadSource', valueFrom: 'constant', constant: 'Web' },
		{
			target: 'Country',
			source: 'country',
			transforms: {
				steps: [
					{
						type: 'lookup',
						table: {
							pairs: [
								{ from: 'DE', to: 'Germany' },
								{ from: 'FR', to: 'France' },
							],
						},
						caseInsensitive: true,
						notFound: 'error',
					},
				],
			},
		},
		{
			target: 'NumberOfEmployees',
			source: 'employees',
			transforms: { steps: [{ type: 'toInteger' }] },
			type: 'integer',
		},
		...(expression
			? [
					{
						target: 'Domain',
						valueFrom: 'constant',
						constant: "={{ $json.email.split('@')[1] }}",
						type: 'string',
					},
				]
			: []),
	];
}

function workflow(items: number, expression: boolean): WorkflowJson {
	const wf = loadWorkflow('fieldMapper.contacts.json');
	const source = wf.nodes.find((n) => n.name === 'Form Submissions')!;
	source.parameters.jsCode = `return Array.from({ length: ${items} }, (_, i) => ({ first_name: ' user ' + i, email: 'User' + i + '@host' + i + '.example.com', country: i % 2 ? 'de' : 'FR', employees: String(i % 500) }));`;
	const mapper = wf.nodes.find((n) => n.name === MAPPER)!;
	mapper.parameters = { mappings: { rules: rules(expression) } } as unknown as INodeParameters;
	return wf;
}

async function runOnce(items: number, expression: boolean): Promise<BenchEntry> {
	global.gc?.();
	const base = process.memoryUsage().rss;
	let peak = base;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, 50);
	try {
		const t0 = performance.now();
		const run = await runWorkflow(workflow(items, expression));
		const seconds = (performance.now() - t0) / 1000;
		peak = Math.max(peak, process.memoryUsage().rss);
		if (run.error) throw run.error;
		const mapped = run.json(MAPPER).length;
		const failed = run.outputs[MAPPER]?.[1]?.length ?? 0;
		console.log(
			`${(expression ? 'with an expression rule' : 'static rules').padEnd(24)} | ${String(items).padStart(7)} items | ${seconds.toFixed(2).padStart(7)} s | ${(items / seconds).toFixed(0).padStart(7)} items/s | peak RSS ${(peak / 1024 / 1024).toFixed(0).padStart(5)} MiB (${(base / 1024 / 1024).toFixed(0)} MiB before) | ${mapped} mapped, ${failed} on the error output`,
		);
		return {
			...noFigures(`field mapper, ${expression ? 'expression rule' : 'static rules'}`, seconds),
			records: items,
			recordsPerSecond: items / seconds,
			peakRssMb: peak / 1024 / 1024,
			note: `${mapped} mapped, ${failed} on the error output (no API: lost/duplicates do not apply)`,
		};
	} finally {
		clearInterval(sampler);
	}
}

/**
 * Runs the benchmark: static rules, then an expression rule, over `items` items each.
 *
 * @param items item count per run (default 100,000).
 */
export async function run(items = 100_000): Promise<BenchEntry[]> {
	console.log(
		`Field Mapper through n8n's engine, ${items} items, 6 rules (static, then one with a per-item expression)`,
	);
	return [await runOnce(items, false), await runOnce(items, true)];
}

if (require.main === module) {
	const n = Number(process.argv[2]);
	run(Number.isInteger(n) && n > 0 ? n : undefined).catch((err: unknown) => {
		console.error(err);
		process.exitCode = 1;
	});
}
