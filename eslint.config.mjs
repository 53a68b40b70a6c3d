// n8n's own lint setup for community nodes (@n8n/node-cli): eslint-plugin-n8n-nodes-base's community,
// credentials and nodes rule sets plus @n8n/eslint-plugin-community-nodes. We use the variant for packages
// that are not submitted to n8n Cloud verification (it leaves out the Cloud-only import/global bans), because
// this package is for self-hosted n8n and ships runtime dependencies.
import js from '@eslint/js';
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

/** Node.js globals the CommonJS tools in scripts/ may use. */
const nodeGlobals = Object.fromEntries(
	[
		'require',
		'module',
		'exports',
		'__dirname',
		'__filename',
		'process',
		'console',
		'Buffer',
		'URL',
		'URLSearchParams',
		'fetch',
		'AbortController',
		'AbortSignal',
		'setTimeout',
		'clearTimeout',
		'setInterval',
		'clearInterval',
		'setImmediate',
		'structuredClone',
		'performance',
	].map((name) => [name, 'readonly']),
);

export default [
	...configWithoutCloudSupport,
	// Built output and generated or config JavaScript are not linted; the tools in scripts/ are (see below).
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'.cache/**',
			'coverage/**',
			'**/*.js',
			'**/*.mjs',
			'!scripts/**/*.js',
		],
	},
	{
		// The CommonJS tools run by CI and by hand (check:pack, the e2e run): ESLint's recommended rules for Node.
		files: ['scripts/**/*.js'],
		...js.configs.recommended,
		languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: nodeGlobals },
		rules: { ...js.configs.recommended.rules, 'no-console': 'off' },
	},
	{
		rules: {
			// Deliberately off: this package ships runtime dependencies (axios, zod, jsonwebtoken,
			// and per CRM jsforce / @hubspot/api-client) for self-hosted n8n, which installs them with the
			// package. The rule only matters for n8n Cloud verification, which forbids any dependency.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		// Rules about n8n node code that do not apply below the n8n face: core/ must not import n8n (layer
		// rule), so it throws its own CrmError, which nodes wrap in NodeApiError; simulators answer errors
		// over HTTP; tests and benchmarks use fake credentials as fixtures and spawn child processes.
		files: ['core/**/*.ts', 'sandbox/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts'],
		rules: {
			'@n8n/community-nodes/require-node-api-error': 'off',
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
		},
	},
	{
		// Tools that talk to a terminal: the sandbox CLI, the demo, benchmarks and tests print on purpose.
		files: ['sandbox/**/*.ts', 'demo/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
		rules: { 'no-console': 'off' },
	},
];
