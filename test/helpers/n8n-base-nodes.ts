/**
 * n8n's own built-in nodes (`n8n-nodes-base`), the real ones, in the in-process engine: for the benchmark's baseline,
 * which runs n8n's Salesforce and HubSpot nodes beside ours against the same simulators.
 *
 * `n8n-nodes-base` is not a dependency of this package: it comes from the real n8n the e2e tier installs into its
 * cache (`scripts/e2e/host.js`, see `baseNodesHome()`). Its node and credential classes are required from there and
 * registered under n8n's names (`n8n-nodes-base.salesforce`, `salesforceOAuth2Api`, …).
 *
 * Two things make them run here as in n8n:
 * - **One copy of n8n-workflow.** In n8n, `n8n-nodes-base` and `n8n-core` share one `n8n-workflow`, so the engine
 *   recognises the node's `NodeApiError`s as its own (`instanceof`). Requests for `n8n-workflow` from inside the cached
 *   `n8n-nodes-base` resolve to the copy the engine uses (the same 2.41 line; the version is checked).
 * - **Their fixed hosts.** The HubSpot node calls `https://api.hubapi.com` whatever the credential says; `routeHost()`
 *   sends such requests to a simulator instead, at the one HTTP client n8n-core's request helpers use (an axios
 *   request interceptor), as a hosts-file entry would. Salesforce needs none: its host is the token's `instance_url`.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import type { ICredentialType, INodeType, IVersionedNodeType } from 'n8n-workflow';

import { loadPackage } from './engine';

/** The built-in nodes and credential types the baseline uses: n8n type name → file under `n8n-nodes-base/dist`. */
const NODES: Record<string, string> = {
	'n8n-nodes-base.salesforce': 'nodes/Salesforce/Salesforce.node.js',
	'n8n-nodes-base.hubspot': 'nodes/Hubspot/Hubspot.node.js',
};
const CREDENTIALS: Record<string, string> = {
	salesforceOAuth2Api: 'credentials/SalesforceOAuth2Api.credentials.js',
	hubspotAppToken: 'credentials/HubspotAppToken.credentials.js',
};

const versionOf = (packageJson: string): string =>
	(JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;

/**
 * Where `n8n-nodes-base` is installed: the e2e tier's n8n host, found as `scripts/e2e/host.js` finds it
 * (`${CRM_E2E_CACHE:-~/.cache/n8n-nodes-crm-connectors}/n8n-${CRM_E2E_N8N_VERSION:-<n8n-core's version>}`), once its
 * `.complete` marker says the install is whole; else an error saying how to get it.
 */
export function baseNodesHome(): string {
	const version =
		process.env.CRM_E2E_N8N_VERSION || versionOf(require.resolve('n8n-core/package.json'));
	const cache =
		process.env.CRM_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-crm-connectors');
	const home = path.join(cache, `n8n-${version}`);
	const pkg = path.join(home, 'node_modules', 'n8n-nodes-base', 'package.json');
	if (!existsSync(path.join(home, '.complete')) || !existsSync(pkg)) {
		throw new Error(
			`n8n's built-in nodes are not installed at ${home} (no n8n-nodes-base, or no .complete marker: the install has not finished). ` +
				'Run `npm run test:e2e` once: it installs n8n into that cache (CRM_E2E_CACHE and CRM_E2E_N8N_VERSION choose another).',
		);
	}
	return home;
}

let redirected = false;

/** Makes `require('n8n-workflow')` inside `baseDir` return the engine's own copy (same minor version, checked). */
function shareWorkflowPackage(baseDir: string): void {
	if (redirected) return;
	const ours = require.resolve('n8n-workflow');
	const theirsPkg = createRequire(path.join(baseDir, 'package.json')).resolve(
		'n8n-workflow/package.json',
	);
	const minor = (v: string) => v.split('.').slice(0, 2).join('.');
	const oursVersion = versionOf(require.resolve('n8n-workflow/package.json'));
	if (minor(versionOf(theirsPkg)) !== minor(oursVersion)) {
		throw new Error(
			`n8n-nodes-base at ${baseDir} was built against n8n-workflow ${versionOf(theirsPkg)}, the engine here runs ${oursVersion}: install the matching n8n`,
		);
	}
	const internal = Module as unknown as {
		_resolveFilename: (
			request: string,
			parent: { filename?: string } | undefined,
			...rest: unknown[]
		) => string;
	};
	const original = internal._resolveFilename;
	internal._resolveFilename = function (request, parent, ...rest) {
		if (request === 'n8n-workflow' && parent?.filename?.startsWith(baseDir)) return ours;
		return original.call(this, request, parent, ...rest);
	};
	redirected = true;
}

/** Loads the built-in nodes and credential types into the engine's registry (once). */
export async function loadBaseNodes(): Promise<void> {
	const { nodeTypes } = await loadPackage();
	if (Object.keys(NODES).every((name) => nodeTypes.getKnownTypes()[name])) return;
	const baseDir = path.join(baseNodesHome(), 'node_modules', 'n8n-nodes-base');
	shareWorkflowPackage(baseDir);
	const requireBase = createRequire(path.join(baseDir, 'package.json'));
	const construct = <T>(file: string): T => {
		const exported = requireBase(path.join(baseDir, 'dist', file)) as Record<string, new () => T>;
		const [Class] = Object.values(exported).filter((v) => typeof v === 'function');
		return new Class();
	};
	for (const [name, file] of Object.entries(NODES))
		nodeTypes.add(name, construct<INodeType | IVersionedNodeType>(file));
	for (const [name, file] of Object.entries(CREDENTIALS))
		nodeTypes.credentialTypes[name] = construct<ICredentialType>(file);
}

interface AxiosLike {
	interceptors: {
		request: {
			use: (f: (config: { url?: string; baseURL?: string }) => unknown) => number;
			eject: (id: number) => void;
		};
	};
}

/**
 * Sends requests n8n's request helpers make to `from` (an origin, e.g. `https://api.hubapi.com`) to `to` instead.
 * Returns the function that stops it.
 */
export function routeHost(from: string, to: string): () => void {
	// The axios n8n-core's request helpers call (through @n8n/backend-network), not necessarily the top-level one.
	const requireCore = createRequire(require.resolve('n8n-core'));
	const requireNetwork = createRequire(requireCore.resolve('@n8n/backend-network'));
	const axios = requireNetwork('axios') as { default?: AxiosLike } & AxiosLike;
	const instance = axios.default ?? axios;
	const id = instance.interceptors.request.use((config) => {
		if (config.url?.startsWith(from)) config.url = to + config.url.slice(from.length);
		else if (config.baseURL?.startsWith(from))
			config.baseURL = to + config.baseURL.slice(from.length);
		return config;
	});
	return () => instance.interceptors.request.eject(id);
}
