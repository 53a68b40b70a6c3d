import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { transformFileSync } from '@swc/core';
import {
	PORT_OFFSETS,
	RestSimulator,
	registeredSimulators,
	startSandboxes,
	type SandboxKey,
} from '../../sandbox';
import { runCli } from '../../sandbox/cli';
import { parseSandboxEnv } from '../../sandbox/env';
import { client } from './helpers';

const ROOT = join(__dirname, '..', '..');

describe('startSandboxes', () => {
	it('starts every registered simulator and returns the contract', async () => {
		expect(registeredSimulators()).toEqual(expect.arrayContaining(['rest', 'hubspot']));
		const running = await startSandboxes({ seed: 3 });
		try {
			const rest = running.contract.rest!;
			expect(Object.keys(running.contract)).toEqual(registeredSimulators());
			expect(rest.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
			const res = await client(rest.baseUrl, { 'X-API-Key': rest.apiKey }).get('/contacts?limit=5');
			expect(res.status).toBe(200);
			expect(res.data.data).toHaveLength(5);
			expect(running.instances.rest).toBeInstanceOf(RestSimulator);
			const hubspot = running.contract.hubspot!;
			const contacts = await client(hubspot.baseUrl, {
				Authorization: `Bearer ${hubspot.accessToken}`,
			}).get('/crm/v3/objects/contacts?limit=3');
			expect(contacts.status).toBe(200);
			expect(contacts.data.results).toHaveLength(3);
		} finally {
			await running.stop();
		}
	});

	it('uses fixed ports from a base and rejects a bad base', async () => {
		await expect(startSandboxes({ portBase: 70000 })).rejects.toThrow(RangeError);
		await expect(startSandboxes({ only: ['nope' as SandboxKey] })).rejects.toThrow(
			/No simulator registered for "nope"/,
		);
		// A base below Linux's ephemeral range (32768–60999), where parallel tests' own connections take ports: a base
		// found free by probing one port there once collided with another test's socket on one of the other offsets.
		// Another program may still hold a port: a few bases are tried.
		let running: Awaited<ReturnType<typeof startSandboxes>> | undefined;
		let base = 0;
		for (let attempt = 0; attempt < 5 && !running; attempt++) {
			base = 20_000 + 100 * Math.floor(Math.random() * 100);
			running = await startSandboxes({ portBase: base }).catch((error: NodeJS.ErrnoException) => {
				if (error.code !== 'EADDRINUSE') throw error;
				return undefined;
			});
		}
		if (!running) throw new Error('no free port base in five attempts');
		try {
			expect(running.contract.rest!.baseUrl).toBe(
				`http://127.0.0.1:${base + PORT_OFFSETS.rest}/api`,
			);
		} finally {
			await running.stop();
		}
	});
});

describe('sandbox env', () => {
	it('parses ports, seeds and latency (fixed or range) and rejects nonsense', () => {
		expect(parseSandboxEnv({})).toEqual({ portBase: 0, seed: 1 });
		expect(
			parseSandboxEnv({ SANDBOX_PORT_BASE: '4000', SANDBOX_SEED: '9', SANDBOX_LATENCY_MS: '50' }),
		).toEqual({ portBase: 4000, seed: 9, latency: 50 });
		expect(parseSandboxEnv({ SANDBOX_LATENCY_MS: '20-80' }).latency).toEqual({
			minMs: 20,
			maxMs: 80,
		});
		expect(() => parseSandboxEnv({ SANDBOX_PORT_BASE: 'abc' })).toThrow(/SANDBOX_PORT_BASE/);
		expect(() => parseSandboxEnv({ SANDBOX_PORT_BASE: '70000' })).toThrow(/between/);
		expect(() => parseSandboxEnv({ SANDBOX_LATENCY_MS: '80-20' })).toThrow(/range/);
	});
});

describe('CLI', () => {
	it('runCli prints exactly one JSON line with the contract to stdout', async () => {
		const out: string[] = [];
		const err: string[] = [];
		const running = await runCli({
			env: { SANDBOX_SEED: '2' },
			stdout: (t) => out.push(t),
			stderr: (t) => err.push(t),
		});
		try {
			expect(out).toHaveLength(1);
			expect(out[0].endsWith('\n')).toBe(true);
			expect(out[0].trim().split('\n')).toHaveLength(1);
			const contract = JSON.parse(out[0]);
			expect(Object.keys(contract)).toEqual(registeredSimulators());
			expect(contract.rest).toEqual({
				baseUrl: expect.any(String),
				apiKey: expect.any(String),
				tokenUrl: expect.any(String),
				clientId: expect.any(String),
				clientSecret: expect.any(String),
				bearerToken: expect.any(String),
				username: expect.any(String),
				password: expect.any(String),
			});
			expect(contract.hubspot).toMatchObject({
				baseUrl: expect.any(String),
				accessToken: expect.stringMatching(/^pat-na1-/),
				portalId: expect.any(String),
				clientId: expect.any(String),
				clientSecret: expect.any(String),
			});
			expect(err.join('')).toContain('rest ready');
		} finally {
			await running.stop();
		}
	});

	it('the compiled CLI prints one JSON line, serves, and exits 0 on SIGTERM', async () => {
		// compile sandbox/**/*.ts with swc into a temp dir (the real build runs tsc; this keeps the test independent of it)
		const outDir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
		let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
		try {
			const walkDir = (dir: string): string[] =>
				readdirSync(dir).flatMap((name) => {
					const p = join(dir, name);
					return statSync(p).isDirectory() ? walkDir(p) : p.endsWith('.ts') ? [p] : [];
				});
			for (const file of walkDir(join(ROOT, 'sandbox'))) {
				const { code } = transformFileSync(file, {
					jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
					module: { type: 'commonjs' },
				});
				const target = join(outDir, relative(ROOT, file)).replace(/\.ts$/, '.js');
				mkdirSync(dirname(target), { recursive: true });
				writeFileSync(target, code);
			}
			child = spawn(process.execPath, [join(outDir, 'sandbox', 'cli.js')], {
				env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), SANDBOX_SEED: '5' },
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let stdout = '';
			let stderr = '';
			const proc = child;
			proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
			const firstLine = await new Promise<string>((resolve, reject) => {
				proc.stdout.on('data', (d: Buffer) => {
					stdout += d.toString();
					if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
				});
				proc.once('exit', (code) => reject(new Error(`CLI exited early (${code}): ${stderr}`)));
			});
			const contract = JSON.parse(firstLine);
			const res = await client(contract.rest.baseUrl, { 'X-API-Key': contract.rest.apiKey }).get(
				'/contacts?limit=1',
			);
			expect(res.status).toBe(200);
			const exit = new Promise<number | null>((resolve) =>
				proc.once('exit', (code) => resolve(code)),
			);
			proc.kill('SIGTERM');
			expect(await exit).toBe(0);
			expect(stdout).toBe(firstLine + '\n');
			expect(stderr).toContain('SIGTERM');
		} finally {
			if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			rmSync(outDir, { recursive: true, force: true });
		}
	});
});
