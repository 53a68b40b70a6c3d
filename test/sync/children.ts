/**
 * Child processes of the multi-process tests: core/ and the child scripts compiled with swc into a temp folder,
 * run by this test's Node (`process.execPath`), talking in JSON lines (stdout) and words (stdin).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { transformFileSync } from '@swc/core';

const ROOT = join(__dirname, '..', '..');

/** All of core/ (whatever the store index pulls in). */
const walk = (dir: string): string[] =>
	readdirSync(join(ROOT, dir)).flatMap((name) => {
		const p = join(dir, name);
		return statSync(join(ROOT, p)).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
	});

/** Compiles core/ and `scripts` (paths from the project root); returns the folder, to give to `child` and `rmSync`. */
export function compileChildren(scripts: string[]): string {
	const outDir = mkdtempSync(join(tmpdir(), 'crm-sync-children-'));
	for (const file of [...walk('core'), ...scripts]) {
		const { code } = transformFileSync(join(ROOT, file), {
			jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
			module: { type: 'commonjs' },
		});
		const target = join(outDir, file).replace(/\.ts$/, '.js');
		mkdirSync(dirname(target), { recursive: true });
		writeFileSync(target, code);
	}
	return outDir;
}

export function removeChildren(outDir: string | undefined): void {
	if (outDir) rmSync(outDir, { recursive: true, force: true });
}

export interface Child {
	proc: ChildProcessWithoutNullStreams;
	exited: Promise<number | null>;
	send(word: string): void;
	/** The next JSON line (rejects when the child exits first). */
	next(): Promise<unknown>;
}

/** Starts `script` (a path from the project root, compiled into `outDir`) with `config` as its argument. */
export function child(outDir: string, script: string, config: object): Child {
	const proc: ChildProcessWithoutNullStreams = spawn(
		process.execPath,
		[join(outDir, script.replace(/\.ts$/, '.js')), JSON.stringify(config)],
		{ env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } },
	);
	let stdout = '';
	let stderr = '';
	const waiting: Array<(line: unknown) => void> = [];
	const lines: unknown[] = [];
	proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
	proc.stdout.on('data', (d: Buffer) => {
		stdout += d.toString();
		let nl;
		while ((nl = stdout.indexOf('\n')) >= 0) {
			const line = JSON.parse(stdout.slice(0, nl));
			stdout = stdout.slice(nl + 1);
			const w = waiting.shift();
			if (w) w(line);
			else lines.push(line);
		}
	});
	const exited = new Promise<number | null>((resolve) =>
		proc.once('exit', (code) => resolve(code)),
	);
	return {
		proc,
		exited,
		send: (word: string) => proc.stdin.write(`${word}\n`),
		next: () =>
			lines.length > 0
				? Promise.resolve(lines.shift())
				: Promise.race([
						new Promise<unknown>((resolve) => waiting.push(resolve)),
						exited.then((code) => {
							throw new Error(`child exited (${code}) before answering: ${stderr}`);
						}),
					]),
	};
}
