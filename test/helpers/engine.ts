/**
 * n8n's real execution engine, in-process, for workflow tests.
 *
 * `runWorkflow()` runs workflow JSON (the shape n8n exports: `nodes` with id/name/type/typeVersion/position/
 * parameters, and `connections`) through n8n-core's `WorkflowExecute`, the same class n8n's main process and
 * workers use. Our nodes come from the **built** package (`dist/`), loaded by n8n-core's own
 * `PackageDirectoryLoader` from the repository root, so exactly what package.json `n8n` declares is
 * available, under the names n8n gives them (`n8n-nodes-crm-connectors.<name>`). A few built-in nodes used
 * by fixtures (Manual Trigger, Code, No-Op, Merge) are stand-ins from `builtin-nodes.ts`.
 *
 * What n8n does and this helper therefore does too: node settings (`onError: continueErrorOutput` adds the
 * error output and moves error items there; `continueRegularOutput` keeps them on the main output; unset
 * stops the run), `pairedItem` lineage, pinned data, static data, credentials through an
 * `ICredentialsHelper` (`credentials.ts`), lifecycle hooks (`ExecutionLifecycleHooks`).
 * `runPoll()` runs one poll of a polling trigger as n8n's poller does.
 *
 * `npm test` builds first; when running jest alone after changing a node, run `npm run build`.
 */
import './env';

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
	ExecutionLifecycleHooks,
	PackageDirectoryLoader,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ExecutionBaseError,
	ICredentialType,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IPinData,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers, Workflow } from 'n8n-workflow';

import { builtinNodeTypes } from './builtin-nodes';
import {
	type CredentialFixtures,
	type CredentialUpdate,
	FixtureCredentialsHelper,
} from './credentials';

/**
 * The repository root (the package directory n8n loads): the nearest directory above this file with a
 * package.json, so it is the same from `test/helpers` (jest) and from `dist/test/helpers` (the demo).
 */
export const PACKAGE_ROOT = ((): string => {
	for (let dir = path.resolve(__dirname, '..'); ; dir = path.dirname(dir)) {
		if (existsSync(path.join(dir, 'package.json'))) return dir;
		if (path.dirname(dir) === dir) throw new Error(`No package.json above ${__dirname}`);
	}
})();
/** Our package name, the prefix of our node type names. */
export const PACKAGE_NAME = (
	JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }
).name;
/** Where the workflow JSON fixtures live; `runWorkflow('x.json')` looks here. */
export const WORKFLOW_FIXTURES = path.join(PACKAGE_ROOT, 'test', 'workflows', 'fixtures');

/** `n8n-nodes-crm-connectors.<name>`: the type name n8n gives one of our nodes. */
export const nodeTypeName = (name: string): string => `${PACKAGE_NAME}.${name}`;

// ---------------------------------------------------------------------------------------------------------
// Loading the package and the node-types registry

