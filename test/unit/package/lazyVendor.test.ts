/**
 * The vendor SDKs load on first use (`core/vendor.ts`), never with a node file: n8n loads every node and credential
 * file of the package at startup to read its description, and a run loads only its credentials' SDKs. Checked in a
 * fresh Node process on the built package (`require.cache` after loading every file n8n loads and instantiating its
 * class, as n8n's loader does), then the getters are called in the same process, which must load each SDK — so the
 * check can fail both ways. And on the sources: nothing but `core/vendor.ts` imports these modules' values.
 * Needs `dist/` (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { VENDOR_MODULES } from '../../../core/vendor';
import { assertBuilt, PACKAGE_ROOT } from '../../helpers/engine';

/** Runs in the child: the vendor packages (our copies) whose files `require.cache` holds, before and after. */
const CHILD = `
const path = require('node:path');
const root = process.cwd();
const pkg = require(path.join(root, 'package.json'));
require('n8n-workflow');
const engine = new Set(Object.keys(require.cache));
const dirOf = (m) => {
	const main = require.resolve(m, { paths: [path.join(root, 'dist/core')] });
	const name = m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0];
	return main.slice(0, main.lastIndexOf('node_modules/' + name + '/') + 'node_modules/'.length + name.length + 1);
};
const modules = JSON.parse(process.argv[1]);
const loaded = () => modules.filter((m) =>
	Object.keys(require.cache).some((f) => !engine.has(f) && f.startsWith(dirOf(m))));
for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
	const exported = require(path.join(root, file));
	const name = path.basename(file).replace(/\\.(node|credentials)\\.js$/, '');
	new exported[name]();
}
const atStartup = loaded();
const { vendor } = require(path.join(root, 'dist/core/vendor.js'));
for (const get of Object.values(vendor)) get();
process.stdout.write(JSON.stringify({ atStartup, afterGetters: loaded() }));
`;

function sources(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(path.join(PACKAGE_ROOT, dir))) {
		const rel = path.join(dir, name);
		if (statSync(path.join(PACKAGE_ROOT, rel)).isDirectory()) out.push(...sources(rel));
		else if (name.endsWith('.ts')) out.push(rel);
	}
	return out;
}

describe('vendor SDKs load on first use', () => {
	it('loading and instantiating every node and credential file loads none; the getters load each', () => {
		assertBuilt();
		const res = spawnSync(process.execPath, ['-e', CHILD, JSON.stringify(VENDOR_MODULES)], {
			cwd: PACKAGE_ROOT,
			encoding: 'utf8',
		});
		expect(res.stderr).toBe('');
		const { atStartup, afterGetters } = JSON.parse(res.stdout) as {
			atStartup: string[];
			afterGetters: string[];
		};
		expect(atStartup).toEqual([]);
		expect(afterGetters).toEqual([...VENDOR_MODULES]);
	});

	it('no source but core/vendor.ts imports a vendor module’s values', () => {
		const packageOf = (spec: string) =>
			spec
				.split('/')
				.slice(0, spec.startsWith('@') ? 2 : 1)
				.join('/');
		const names = VENDOR_MODULES.map(packageOf);
		const offenders: string[] = [];
		for (const file of [...sources('core'), ...sources('nodes'), ...sources('credentials')]) {
			if (file === path.join('core', 'vendor.ts')) continue;
			const text = readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');
			for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
				if (names.includes(packageOf(m[1]))) offenders.push(`${file}: ${m[1]}`);
			}
			for (const m of text.matchAll(/\b(?:require|import)\(\s*'([^']+)'\s*\)/g)) {
				if (names.includes(packageOf(m[1]))) offenders.push(`${file}: ${m[1]}`);
			}
		}
		expect(offenders).toEqual([]);
	});
});
