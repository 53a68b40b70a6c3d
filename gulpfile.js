// Copies what n8n reads next to the compiled files: node/credential icons (`icon: 'file:…'`) and node codex
// files (`<Name>.node.json`: categories and documentation links in the editor).
const { src, dest, task } = require('gulp');

task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist')),
);