/** Node and credential types known to a test run: our built package plus the built-in stand-ins. */
export class TestNodeTypes implements INodeTypes {
	constructor(
		private readonly nodes: Record<string, INodeType | IVersionedNodeType>,
		readonly credentialTypes: Record<string, ICredentialType>,
	) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.nodes[nodeType];
		if (!type) {
			throw new Error(
				`Unknown node type "${nodeType}". Known: ${Object.keys(this.nodes).join(', ')}. ` +
					'Is it declared in package.json "n8n.nodes" and built (npm run build)?',
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	/** Registers an extra node type for one test (e.g. a poll trigger stand-in); `name` is the full type name. */
	add(name: string, type: INodeType | IVersionedNodeType): void {
		this.nodes[name] = type;
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries(
			Object.keys(this.nodes).map((name) => [name, { className: name, sourcePath: '' }]),
		);
	}
}

let loaded: Promise<{ loader: PackageDirectoryLoader; nodeTypes: TestNodeTypes }> | undefined;

/** Fails with the fix when `dist/` does not hold what package.json declares. */
export function assertBuilt(): void {
	const { n8n } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const declared = [...(n8n?.nodes ?? []), ...(n8n?.credentials ?? [])];
	const missing = declared.filter((file) => !existsSync(path.join(PACKAGE_ROOT, file)));
	if (missing.length > 0) {
		throw new Error(
			`The built package is missing ${missing.join(', ')}. Run "npm run build" first ` +
				'(npm test does it for you; jest alone runs against the last build).',
		);
	}
}

/**
 * Loads the built package with n8n-core's `PackageDirectoryLoader` once per test file, and the
 * node-types registry over it (our nodes under `n8n-nodes-crm-connectors.<name>`, plus the stand-ins).
 */
export async function loadPackage(): Promise<{
	loader: PackageDirectoryLoader;
	nodeTypes: TestNodeTypes;
}> {
	loaded ??= (async () => {
		assertBuilt();
		const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
		await loader.loadAll();
		const nodes: Record<string, INodeType | IVersionedNodeType> = { ...builtinNodeTypes };
		for (const [name, { type }] of Object.entries(loader.nodeTypes))
			nodes[`${loader.packageName}.${name}`] = type;
		const credentialTypes = Object.fromEntries(
			Object.entries(loader.credentialTypes).map(([name, { type }]) => [name, type]),
		);
		return { loader, nodeTypes: new TestNodeTypes(nodes, credentialTypes) };
	})();
	return await loaded;
}

// ---------------------------------------------------------------------------------------------------------
// Running workflows

/** Workflow JSON as n8n exports it (only what the engine needs is required). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject | null;
	pinData?: IPinData;
}

export interface RunOptions {
	/** Credential data by credential id or type name (see `CredentialFixtures`). */
	credentials?: CredentialFixtures;
	/** The workflow's static data before the run (e.g. from a previous run's `staticData`). */
	staticData?: IDataObject;
	/** n8n execution mode; default `manual` (the trigger node runs itself, like clicking "Execute workflow"). */
	mode?: WorkflowExecuteMode;
	/** Items given to the start node, as a production trigger would hand them over (mode other than `manual`). */
	startItems?: Array<INodeExecutionData | IDataObject>;
	/** Name of the node to start from; default: the workflow's trigger (n8n's `getStartNode()`). */
	startNode?: string;
}

export interface WorkflowRun {
	/** n8n's full result. */
	run: IRun;
	/** Per node, its last run's output: `outputs[node][outputIndex]` = items. */
	outputs: Record<string, INodeExecutionData[][]>;
	runData: IRunData;
	/** The error that stopped the run, if any (n8n's `resultData.error`). */
	error?: ExecutionBaseError;
	/** Static data after the run, as n8n would save it (for the next run). */
	staticData: IDataObject;
	/** Credentials after the run, including any refreshed token n8n would have saved. */
	credentials: CredentialFixtures;
	/** Writes n8n would have made to its credentials table. */
	credentialUpdates: CredentialUpdate[];
	/** Node names in the order they finished. */
	executionOrder: string[];
	/** Items of `node`'s output `outputIndex` (default 0); throws if the node did not run. */
	items(node: string, outputIndex?: number): INodeExecutionData[];
	/** Just the `json` of those items. */
	json(node: string, outputIndex?: number): IDataObject[];
}

/** Reads a workflow from a path, or from `test/workflows/fixtures/<name>`. */
export function loadWorkflow(fileOrName: string): WorkflowJson {
	const file = path.isAbsolute(fileOrName) ? fileOrName : path.join(WORKFLOW_FIXTURES, fileOrName);
	if (!existsSync(file)) throw new Error(`Workflow file not found: ${file}`);
	return JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
}

const toItem = (item: INodeExecutionData | IDataObject): INodeExecutionData =>
	'json' in item && typeof item.json === 'object' && item.json !== null
		? (item as INodeExecutionData)
		: { json: item as IDataObject };

/** Builds `additionalData` as n8n's `WorkflowExecuteAdditionalData.getBase()` does, minus the server. */
function additionalDataFor(
	hooks: ExecutionLifecycleHooks,
	credentialsHelper: FixtureCredentialsHelper,
	executionId: string,
): IWorkflowExecuteAdditionalData {
	const notAvailable = (what: string) => async () => {
		throw new Error(`${what} is not available in the in-process test engine`);
	};
	return {
		hooks,
		credentialsHelper,
		executionId,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		executeWorkflow: notAvailable('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notAvailable('The task runner'),
	} as unknown as IWorkflowExecuteAdditionalData;
}

let executionCounter = 0;

/**
 * Runs a workflow in n8n's engine and returns every node's output.
 *
 * @param workflowOrFile workflow JSON, a path, or a file name in `test/workflows/fixtures/`.
 * @example
 * const result = await runWorkflow('fieldMapper.basic.json');
 * expect(result.json('Field Mapper')).toEqual([...]);
 */
export async function runWorkflow(
	workflowOrFile: WorkflowJson | string,
	options: RunOptions = {},
): Promise<WorkflowRun> {
	const data = structuredClone(
		typeof workflowOrFile === 'string' ? loadWorkflow(workflowOrFile) : workflowOrFile,
	);
	const { nodeTypes } = await loadPackage();
	const mode = options.mode ?? 'manual';
	const executionId = String(++executionCounter);

	const workflow = new Workflow({
		id: data.id ?? 'test-workflow',
		name: data.name ?? 'Test workflow',
		nodes: data.nodes,
		connections: data.connections,
		nodeTypes,
		active: false,
		settings: { executionOrder: 'v1', ...data.settings },
		staticData: structuredClone(options.staticData ?? data.staticData ?? {}),
	});

	const startNode = options.startNode
		? workflow.getNode(options.startNode)
		: workflow.getStartNode();
	if (!startNode) {
		throw new Error(
			options.startNode
				? `Start node "${options.startNode}" is not in the workflow`
				: 'The workflow has no trigger or start node',
		);
	}

	const credentialsHelper = new FixtureCredentialsHelper(
		nodeTypes.credentialTypes,
		options.credentials,
	);
	const workflowData: IWorkflowBase = {
		id: workflow.id,
		name: workflow.name ?? 'Test workflow',
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes: data.nodes,
		connections: data.connections,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: workflow.settings,
		staticData: workflow.staticData,
	} as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	// n8n reports the end of a run through this hook; waiting for it proves the hooks were wired.
	let resolveFinished: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveFinished = resolve));
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => resolveFinished(fullRunData));

	const startItems = (options.startItems ?? [{ json: {} }]).map(toItem);
	const runExecutionData = createRunExecutionData({
		startData: {},
		resultData: { runData: {}, pinData: data.pinData },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node: startNode, data: { main: [startItems] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	});

	const additionalData = additionalDataFor(hooks, credentialsHelper, executionId);
	const run = await new WorkflowExecute(
		additionalData,
		mode,
		runExecutionData,
	).processRunExecutionData(workflow);
	await finished;

	const runData = run.data.resultData.runData;
	const outputs: Record<string, INodeExecutionData[][]> = {};
	for (const [nodeName, tasks] of Object.entries(runData)) {
		const main = tasks.at(-1)?.data?.main;
		if (main) outputs[nodeName] = main.map((items) => items ?? []);
	}
	const items = (node: string, outputIndex = 0): INodeExecutionData[] => {
		if (!runData[node]) {
			const error = run.data.resultData.error;
			throw new Error(
				`Node "${node}" did not run (ran: ${Object.keys(runData).join(', ') || 'none'})` +
					(error ? `; the run failed: ${error.message}` : ''),
			);
		}
		return outputs[node]?.[outputIndex] ?? [];
	};

	// n8n saves static data only for production executions (never for manual runs), as JSON.
	const staticData =
		mode === 'manual'
			? structuredClone(options.staticData ?? {})
			: (JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject);
	delete staticData.__dataChanged;

	return {
		run,
		outputs,
		runData,
		error: run.data.resultData.error,
		staticData,
		credentials: credentialsHelper.store,
		credentialUpdates: credentialsHelper.updates,
		executionOrder,
		items,
		json: (node, outputIndex) => items(node, outputIndex).map((item) => item.json),
	};
}

