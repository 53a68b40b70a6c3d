/**
 * The n8n host of the e2e tier: n8n, pinned to the release of our n8n-core dev dependency (the engine the in-repo
 * tests use), installed with `npm install --ignore-scripts` into a cache outside the clone
 * (`${CRM_E2E_CACHE:-~/.cache/n8n-nodes-crm-connectors}/n8n-<version>`), its sqlite3 native module then built from
 * source with node-gyp against the headers of the running Node (prebuilt downloads need the internet). A
 * `.complete` marker says the install is whole; anything without it is redone.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { root } = require('../lib/pack-install');
const { check, freePort, log, mustRun, seconds } = require('./util');

const N8N_VERSION =
	process.env.CRM_E2E_N8N_VERSION ||
	require(path.join(root, 'node_modules', 'n8n-core', 'package.json')).version;
const CACHE =
	process.env.CRM_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-crm-connectors');
const HOST_DIR = path.join(CACHE, `n8n-${N8N_VERSION}`);
const MARKER = path.join(HOST_DIR, '.complete');
const LOCK = `${HOST_DIR}.lock`;
const N8N_BIN = path.join(HOST_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
const SQLITE_DIR = path.join(HOST_DIR, 'node_modules', 'sqlite3');
/** Time limits (ms). */
const INSTALL_TIMEOUT = 15 * 60_000;
const BUILD_TIMEOUT = 10 * 60_000;

/** A directory holding `include/node/common.gypi` for the running Node, for node-gyp's `--nodedir`. */
async function nodeHeaders() {
	const version = process.versions.node;
	const fromNodePackage = path.join(
		root,
		'node_modules',
		'node',
		'node_modules',
		`node-${process.platform}-${process.arch}`,
	);
	const candidates = [fromNodePackage, path.resolve(path.dirname(process.execPath), '..')];
	for (const dir of candidates) {
		const versionHeader = path.join(dir, 'include', 'node', 'node_version.h');
		if (
			fs.existsSync(path.join(dir, 'include', 'node', 'common.gypi')) &&
			headerVersion(versionHeader) === version
		)
			return dir;
	}
	// The registry's `node-<platform>-<arch>` package (what the `node` dev dependency installs) ships the headers.
	const dir = path.join(CACHE, `node-headers-${version}`);
	if (!fs.existsSync(path.join(dir, 'include', 'node', 'common.gypi'))) {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		const spec = `node-${process.platform}-${process.arch}@${version}`;
		const { stdout } = await mustRun(
			'npm',
			['pack', spec, '--silent', '--prefer-offline', '--pack-destination', dir],
			{ timeout: INSTALL_TIMEOUT, label: `npm pack ${spec}` },
		);
		const tarball = path.join(dir, stdout.trim().split('\n').pop());
		await mustRun('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1', 'package/include'], {
			label: `tar ${tarball}`,
		});
		fs.rmSync(tarball);
	}
	check(
		headerVersion(path.join(dir, 'include', 'node', 'node_version.h')) === version,
		`no Node ${version} headers in ${dir}`,
	);
	return dir;
}

