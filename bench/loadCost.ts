/**
 * What loading this package costs in memory (`npm run build && npx node dist/bench/loadCost.js`; add `--json` for
 * the figures as one JSON document on stdout). Every figure comes from a fresh Node process (a child of this one,
 * run with `--expose-gc`, two full collections before each reading), so nothing loaded earlier hides a cost:
 *
 * - **startup**: RSS and heap used after loading `n8n-workflow`, then `n8n-core` (n8n's engine), then, one after
 *   another, every node file and credential file of `package.json`'s `n8n` section, each instantiated as n8n's loader
 *   does at startup to read its description — what an n8n with this package installed holds before any run;
 * - **node files alone**: each node file loaded alone on top of the engine: its cost and the third-party packages it
 *   pulls in;
 * - **third-party modules alone**: each runtime dependency (resolved from `dist/core`, as our code resolves it)
 *   loaded alone on top of the engine;
 * - **modules loaded by our package** at startup, grouped by package (each copy of a package apart): module count and
 *   source size — `require.cache` after the startup step.
 *
 * RSS moves by whole pages and V8's heap grows in chunks: a figure under ~1 MB is noise. Nothing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The package root: the nearest directory above this file with a package.json (from `dist/bench`). */
const ROOT = ((): string => {
	for (let dir = path.resolve(__dirname, '..'); ; dir = path.dirname(dir)) {
		if (existsSync(path.join(dir, 'package.json'))) return dir;
		if (path.dirname(dir) === dir) throw new Error(`No package.json above ${__dirname}`);
	}
})();

/**
 * The runtime dependencies measured alone: the entry points `core/vendor.ts` loads, and jsforce's index (which the
 * package no longer loads: it registers every jsforce API module) for comparison.
 */
const THIRD_PARTY = [
	'jsforce',
	'jsforce/lib/connection',
	'@hubspot/api-client',
	'axios',
	'pg',
	'ioredis',
	'graphql',
	'csv-parse/sync',
	'csv-stringify/sync',
	'jsonwebtoken',
	'zod',
	'node:sqlite',
];

interface Reading {
	step: string;
	rssMb: number;
	heapMb: number;
}
interface Group {
	group: string;
	modules: number;
	sourceKb: number;
}
interface ChildResult {
	readings: Reading[];
	/** Packages (each copy apart) and our own folders whose modules the last step loaded. */
	groups: Group[];
}

const MB = 1024 * 1024;

/** RSS and heap used after two full collections (the child runs with --expose-gc). */
function read(step: string): Reading {
	const gc = (globalThis as { gc?: () => void }).gc;
	gc?.();
	gc?.();
	const m = process.memoryUsage();
	return { step, rssMb: m.rss / MB, heapMb: m.heapUsed / MB };
}

/**
 * The group of a loaded file: a package (scoped names kept; a nested copy named after where it sits, e.g.
 * `axios (in n8n-core)`), or our own top folder (`ours: core/connectors`).
 */
export function moduleGroup(file: string, root: string): string {
	const i = file.lastIndexOf(`node_modules${path.sep}`);
	if (i < 0) {
		const rel = path.relative(path.join(root, 'dist'), file).split(path.sep);
		return `ours: ${rel.slice(0, rel.length > 2 ? 2 : 1).join('/')}`;
	}
	const parts = file.slice(i + 'node_modules/'.length).split(path.sep);
	const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
	const outer = file.slice(0, i).split(`node_modules${path.sep}`);
	const host = outer.length > 1 ? outer[outer.length - 1].replace(/\/$/, '') : '';
	return host ? `${name} (in ${host})` : name;
}

function groupsSince(before: Set<string>): Group[] {
	const groups = new Map<string, Group>();
	for (const file of Object.keys(require.cache)) {
		if (before.has(file)) continue;
		const name = moduleGroup(file, ROOT);
		const g = groups.get(name) ?? { group: name, modules: 0, sourceKb: 0 };
		g.modules++;
		g.sourceKb += statSync(file).size / 1024;
		groups.set(name, g);
	}
	return [...groups.values()].sort((a, b) => b.sourceKb - a.sourceKb);
}

/* eslint-disable @typescript-eslint/no-require-imports -- loading modules one by one is what is measured */

/** Loads a node or credential file and instantiates its class, as n8n's loader does to read the description. */
function loadPackageFile(relative: string): void {
	const file = path.join(ROOT, relative);
	const exported = require(file) as Record<string, new () => unknown>;
	const className = path.basename(file).replace(/\.(node|credentials)\.js$/, '');
	const Class = exported[className];
	if (typeof Class !== 'function') throw new Error(`${relative} exports no class ${className}`);
	new Class();
}

/** The child: loads the engine, then `targets` (package files or module names), and reports. */
function child(mode: 'startup' | 'alone', targets: string[]): ChildResult {
	// n8n's services write config under N8N_USER_FOLDER: a throw-away one, as in the tests.
	require(path.join(ROOT, 'dist/test/helpers/env.js'));
	const readings = [read('node')];
	require('n8n-workflow');
	readings.push(read('+ n8n-workflow'));
	require('n8n-core');
	readings.push(read('+ n8n-core'));
	const before = new Set(Object.keys(require.cache));
	for (const target of targets) {
		if (target.startsWith('dist/')) loadPackageFile(target);
		else if (target.startsWith('node:')) require(target);
		else require(require.resolve(target, { paths: [path.join(ROOT, 'dist/core')] }));
		if (mode === 'startup') readings.push(read(`+ ${target}`));
	}
	if (mode === 'alone') readings.push(read(`+ ${targets.join(', ')}`));
	return { readings, groups: groupsSince(before) };
}

