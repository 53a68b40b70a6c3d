// n8n's own lint setup for community nodes (@n8n/node-cli): eslint-plugin-n8n-nodes-base's community,
// credentials and nodes rule sets plus @n8n/eslint-plugin-community-nodes. We use the variant for packages
// that are not submitted to n8n Cloud verification (it leaves out the Cloud-only import/global bans), because
// this package is for self-hosted n8n and ships runtime dependencies.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
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
