#!/usr/bin/env node
/**
 * Checks the package as n8n installs it from Settings → Community nodes: `npm pack`, then an install of the
 * tarball without install scripts into a fresh `<user folder>/.n8n/nodes`, then n8n-core's own
 * PackageDirectoryLoader over the installed copy. Catches what the in-repo tests cannot: a file left out of
 * `files`, a runtime import of a dev-only package, a dependency missing from `dependencies`.
 * Run with `npm run check:pack` (after `npm run build`).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { root, pkg, packAndInstall } = require('./lib/pack-install');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-connectors-pack-'));
process.env.N8N_USER_FOLDER = path.join(work, 'user');

async function main() {
	const { tarball, size, installed } = packAndInstall({
		work,
		userFolder: process.env.N8N_USER_FOLDER,
	});

	// n8n-workflow comes from n8n itself at run time; let the installed package resolve it from this repo.
	process.env.NODE_PATH = path.join(root, 'node_modules');
	require('node:module').Module._initPaths();
	const { PackageDirectoryLoader } = require(path.join(root, 'node_modules', 'n8n-core'));
	const loader = new PackageDirectoryLoader(installed);
	await loader.loadAll();

	const problems = [];
	const nodes = Object.keys(loader.nodeTypes);
	const credentials = Object.keys(loader.credentialTypes);
	if (nodes.length !== pkg.n8n.nodes.length)
		problems.push(
			`loaded ${nodes.length} node types, package.json declares ${pkg.n8n.nodes.length}`,
		);
	if (credentials.length !== pkg.n8n.credentials.length)
		problems.push(
			`loaded ${credentials.length} credential types, package.json declares ${pkg.n8n.credentials.length}`,
		);
	for (const name of nodes) {
		const type = loader.nodeTypes[name].type;
		const versions = type.nodeVersions ? Object.values(type.nodeVersions) : [type];
		for (const v of versions)
			if (!v.description?.properties) problems.push(`node ${name}: no description`);
	}
	for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
		if (!fs.existsSync(path.join(installed, file)))
			problems.push(`missing from the tarball: ${file}`);
	}
	// n8n loads the package through package.json "n8n", not "main"; a "main" that names no file misleads every other tool.
	if (pkg.main !== undefined && !fs.existsSync(path.join(installed, pkg.main)))
		problems.push(`package.json "main" names ${pkg.main}, which is not in the tarball`);
	if (!fs.existsSync(path.join(installed, 'LICENSE')))
		problems.push('LICENSE is missing from the tarball');
	fs.rmSync(work, { recursive: true, force: true });
	if (problems.length) {
		console.error(`check:pack FAILED\n- ${problems.join('\n- ')}`);
		process.exit(1);
	}
	console.log(
		`check:pack: ${tarball} (${(size / 1024).toFixed(0)} KiB) installed without scripts; n8n's loader found ${nodes.length} nodes (${nodes.join(', ')}) and ${credentials.length} credentials`,
	);
}

main().catch((err) => {
	console.error('check:pack FAILED:', err);
	fs.rmSync(work, { recursive: true, force: true });
	process.exit(1);
});