/* eslint-enable @typescript-eslint/no-require-imports */

function runChild(mode: 'startup' | 'alone', targets: string[]): ChildResult {
	const res = spawnSync(
		process.execPath,
		['--expose-gc', __filename, '--child', mode, JSON.stringify(targets)],
		{ encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * MB },
	);
	if (res.status !== 0) throw new Error(`loading ${targets.join(', ')} failed:\n${res.stderr}`);
	return JSON.parse(res.stdout.trim().split('\n').pop() ?? '') as ChildResult;
}

const f1 = (n: number) => n.toFixed(1).padStart(7);
const packageList = (groups: Group[]) =>
	groups
		.filter((g) => !g.group.startsWith('ours:'))
		.map((g) => g.group)
		.join(', ') || '-';

export interface LoadCost {
	startup: Reading[];
	startupGroups: Group[];
	nodes: Array<{ file: string; rssMb: number; heapMb: number; packages: string }>;
	modules: Array<{ module: string; rssMb: number; heapMb: number; packages: string }>;
}

/** The difference between the last reading and the engine's (the third reading). */
function delta(r: ChildResult): { rssMb: number; heapMb: number } {
	const engine = r.readings[2];
	const last = r.readings[r.readings.length - 1];
	return { rssMb: last.rssMb - engine.rssMb, heapMb: last.heapMb - engine.heapMb };
}

function measure(): LoadCost {
	const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[]; credentials: string[] };
	};
	const startup = runChild('startup', [...pkg.n8n.nodes, ...pkg.n8n.credentials]);
	const nodes = pkg.n8n.nodes.map((file) => {
		const r = runChild('alone', [file]);
		return { file, ...delta(r), packages: packageList(r.groups) };
	});
	const modules = THIRD_PARTY.map((module) => {
		const r = runChild('alone', [module]);
		return { module, ...delta(r), packages: packageList(r.groups) };
	});
	return { startup: startup.readings, startupGroups: startup.groups, nodes, modules };
}

function print(cost: LoadCost): void {
	const credentialsAt = cost.startup.findIndex((r) => r.step.includes('/credentials/'));
	const engine = cost.startup[2];
	const last = cost.startup[cost.startup.length - 1];
	const nodesDone = cost.startup[credentialsAt - 1];
	console.log(
		'Startup (one process, cumulative; RSS / heap used in MB after two full collections):',
	);
	console.log('step                                                     |     RSS |    heap');
	for (const [i, r] of cost.startup.entries()) {
		// The credential files are summed in one line (each costs well under the noise).
		if (i > credentialsAt) continue;
		const label =
			i === credentialsAt ? '+ the 14 credential files' : r.step.replace('dist/nodes/', '');
		const shown = i === credentialsAt ? last : r;
		console.log(`${label.slice(0, 56).padEnd(56)} | ${f1(shown.rssMb)} | ${f1(shown.heapMb)}`);
	}
	console.log(
		`our package at startup: +${(last.rssMb - engine.rssMb).toFixed(1)} MB RSS, +${(last.heapMb - engine.heapMb).toFixed(1)} MB heap over n8n's engine (node files +${(nodesDone.rssMb - engine.rssMb).toFixed(1)} MB RSS)`,
	);
	console.log(
		'\nEach node file alone on top of the engine (MB) and the third-party packages it loads:',
	);
	console.log('node file                                  |  +RSS | +heap | packages');
	for (const n of cost.nodes) {
		const name = path.basename(n.file).padEnd(42);
		console.log(
			`${name} | ${n.rssMb.toFixed(1).padStart(5)} | ${n.heapMb.toFixed(1).padStart(5)} | ${n.packages}`,
		);
	}
	console.log('\nEach runtime dependency alone on top of the engine (MB):');
	console.log('module                 |  +RSS | +heap | packages loaded');
	for (const m of cost.modules) {
		console.log(
			`${m.module.padEnd(22)} | ${m.rssMb.toFixed(1).padStart(5)} | ${m.heapMb.toFixed(1).padStart(5)} | ${m.packages}`,
		);
	}
	console.log('\nModules our package loads at startup, by group (beyond the engine):');
	console.log('group                                              | modules | source KB');
	for (const g of cost.startupGroups) {
		console.log(
			`${g.group.slice(0, 50).padEnd(50)} | ${String(g.modules).padStart(7)} | ${g.sourceKb.toFixed(0).padStart(9)}`,
		);
	}
}

if (process.argv[2] === '--child') {
	const result = child(
		process.argv[3] as 'startup' | 'alone',
		JSON.parse(process.argv[4]) as string[],
	);
	process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (require.main === module) {
	const cost = measure();
	if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(cost)}\n`);
	else print(cost);
}
