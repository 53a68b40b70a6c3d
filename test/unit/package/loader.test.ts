/**
 * The built package as n8n sees it: n8n-core's own `PackageDirectoryLoader` (what n8n runs when it loads a
 * community package) must load every node and credential package.json declares, and what it loads must be
 * fit for n8n: icons in `dist/`, nodes usable by AI agents, credential names that do not shadow n8n's own.
 * Needs `dist/` (npm test builds first).
 */
import '../../helpers/env';

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';
import type { INodeType, INodeTypeDescription, IVersionedNodeType } from 'n8n-workflow';

import { assertBuilt, PACKAGE_ROOT } from '../../helpers/engine';

interface PackageJson {
	name: string;
	n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
}

const packageJson = JSON.parse(
	readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'),
) as PackageJson;
const builtins = JSON.parse(
	readFileSync(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'n8n-builtin-credentials.json'), 'utf8'),
) as { version: string; credentials: string[] };

/** Every description of a node: one per version for versioned nodes. */
function descriptionsOf(type: INodeType | IVersionedNodeType): INodeTypeDescription[] {
	return 'nodeVersions' in type
		? Object.values(type.nodeVersions).map((v) => v.description)
		: [type.description];
}

/**
 * The files n8n will serve as icons. The loader rewrites `icon: 'file:x.svg'` into
 * `iconUrl: 'icons/<package>/<path inside the package>'` (light/dark: one each), resolved against the package.
 */
function iconFiles(
	description: { icon?: unknown; iconUrl?: unknown },
	packageName: string,
): string[] {
	const urls =
		typeof description.iconUrl === 'object' && description.iconUrl !== null
			? Object.values(description.iconUrl)
			: [description.iconUrl];
	const prefix = `icons/${packageName}/`;
	return urls
		.filter((url): url is string => typeof url === 'string' && url.startsWith(prefix))
		.map((url) => path.join(PACKAGE_ROOT, url.slice(prefix.length)));
}

