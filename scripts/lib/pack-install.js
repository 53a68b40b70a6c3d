/**
 * Packs this repository with `npm pack` and installs the tarball the way n8n installs a community package from
 * Settings → Community nodes: into `<user folder>/.n8n/nodes`, without install scripts, dev or peer dependencies
 * (n8n provides `n8n-workflow` itself). Shared by `scripts/check-pack.js` and the e2e tier (`scripts/e2e.js`).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** The repository root and its package.json. */
const root = path.resolve(__dirname, '..', '..');
const pkg = require(path.join(root, 'package.json'));

const npm = (args, cwd) =>
	execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

/**
 * `npm pack` into `work`, then installs the tarball into `<userFolder>/.n8n/nodes`.
 * @param {{ work: string, userFolder: string }} options `work` receives the tarball; `userFolder` is n8n's N8N_USER_FOLDER.
 * @returns {{ tarball: string, tarballPath: string, size: number, nodesDir: string, installed: string }}
 *   `installed` is `<userFolder>/.n8n/nodes/node_modules/<package name>`.
 */
function packAndInstall({ work, userFolder }) {
	const tarball = npm(['pack', '--silent', '--pack-destination', work], root)
		.trim()
		.split('\n')
		.pop();
	const tarballPath = path.join(work, tarball);
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true }),
	);
	// As n8n does: no install scripts. Peer n8n-workflow is left to the host (n8n provides it).
	npm(
		[
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
		],
		nodesDir,
	);
	return {
		tarball,
		tarballPath,
		size: fs.statSync(tarballPath).size,
		nodesDir,
		installed: path.join(nodesDir, 'node_modules', pkg.name),
	};
}

module.exports = { root, pkg, packAndInstall };
