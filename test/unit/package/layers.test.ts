/**
 * The layer rules of DESIGN.md, checked on the sources: imports point down only.
 * - core/ never imports nodes/, credentials/, sandbox/ or an n8n package;
 * - sandbox/ never imports core/ (a simulator sharing the client's code cannot catch the client's mistakes);
 * - only nodes/ and credentials/ (and tests) import n8n-workflow;
 * - one connector never imports another (core/connectors/salesforce ↛ core/connectors/hubspot and back; what they
 *   share is core/connectors/contract.ts and the generic core), and the generic core imports no connector;
 * - one node never imports another node's version folder (nodes/SalesforceTrigger ↛ nodes/Salesforce/v1): what two
 *   nodes share lives in nodes/shared/, which imports no node folder;
 * - core/http names no vendor, not even in a comment: what one API says differently (error bodies, rate-limit
 *   headers) is its connector's dialect (core/http/dialect.ts), passed in as a hook.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
	const abs = path.join(ROOT, dir);
	const out: string[] = [];
	for (const name of readdirSync(abs)) {
		const full = path.join(abs, name);
		if (statSync(full).isDirectory()) out.push(...sources(path.join(dir, name)));
		else if (name.endsWith('.ts')) out.push(path.join(dir, name));
	}
	return out;
}

/** Every module specifier imported or required by a file, resolved to a repo-relative path for relative ones. */
function importsOf(file: string): string[] {
	const text = readFileSync(path.join(ROOT, file), 'utf8');
	const specs = [
		...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm),
	].map((m) => m[1]);
	return specs.map((s) =>
		s.startsWith('.')
			? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), s))
			: s,
	);
}

function violations(dir: string, forbidden: (spec: string) => boolean): string[] {
	return sources(dir).flatMap((file) =>
		importsOf(file)
			.filter(forbidden)
			.map((spec) => `${file} imports ${spec}`),
	);
}

/** Sub-directories of a repo directory. */
function dirsOf(dir: string): string[] {
	return readdirSync(path.join(ROOT, dir)).filter((name) =>
		statSync(path.join(ROOT, dir, name)).isDirectory(),
	);
}

/** `core/connectors/<name>` when `spec` is inside a connector's folder. */
const connectorOf = (spec: string): string | undefined =>
	/^core\/connectors\/([^/]+)\//.exec(spec)?.[1];
/** `[node, version]` when `spec` is inside a node's version folder (`nodes/<Node>/v<n>/…`). */
const nodeVersionOf = (spec: string): [string, string] | undefined => {
	const m = /^nodes\/([^/]+)\/(v\d+)(?:\/|$)/.exec(spec);
	return m ? [m[1], m[2]] : undefined;
};

/** Vendor names, their header prefixes and protocols that core/http must not mention (code or comments). */
const VENDOR =
	/salesforce|sforce|soql|hubspot|dataverse|dynamics|odata|microsoft|azure|x-ms-|\bxrm\b/i;

/** `file:line: text` of every source line under `dir` that names a vendor. */
function vendorMentions(dir: string): string[] {
	return sources(dir).flatMap((file) =>
		readFileSync(path.join(ROOT, file), 'utf8')
			.split('\n')
			.flatMap((line, i) => (VENDOR.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
	);
}

const isN8n = (s: string) =>
	s === 'n8n-workflow' || s === 'n8n-core' || s.startsWith('n8n-') || s.startsWith('@n8n/');
const under = (s: string, top: string) => s === top || s.startsWith(`${top}/`);

describe('layer rules', () => {
	it('finds the sources it checks', () => {
		expect(sources('core').length).toBeGreaterThan(20);
		expect(sources('sandbox').length).toBeGreaterThan(10);
		expect(importsOf('core/http/client.ts').length).toBeGreaterThan(3);
	});

	it('core/ imports neither n8n nor nodes/, credentials/ or sandbox/', () => {
		expect(
			violations(
				'core',
				(s) => isN8n(s) || under(s, 'nodes') || under(s, 'credentials') || under(s, 'sandbox'),
			),
		).toEqual([]);
	});

	it('sandbox/ imports neither core/ nor n8n', () => {
		expect(violations('sandbox', (s) => isN8n(s) || under(s, 'core') || under(s, 'nodes'))).toEqual(
			[],
		);
	});

	it('nodes/ and credentials/ reach the sandbox only in tests', () => {
		const dirs = ['nodes', 'credentials'].filter((d) => {
			try {
				return statSync(path.join(ROOT, d)).isDirectory();
			} catch {
				return false;
			}
		});
		expect(
			dirs.flatMap((d) => violations(d, (s) => under(s, 'sandbox') || under(s, 'test'))),
		).toEqual([]);
	});

	it('a connector imports no other connector, and the generic core none at all (core/connectors/contract.ts is shared)', () => {
		const connectors = dirsOf('core/connectors');
		expect(connectors).toEqual(expect.arrayContaining(['salesforce', 'hubspot']));
		// The rule can fail: a Salesforce file importing HubSpot's connector is caught.
		expect(connectorOf('core/connectors/hubspot/connector')).toBe('hubspot');
		expect(connectorOf('core/connectors/contract')).toBeUndefined();
		const crossed = connectors.flatMap((name) =>
			violations(
				`core/connectors/${name}`,
				(s) => connectorOf(s) !== undefined && connectorOf(s) !== name,
			),
		);
		expect(crossed).toEqual([]);
		const generic = dirsOf('core').filter((d) => d !== 'connectors');
		expect(generic.length).toBeGreaterThanOrEqual(4);
		expect(
			generic.flatMap((d) => violations(`core/${d}`, (s) => connectorOf(s) !== undefined)),
		).toEqual([]);
	});

	it("a node imports no other node's version folder; nodes/shared imports no node folder", () => {
		const nodes = dirsOf('nodes').filter((d) => d !== 'shared');
		expect(nodes).toEqual(
			expect.arrayContaining(['Salesforce', 'SalesforceTrigger', 'HubSpot', 'HubSpotTrigger']),
		);
		expect(nodeVersionOf('nodes/Salesforce/v1/transport')).toEqual(['Salesforce', 'v1']);
		expect(nodeVersionOf('nodes/shared/salesforce/transport')).toBeUndefined();
		const crossed = nodes.flatMap((name) =>
			violations(
				`nodes/${name}`,
				(s) => nodeVersionOf(s) !== undefined && nodeVersionOf(s)?.[0] !== name,
			),
		);
		expect(crossed).toEqual([]);
		expect(
			violations('nodes/shared', (s) => under(s, 'nodes') && !under(s, 'nodes/shared')),
		).toEqual([]);
	});

	it("core/http names no vendor: error bodies and rate-limit headers are the connectors' dialects", () => {
		// The rule can fail: the connectors' dialects, which hold that knowledge now, are caught by it.
		for (const name of ['salesforce', 'hubspot', 'dynamics'])
			expect(vendorMentions(`core/connectors/${name}`).length).toBeGreaterThan(0);
		expect(VENDOR.test("getHeader(headers, 'X-HubSpot-RateLimit-Remaining')")).toBe(true);
		expect(VENDOR.test("getHeader(headers, 'Sforce-Limit-Info')")).toBe(true);
		expect(VENDOR.test("getHeader(headers, 'x-ms-ratelimit-burst-remaining-xrm-requests')")).toBe(
			true,
		);
		expect(VENDOR.test("getHeader(headers, 'x-ratelimit-remaining')")).toBe(false);
		expect(sources('core/http').length).toBeGreaterThan(8);
		expect(vendorMentions('core/http')).toEqual([]);
	});
});
