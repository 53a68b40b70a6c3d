/**
 * The CRM Sync benchmark's plumbing: the simulators' child process (`simHost.ts`) driven over IPC, and the
 * workflow Manual Trigger → CRM Sync with credentials pointing at the child's simulators (parameter shapes as in
 * test/workflows/sync).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';

import type { DynamicsSimContract } from '../sandbox/dynamics';
import type { HubSpotContract } from '../sandbox';
import type { SalesforceSimContract } from '../sandbox/salesforce';
import { nodeTypeName, type WorkflowJson } from '../test/helpers/engine';
import { FIELD_NAMES, HUBSPOT_LIMITS, type SimSide } from './simPeople';

export const SYNC = 'CRM Sync';

export interface Contracts {
	sf: SalesforceSimContract;
	hs: HubSpotContract;
	dv: DynamicsSimContract;
}

/** What one simulator answered since the last `resetStats`. */
export interface SimStats {
	calls: number;
	writes: number;
	http429: number;
	innerOperations: number;
	byKind: Record<string, number>;
	peakPerWindow: number;
	windowMs: number;
}
export type HostStats = { sf: SimStats; hs: SimStats; dv: SimStats; childRssMb: number };
export type SideCounts = Record<string, { records: number; lost: number; duplicates: number }>;

/** The simulators' child process. `stop()` ends it; `kill()` when something failed (also on the bench's exit). */
export class SimHost {
	private readonly child: ChildProcess;
	private next = 1;
	private readonly pending = new Map<
		number,
		{ resolve: (v: unknown) => void; reject: (e: Error) => void }
	>();
	private readonly onExit = () => this.kill();
	private readonly exited: Promise<void>;

	constructor() {
		this.child = fork(join(__dirname, 'simHost.js'), [], {
			execPath: process.execPath,
			// A heap limit given to the bench process (`node --max-old-space-size=N`) is the measured process's
			// alone: the simulators hold every record of both sides.
			execArgv: process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')),
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		this.child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
			const p = this.pending.get(m.id);
			this.pending.delete(m.id);
			if (m.ok) p?.resolve(m.result);
			else p?.reject(new Error(`simulator host: ${m.error}`));
		});
		this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
		this.child.on('exit', (code) => {
			for (const p of this.pending.values()) p.reject(new Error(`simulator host exited (${code})`));
			this.pending.clear();
		});
		process.once('exit', this.onExit);
	}

	request<T>(cmd: string, args: IDataObject = {}): Promise<T> {
		const id = this.next++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
			try {
				this.child.send({ id, cmd, ...args });
			} catch (error) {
				this.pending.delete(id);
				reject(error as Error);
			}
		});
	}

	start = () => this.request<Contracts>('start');
	seed = (side: SimSide, from: number, to: number) =>
		this.request<number>('seed', { side, from, to });
	edit = (side: SimSide, percent: number, field: string, value: string) =>
		this.request<number>('edit', { side, percent, field, value });
	/** Moves the simulators' clock past the change feeds' safety lags (Salesforce 60 s, HubSpot 30 s). */
	pastLags = () => this.request('advance', { ms: 10 * 60_000 });
	counts = (sides: SimSide[], from: number, to: number) =>
		this.request<SideCounts>('counts', { sides, from, to });
	stats = () => this.request<HostStats>('stats');
	resetStats = () => this.request('resetStats');

	/** Stops the simulators and waits for the child to exit (killed after 10 s). */
	async stop(): Promise<void> {
		if (this.child.connected) void this.request('stop').catch(() => undefined);
		const timer = setTimeout(() => this.kill(), 10_000);
		await this.exited;
		clearTimeout(timer);
		process.removeListener('exit', this.onExit);
	}

	kill(): void {
		if (this.child.exitCode === null) this.child.kill('SIGKILL');
		process.removeListener('exit', this.onExit);
	}
}

/** The node's system and object of a simulator side. */
const SYSTEM: Record<SimSide, { system: string; object: string }> = {
	sf: { system: 'salesforce', object: 'Contact' },
	sfLead: { system: 'salesforce', object: 'Lead' },
	hs: { system: 'hubspot', object: 'contacts' },
	dv: { system: 'dynamics', object: 'contacts' },
};

const CREDENTIAL_TYPE: Record<string, string> = {
	salesforce: 'crmSalesforcePasswordApi',
	hubspot: 'crmHubSpotPrivateAppApi',
	dynamics: 'crmDynamicsClientCredentialsApi',
};

/** Manual Trigger → CRM Sync between two sides, by e-mail, every common field mapped, state in `sqliteFile`. */
export function syncWorkflow(
	a: SimSide,
	b: SimSide,
	direction: 'both' | 'aToB' | 'bToA',
	sqliteFile: string,
): WorkflowJson {
	const mappings = Object.keys(FIELD_NAMES.hs)
		.map((k) => ({
			fieldA: FIELD_NAMES[a][k as keyof (typeof FIELD_NAMES)['hs']],
			fieldB: FIELD_NAMES[b][k as keyof (typeof FIELD_NAMES)['hs']],
		}))
		.filter((m) => m.fieldA !== '' && m.fieldB !== '');
	const systems = new Set([SYSTEM[a].system, SYSTEM[b].system]);
	const node: INode = {
		id: 'crm-sync-bench-node',
		name: SYNC,
		type: nodeTypeName('crmSync'),
		typeVersion: 1,
		position: [300, 0],
		parameters: {
			systemA: SYSTEM[a].system,
			systemB: SYSTEM[b].system,
			salesforceAuthentication: 'password',
			hubspotAuthentication: 'privateApp',
			dynamicsAuthentication: 'clientCredentials',
			objectA: SYSTEM[a].object,
			objectB: SYSTEM[b].object,
			direction,
			matchKeys: {
				keys: [{ fieldA: mappings[0].fieldA, fieldB: mappings[0].fieldB, normalize: 'email' }],
			},
			fieldMappings: { mappings },
			conflictStrategy: 'aWins',
			customRules: { rules: [] },
			deletes: 'ignore',
			stateStore: 'sqlite',
			sqliteFile,
		},
		credentials: Object.fromEntries(
			[...systems].map((s) => [CREDENTIAL_TYPE[s], { id: s, name: `${s} simulator` }]),
		),
	};
	return {
		id: 'crm-sync-bench',
		nodes: [
			{
				id: 'trigger',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			node,
		],
		connections: { Start: { main: [[{ node: SYNC, type: 'main', index: 0 }]] } },
	};
}

/** Credential data pointing at the child's simulators (HubSpot's budget at the simulator's 190 / 10 s). */
export function credentials(c: Contracts): Record<string, ICredentialDataDecryptedObject> {
	return {
		crmSalesforcePasswordApi: {
			environment: 'custom',
			customLoginUrl: c.sf.loginUrl,
			clientId: c.sf.clientId,
			clientSecret: c.sf.clientSecret,
			username: c.sf.username,
			password: c.sf.password,
			securityToken: '',
			accessToken: '',
			instanceUrl: '',
		},
		crmHubSpotPrivateAppApi: {
			accessToken: c.hs.accessToken,
			baseUrl: c.hs.baseUrl,
			requestsPer10Seconds: HUBSPOT_LIMITS.tenSecondly,
		},
		crmDynamicsClientCredentialsApi: {
			environmentUrl: c.dv.serverUrl,
			tenantId: c.dv.tenantId,
			clientId: c.dv.clientId,
			clientSecret: c.dv.clientSecret,
			tokenUrl: c.dv.tokenUrl,
		},
	};
}
