/**
 * Packs this repository with `npm pack` and installs the tarball the way n8n installs a community package from
 * Settings → Community nodes: into `<user folder>/.n8n/nodes`, without install scripts, dev or peer dependencies
 * (n8n provides `n8n-workflow` itself). Shared by `scripts/check-pack.js` and the e2e tier (`scripts/e2e.js`).
 */
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { promisify } = require('node:util');

/** The repository root and its package.json. */
const root = path.resolve(__dirname, '..', '..');
const pkg = require(path.join(root, 'package.json'));

const npm = (args, cwd) =>
	execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

/** `npm pack` of this repository into `work`. Returns {tarball, tarballPath, size}. */
function pack(work) {
	const tarball = npm(['pack', '--silent', '--pack-destination', work], root)
		.trim()
		.split('\n')
		.pop();
	const tarballPath = path.join(work, tarball);
	return { tarball, tarballPath, size: fs.statSync(tarballPath).size };
}

/** Prepares `<userFolder>/.n8n/nodes` and returns it with the `npm install` arguments for the tarball. */
function installPlan(tarballPath, userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true }),
	);
	// As n8n does: no install scripts. Peer n8n-workflow is left to the host (n8n provides it).
	const args = [
		'install',
		tarballPath,
		'--ignore-scripts',
		'--omit=dev',
		'--omit=peer',
		'--legacy-peer-deps',
		'--prefer-offline',
		'--no-audit',
		'--no-fund',
		'--loglevel=error',
	];
	return { nodesDir, args, installed: path.join(nodesDir, 'node_modules', pkg.name) };
}

/**
 * Installs a packed tarball into `<userFolder>/.n8n/nodes`.
 * @returns {{ nodesDir: string, installed: string }} `installed` is `<userFolder>/.n8n/nodes/node_modules/<package name>`.
 */
function install(tarballPath, userFolder) {
	const { nodesDir, args, installed } = installPlan(tarballPath, userFolder);
	npm(args, nodesDir);
	return { nodesDir, installed };
}

/** {@link install} without blocking: several user folders can be installed at once. */
async function installAsync(tarballPath, userFolder) {
	const { nodesDir, args, installed } = installPlan(tarballPath, userFolder);
	await promisify(execFile)('npm', args, { cwd: nodesDir, encoding: 'utf8' });
	return { nodesDir, installed };
}

/**
 * `npm pack` into `work`, then installs the tarball into `<userFolder>/.n8n/nodes`.
 * @param {{ work: string, userFolder: string }} options `work` receives the tarball; `userFolder` is n8n's N8N_USER_FOLDER.
 * @returns {{ tarball: string, tarballPath: string, size: number, nodesDir: string, installed: string }}
 *   `installed` is `<userFolder>/.n8n/nodes/node_modules/<package name>`.
 */
function packAndInstall({ work, userFolder }) {
	const packed = pack(work);
	return { ...packed, ...install(packed.tarballPath, userFolder) };
}

module.exports = { root, pkg, pack, install, installAsync, packAndInstall };
