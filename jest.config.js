/** Tests run on the TypeScript sources (transpiled by swc); workflow tests load the built `dist/`
 * through n8n's own loader, which is why `npm test` builds first (see `pretest`). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
	},
	testTimeout: 60000,
	maxWorkers: 2,
	setupFiles: ['<rootDir>/test/helpers/env.ts'],
};