function headerVersion(file) {
	if (!fs.existsSync(file)) return undefined;
	const text = fs.readFileSync(file, 'utf8');
	const part = (name) => (text.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`)) || [])[1];
	return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
}

/** node-gyp: installed next to n8n or in this repository, else the copy bundled with npm. */
async function findNodeGyp() {
	try {
		return require.resolve('node-gyp/bin/node-gyp.js', { paths: [HOST_DIR, root] });
	} catch {
		const npmRoot = process.env.npm_execpath
			? path.resolve(path.dirname(process.env.npm_execpath), '..')
			: path.join(
					(await mustRun('npm', ['root', '-g'], { label: 'npm root -g' })).stdout.trim(),
					'npm',
				);
		const bundled = path.join(npmRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
		check(
			fs.existsSync(bundled),
			`node-gyp not found (looked in ${HOST_DIR}, ${root} and ${npmRoot}); it is needed to build sqlite3 for n8n`,
		);
		return bundled;
	}
}

/** Installs (or reuses) n8n in the cache. Returns {cached, ms}. */
async function ensureN8n() {
	const started = performance.now();
	const abi = process.versions.modules;
	if (fs.existsSync(MARKER)) {
		const marker = JSON.parse(fs.readFileSync(MARKER, 'utf8'));
		if (marker.version === N8N_VERSION && marker.abi === abi && fs.existsSync(N8N_BIN))
			return { cached: true, ms: performance.now() - started };
	}
	if (!(await lock())) return await ensureN8n(); // another run installed it while we waited
	try {
		return await install(started, abi);
	} finally {
		fs.rmSync(LOCK, { recursive: true, force: true });
	}
}

/**
 * Takes the install lock (a directory next to the install). Returns false when another run held it and the
 * install is complete now. A lock older than the install time limit is stale and broken.
 */
async function lock() {
	fs.mkdirSync(CACHE, { recursive: true });
	let waited = false;
	for (;;) {
		try {
			fs.mkdirSync(LOCK);
			if (waited && fs.existsSync(MARKER)) {
				fs.rmSync(LOCK, { recursive: true, force: true });
				return false;
			}
			return true;
		} catch (err) {
			if (err.code !== 'EEXIST') throw err;
			const age = Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs;
			if (age > INSTALL_TIMEOUT + BUILD_TIMEOUT) {
				fs.rmSync(LOCK, { recursive: true, force: true });
				continue;
			}
			if (!waited) log(`   another run is installing n8n (${LOCK}); waiting`);
			waited = true;
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
}

async function install(started, abi) {
	log(`   installing n8n@${N8N_VERSION} into ${HOST_DIR} (no cache yet; a few minutes)`);
	fs.rmSync(HOST_DIR, { recursive: true, force: true });
	fs.mkdirSync(HOST_DIR, { recursive: true });
	fs.writeFileSync(
		path.join(HOST_DIR, 'package.json'),
		JSON.stringify({ name: 'crm-e2e-n8n-host', private: true }),
	);
	const npmInstall = await mustRun(
		'npm',
		[
			'install',
			`n8n@${N8N_VERSION}`,
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
		],
		{ cwd: HOST_DIR, timeout: INSTALL_TIMEOUT, label: `npm install n8n@${N8N_VERSION}` },
	);
	log(`   npm install: ${seconds(npmInstall.ms)}`);
	// sqlite3's install script would download a prebuilt binary; build it from its bundled sources instead.
	const nodedir = await nodeHeaders();
	const nodeGyp = await findNodeGyp();
	const env = { ...process.env, npm_config_nodedir: nodedir };
	const build = await mustRun(
		process.execPath,
		[nodeGyp, 'rebuild', `--nodedir=${nodedir}`, `--jobs=${Math.max(1, os.cpus().length)}`],
		{
			cwd: SQLITE_DIR,
			env,
			timeout: BUILD_TIMEOUT,
			label: 'node-gyp rebuild (sqlite3)',
		},
	);
	log(`   sqlite3 built from source: ${seconds(build.ms)}`);
	fs.writeFileSync(
		MARKER,
		JSON.stringify({
			version: N8N_VERSION,
			abi,
			node: process.version,
			installedAt: new Date().toISOString(),
		}),
	);
	return { cached: false, ms: performance.now() - started };
}

/**
 * n8n's environment: our user folder, its SQLite database, nothing phoning home. `overrides` replace or add
 * variables (the queue-mode tier: PostgreSQL, Redis, one encryption key for all its processes).
 */
async function n8nEnv(userFolder, overrides = {}) {
	const env = {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: `crm-e2e-${process.pid}-0123456789abcdef`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// n8n prints `execute`'s output through its logger at level info: a quieter level would hide it.
		N8N_LOG_LEVEL: 'info',
		// The task broker listens even when no Code node runs; a free port lets runs share the machine.
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		DB_TYPE: 'sqlite',
		NODE_ENV: 'production',
		...overrides,
	};
	delete env.NODE_OPTIONS;
	return env;
}

module.exports = { N8N_VERSION, HOST_DIR, N8N_BIN, ensureN8n, n8nEnv, nodeHeaders };