describe('package loaded by n8n-core PackageDirectoryLoader', () => {
	let loader: PackageDirectoryLoader;

	beforeAll(async () => {
		assertBuilt();
		loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll(); // throws on any file that does not load or whose description n8n rejects
	});

	it('declares a package n8n will install', () => {
		expect(packageJson.name).toMatch(/^(@[^/]+\/)?n8n-nodes-/);
		expect(packageJson.n8n.n8nNodesApiVersion).toBe(1);
		expect(loader.packageName).toBe(packageJson.name);
	});

	it('loads exactly the nodes package.json declares, each from its declared file', () => {
		const declared = packageJson.n8n.nodes;
		expect(declared.length).toBeGreaterThan(0);
		expect(Object.keys(loader.nodeTypes)).toHaveLength(declared.length);
		const loadedFrom = Object.values(loader.nodeTypes).map(({ sourcePath }) =>
			path.resolve(PACKAGE_ROOT, sourcePath),
		);
		for (const file of declared) {
			expect(loadedFrom).toContain(path.resolve(PACKAGE_ROOT, file));
		}
	});

	it('loads exactly the credentials package.json declares, each from its declared file', () => {
		const declared = packageJson.n8n.credentials;
		expect(Object.keys(loader.credentialTypes)).toHaveLength(declared.length);
		const loadedFrom = Object.values(loader.credentialTypes).map(({ sourcePath }) =>
			path.resolve(PACKAGE_ROOT, sourcePath),
		);
		for (const file of declared) {
			expect(loadedFrom).toContain(path.resolve(PACKAGE_ROOT, file));
		}
	});

	it('loads the Conflict Resolver (versioned) with its Resolved and Review outputs', () => {
		const type = loader.nodeTypes.conflictResolver?.type as IVersionedNodeType | undefined;
		expect(type).toBeDefined();
		expect((type as IVersionedNodeType).description.displayName).toBe('Conflict Resolver');
		const v1 = (type as IVersionedNodeType).nodeVersions[1] as INodeType;
		expect(v1.description.outputNames).toEqual(['Resolved', 'Review']);
		expect(v1.description.usableAsTool).toBe(true);
	});

	it('loads the CRM Sync with its three named outputs, each credential type once, and its PostgreSQL credential tested by the node', () => {
		const type = loader.nodeTypes.crmSync?.type as IVersionedNodeType | undefined;
		expect(type).toBeDefined();
		const v1 = (type as IVersionedNodeType).nodeVersions[1] as INodeType;
		expect(v1.description.outputNames).toEqual(['Report', 'Conflicts', 'Failed']);
		expect(v1.description.usableAsTool).toBe(true);
		const names = (v1.description.credentials ?? []).map((c) => c.name);
		expect(new Set(names).size).toBe(names.length);
		expect(names).toEqual(
			expect.arrayContaining([
				'crmSalesforceOAuth2Api',
				'crmHubSpotPrivateAppApi',
				'crmSyncPostgresApi',
			]),
		);
		const pg = v1.description.credentials?.find((c) => c.name === 'crmSyncPostgresApi');
		expect(pg?.testedBy).toBe('crmSyncPostgresTest');
		expect(typeof v1.methods?.credentialTest?.crmSyncPostgresTest).toBe('function');
		expect(Object.keys(loader.credentialTypes)).toContain('crmSyncPostgresApi');
	});

	it('loads the sync building blocks: Sync Plan (A/B inputs, eight outputs, no Dry Run) and Sync State', () => {
		const v1 = (name: string) =>
			(loader.nodeTypes[name]?.type as IVersionedNodeType).nodeVersions[1] as INodeType;
		const plan = v1('syncPlan').description;
		expect((plan.inputs as Array<{ displayName: string }>).map((i) => i.displayName)).toEqual([
			'A Records',
			'B Records',
		]);
		expect(plan.outputNames).toEqual([
			'Create in A',
			'Update in A',
			'Delete in A',
			'Create in B',
			'Update in B',
			'Delete in B',
			'Conflicts',
			'Unchanged',
		]);
		const params = plan.properties.map((p) => p.name);
		expect(params).toEqual(expect.arrayContaining(['syncId', 'fieldMappings', 'stateStore']));
		expect(params).not.toContain('dryRun');
		expect(plan.properties.find((p) => p.name === 'syncId')?.default).toBe('={{ $workflow.id }}');
		const state = v1('syncState').description;
		expect(state.outputNames).toEqual(['Done', 'Failed']);
		expect(state.properties.find((p) => p.name === 'operation')?.default).toBe('read');
		expect(state.properties.filter((p) => p.name === 'syncId').map((p) => p.default)).toEqual([
			'={{ $workflow.id }}',
			'={{ $json.syncId }}',
		]);
	});

	it('makes every non-trigger node usable as an AI tool', () => {
		for (const [name, { type }] of Object.entries(loader.nodeTypes)) {
			for (const description of descriptionsOf(type)) {
				const isTrigger = description.group.includes('trigger') || description.polling === true;
				if (!isTrigger) {
					expect({
						node: name,
						version: description.version,
						usableAsTool: description.usableAsTool,
					}).toEqual({
						node: name,
						version: description.version,
						usableAsTool: true,
					});
				}
			}
		}
	});

	it('ships every node and credential icon in dist/', () => {
		const problems: string[] = [];
		const check = (owner: string, description: { icon?: unknown; iconUrl?: unknown }) => {
			const files = iconFiles(description, loader.packageName);
			if (files.length === 0) problems.push(`${owner}: no file icon (icon: 'file:….svg')`);
			for (const file of files) {
				if (!existsSync(file))
					problems.push(`${owner}: ${path.relative(PACKAGE_ROOT, file)} is missing`);
			}
		};
		for (const [name, { type }] of Object.entries(loader.nodeTypes)) {
			check(`node ${name}`, type.description);
			if ('nodeVersions' in type) {
				for (const description of descriptionsOf(type))
					check(`node ${name} v${String(description.version)}`, description);
			}
		}
		for (const [name, { type }] of Object.entries(loader.credentialTypes)) {
			check(`credential ${name}`, type as { icon?: unknown; iconUrl?: unknown });
		}
		expect(problems).toEqual([]);
	});

	it('gives every node a codex (categories and a documentation link)', () => {
		// n8n reads `<node file>on`, i.e. `X.node.json` next to `X.node.js`: the build must copy it to dist/.
		const missingCodex = packageJson.n8n.nodes
			.map((file) => `${file}on`)
			.filter((file) => !existsSync(path.join(PACKAGE_ROOT, file)));
		expect({ missingCodexFiles: missingCodex }).toEqual({ missingCodexFiles: [] });
		for (const [name, { type }] of Object.entries(loader.nodeTypes)) {
			const codex = (type.description as INodeTypeDescription & { codex?: Record<string, unknown> })
				.codex;
			expect({ node: name, categories: Array.isArray(codex?.categories) }).toEqual({
				node: name,
				categories: true,
			});
			const docs = (
				codex?.resources as { primaryDocumentation?: Array<{ url: string }> } | undefined
			)?.primaryDocumentation;
			expect({ node: name, docs: docs?.[0]?.url }).toEqual({
				node: name,
				docs: expect.stringMatching(/^https:\/\//),
			});
		}
	});

	it('uses no credential type name that n8n itself ships', () => {
		const taken = new Set(builtins.credentials);
		const clashes = Object.keys(loader.credentialTypes).filter((name) => taken.has(name));
		expect(clashes).toEqual([]);
		for (const { type } of Object.values(loader.credentialTypes)) {
			expect(type.name).toMatch(/^crm/); // our prefix keeps clear of future n8n names too
		}
	});
});

describe('fixture of n8n built-in credential names', () => {
	it('is the real list (so the clash check above is not vacuous)', () => {
		expect(builtins.version).toMatch(/^2\.41\./);
		expect(builtins.credentials.length).toBeGreaterThan(300);
		expect(builtins.credentials).toEqual(
			expect.arrayContaining([
				'salesforceOAuth2Api',
				'salesforceJwtApi',
				'hubspotApi',
				'hubspotAppToken',
				'hubspotOAuth2Api',
				'microsoftDynamicsOAuth2Api',
				'httpHeaderAuth',
				'oAuth2Api',
			]),
		);
	});
});