// ---------------------------------------------------------------------------------------------------------
// Polling triggers

export interface PollOptions {
	credentials?: CredentialFixtures;
	/** The workflow's static data before this poll (pass the previous poll's `staticData` to continue). */
	staticData?: IDataObject;
	/**
	 * `trigger`: a scheduled poll of an active workflow, whose static data n8n saves afterwards.
	 * `manual`: "Fetch test event" in the editor: n8n saves nothing, so a cursor must not move.
	 */
	mode?: 'trigger' | 'manual';
	/** Milliseconds the poll may spend (`this.getPollBudgetMs()`); n8n's default is 5 minutes. */
	budgetMs?: number;
}

export interface PollRun {
	/** What `poll()` returned: `null` (nothing new) or the items per output. */
	response: INodeExecutionData[][] | null;
	/** The items of output 0 (empty when `response` is null). */
	items: INodeExecutionData[];
	/** Static data after the poll as n8n would persist it: updated in `trigger` mode, unchanged in `manual`. */
	staticData: IDataObject;
	/** The node's own static data (`getWorkflowStaticData('node')`) from `staticData`. */
	nodeStaticData: IDataObject;
	credentials: CredentialFixtures;
	credentialUpdates: CredentialUpdate[];
}

/**
 * Runs one poll of a polling trigger node (`polling: true`, `poll()`), as n8n's poller does: a `PollContext`
 * over a workflow holding just that node, then `nodeType.poll.call(context)`. Run it several times, passing
 * `staticData` from one to the next, to simulate polls across n8n restarts (static data is all that survives).
 *
 * @param node the node JSON as in a workflow (`name`, `type`, `typeVersion`, `parameters`, `credentials`).
 */
export async function runPoll(
	node: Partial<INode> & Pick<INode, 'type' | 'parameters'>,
	options: PollOptions = {},
): Promise<PollRun> {
	const { nodeTypes } = await loadPackage();
	const mode = options.mode ?? 'trigger';
	const fullNode: INode = {
		id: node.id ?? 'poll-node',
		name: node.name ?? 'Trigger',
		typeVersion: node.typeVersion ?? 1,
		position: node.position ?? [0, 0],
		...node,
	} as INode;
	const nodeType = nodeTypes.getByNameAndVersion(fullNode.type, fullNode.typeVersion);
	if (typeof nodeType.poll !== 'function') {
		throw new Error(
			`Node type "${fullNode.type}" v${fullNode.typeVersion} is not a polling trigger (it has no poll())`,
		);
	}
	const workflow = new Workflow({
		id: 'test-poll-workflow',
		name: 'Test poll workflow',
		nodes: [fullNode],
		connections: {},
		nodeTypes,
		active: mode === 'trigger',
		settings: { executionOrder: 'v1' },
		staticData: structuredClone(options.staticData ?? {}),
	});
	const credentialsHelper = new FixtureCredentialsHelper(
		nodeTypes.credentialTypes,
		options.credentials,
	);
	const executionId = `poll-${++executionCounter}`;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: workflow.id,
		name: workflow.name,
		nodes: [fullNode],
		connections: {},
		active: mode === 'trigger',
	} as unknown as IWorkflowBase);
	const activation: WorkflowActivateMode = mode === 'manual' ? 'manual' : 'activate';
	const context = new PollContext(
		workflow,
		fullNode,
		additionalDataFor(hooks, credentialsHelper, executionId),
		mode,
		activation,
		() => {},
		(error) => {
			throw error;
		},
		undefined,
		undefined,
		undefined,
		options.budgetMs === undefined ? undefined : () => options.budgetMs as number,
	);

	const response = (await nodeType.poll.call(context)) ?? null;

	const staticData =
		mode === 'manual'
			? structuredClone(options.staticData ?? {})
			: (JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject);
	delete staticData.__dataChanged;
	const nodeKey = `node:${fullNode.name}`;
	return {
		response,
		items: response?.[0] ?? [],
		staticData,
		nodeStaticData: (staticData[nodeKey] as IDataObject | undefined) ?? {},
		credentials: credentialsHelper.store,
		credentialUpdates: credentialsHelper.updates,
	};
}
