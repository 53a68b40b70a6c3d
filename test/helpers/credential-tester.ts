/**
 * The "Test" button of n8n's credential editor, in-process: `testCredential()` performs a credential type's
 * `test` the way n8n's `CredentialsTester` (packages/cli) does, so a test that passes here passes in n8n.
 *
 * What n8n does, and this helper therefore does too:
 * - only a credential type's own `test` (an `ICredentialTestRequest`) is used; without one, n8n answers
 *   "No testing function found for this credential." (n8n would also look for a node's `testedBy`; our nodes
 *   declare none, and a credential without `test` is a defect the suite reports);
 * - the data is prepared like `CredentialsHelper.applyDefaultsAndOverwrites`: hidden OAuth endpoint/flow fields
 *   the type owns are taken from the type (not from what was stored), defaults of the type's properties (and of
 *   the types it `extends`) are applied, unknown keys are dropped, `oauthTokenData` is kept, and `={{…}}`
 *   expressions are resolved with `$self` = the credential data (e.g. a token URL computed from the environment);
 * - the request runs through n8n-core's own `RoutingNode` on a temporary No-Op node whose only property has
 *   `routing.request` = `test.request`, in an n8n-core `ExecuteContext` (mode `internal`): `baseURL`/`url`/`qs`
 *   expressions resolve against `$credentials`, the request is sent with `httpRequestWithAuthentication`, which
 *   runs `preAuthentication` (always when testing, as n8n: the temporary node marks a credential test),
 *   `authenticate` (a function, or `generic` with expressions), and for `oAuth2Api` types n8n's OAuth2 signing
 *   and refresh with the stored `oauthTokenData`;
 * - the outcome is judged as n8n judges it: on an HTTP error the `responseCode` rules are checked in order, then
 *   any non-2xx status fails with the status text (or "Received HTTP status code: N"); a network error fails
 *   with its code; any other error with its message; on success the `responseSuccessBody` rules are checked
 *   against the first item; otherwise "Connection successful!".
 *
 * Credentials are served by a `FixtureCredentialsHelper`, so what n8n would write to its database (a token
 * obtained by `preAuthentication`, a refreshed OAuth2 token) is recorded in `updates`.
 */
import './env';

import { ExecuteContext, getAdditionalKeys, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { type CredentialUpdate, FixtureCredentialsHelper } from './credentials';
import { loadPackage } from './engine';

/** n8n's answer to "Test": what the editor shows next to the credential. */
export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** A credential test and what it left behind. */
export interface CredentialTestRun {
	result: CredentialTestResult;
	/** The data as n8n prepared it for the test (defaults applied, expressions resolved). */
	prepared: ICredentialDataDecryptedObject;
	/** The stored data after the test, with whatever n8n would have saved (e.g. a token from `preAuthentication`). */
	stored: ICredentialDataDecryptedObject;
	/** Writes n8n would have made to its credentials table. */
	updates: CredentialUpdate[];
	/** How often the type's `preAuthentication` ran. */
	preAuthentications: number;
	/** The error n8n caught (it only shows `result.message`; kept so tests can check nothing else leaks). */
	error?: unknown;
	/** The first item of the test request's response (what `responseSuccessBody` rules look at). */
	responseBody?: IDataObject;
}

/** The credential types of the built package, as n8n-core's `PackageDirectoryLoader` loaded them. */
export async function loadCredentialTypes(): Promise<Record<string, ICredentialType>> {
	const { nodeTypes } = await loadPackage();
	return nodeTypes.credentialTypes;
}

/** Hidden OAuth endpoint/flow fields n8n takes from the credential type rather than from the stored data. */
const OAUTH_PINNED_FIELDS = [
	'authUrl',
	'accessTokenUrl',
	'grantType',
	'authentication',
	'requestTokenUrl',
	'signatureMethod',
];

/** The node type of the temporary node n8n tests with (`n8n-nodes-base.noOp`). */
const NO_OP = 'n8n-nodes-base.noOp';

/**
 * `FixtureCredentialsHelper` as n8n's `CredentialsHelper` behaves during a credential test: stored data is
 * prepared as `applyDefaultsAndOverwrites` does (so OAuth2's `getCredentials` sees resolved endpoints), and
 * `preAuthentication` runs whenever the node is n8n's temporary test node, even if a token is stored.
 */
class TestingCredentialsHelper extends FixtureCredentialsHelper {
	constructor(
		private readonly types: Record<string, ICredentialType>,
		fixtures: Record<string, ICredentialDataDecryptedObject>,
	) {
		super(types, fixtures);
	}

	async applyDefaultsAndOverwrites(
		data: ICredentialDataDecryptedObject,
		typeName: string,
		additionalData: IWorkflowExecuteAdditionalData,
	): Promise<ICredentialDataDecryptedObject> {
		const properties = this.getCredentialsProperties(typeName);
		const stored = { ...data };
		for (const field of OAUTH_PINNED_FIELDS) {
			if (properties.some((p) => p.name === field && p.type === 'hidden')) delete stored[field];
		}
		let prepared = NodeHelpers.getNodeParameters(
			properties,
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as unknown as ICredentialDataDecryptedObject;
		// A parent n8n ships itself (oAuth2Api) is not loaded here: keep the fields it would define from the data.
		const hasUnloadedParent = this.getParentTypes(typeName).some((parent) => !this.types[parent]);
		if (hasUnloadedParent) prepared = { ...stored, ...prepared };
		if (data.oauthTokenData !== undefined) prepared.oauthTokenData = data.oauthTokenData;

		const workflow = new Workflow({
			nodes: [mockNode()],
			connections: {},
			active: false,
			nodeTypes: mockNodeTypes({}),
		});
		const acquired = await workflow.expression.acquireIsolate();
		try {
			return workflow.expression.getComplexParameterValue(
				mockNode(),
				prepared as INodeParameters,
				'internal',
				getAdditionalKeys(additionalData, 'internal', null, { isCredential: true }),
				undefined,
				undefined,
				prepared,
			) as unknown as ICredentialDataDecryptedObject;
		} finally {
			if (acquired) await workflow.expression.releaseIsolate();
		}
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: Parameters<FixtureCredentialsHelper['getDecrypted']>[1],
		type: string,
		mode?: unknown,
		executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const original = await super.getDecrypted(
			additionalData,
			nodeCredentials,
			type,
			mode,
			executeData,
			true,
		);
		if (raw === true) return original;
		return await this.applyDefaultsAndOverwrites(original, type, additionalData);
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		// As n8n: the temporary node of a credential test makes the token exchange run even with a token stored.
		const isTestingCredentials = node.parameters?.temp === '' && node.type === NO_OP;
		return await super.preAuthentication(
			helpers,
			credentials,
			typeName,
			node,
			credentialsExpired || isTestingCredentials,
		);
	}
}

function mockNode(): INode {
	return {
		id: 'mock',
		name: 'mock',
		type: 'mock',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

function mockNodeTypes(types: Record<string, INodeType>): INodeTypes {
	return {
		getKnownTypes: () => ({}),
		getByName: (name: string): INodeType | IVersionedNodeType =>
			types[name] ?? ({ description: { properties: [] } } as unknown as INodeType),
		getByNameAndVersion: (name: string, version?: number): INodeType =>
			NodeHelpers.getVersionedNodeType(
				types[name] ?? ({ description: { properties: [] } } as unknown as INodeType),
				version,
			),
	};
}

/** `additionalData` as n8n's `WorkflowExecuteAdditionalData.getBase()` gives the tester, minus the server. */
function additionalDataFor(
	credentialsHelper: FixtureCredentialsHelper,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		executeWorkflow: async () => {
			throw new Error('Executing a sub-workflow is not available in a credential test');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** The parts of an error n8n's tester looks at. */
interface TesterError {
	message?: unknown;
	cause?: { response?: { status?: number; statusText?: string }; code?: unknown };
}

/** n8n's verdict on an error thrown by the test request. */
function judgeError(error: unknown, test: ICredentialTestRequest): CredentialTestResult {
	const { cause, message } = (error ?? {}) as TesterError;
	if (cause?.response) {
		const statusCode = Number(cause.response.status);
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === statusCode) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
		if (statusCode < 199 || statusCode > 299) {
			return {
				status: 'Error',
				message: cause.response.statusText || `Received HTTP status code: ${statusCode}`,
			};
		}
	} else if (cause?.code) {
		return { status: 'Error', message: String(cause.code) };
	}
	return { status: 'Error', message: String(message) };
}

/** Reads `path` (dot notation, as lodash `get`) from `value`. */
function getPath(value: unknown, path: string): unknown {
	let current = value;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

export interface TestCredentialOptions {
	/** The credential's id and name (n8n passes those of the saved credential). */
	id?: string;
	name?: string;
	/** Credential types to know besides the package's (e.g. a stand-in to check the tester itself). */
	extraTypes?: Record<string, ICredentialType>;
}

/**
 * Performs the `test` of credential type `typeName` with `data` (what the user entered, or what is stored),
 * as n8n does when the user clicks "Test" in the credential editor.
 *
 * @example
 * const { result } = await testCredential('crmHubSpotPrivateAppApi', { accessToken, baseUrl });
 * expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
 */
export async function testCredential(
	typeName: string,
	data: ICredentialDataDecryptedObject,
	options: TestCredentialOptions = {},
): Promise<CredentialTestRun> {
	const { nodeTypes } = await loadPackage();
	const types = { ...nodeTypes.credentialTypes, ...options.extraTypes };
	const type = types[typeName];
	if (!type) {
		throw new Error(
			`Unknown credential type "${typeName}" (known: ${Object.keys(types).join(', ')}); is it in package.json "n8n.credentials" and built?`,
		);
	}
	const id = options.id ?? `test-${typeName}`;
	const name = options.name ?? `${type.displayName} (test)`;
	const helper = new TestingCredentialsHelper(types, { [id]: data });
	const finish = (
		result: CredentialTestResult,
		prepared: ICredentialDataDecryptedObject,
		error?: unknown,
		responseBody?: IDataObject,
	): CredentialTestRun => ({
		result,
		prepared,
		stored: helper.store[id],
		updates: helper.updates,
		preAuthentications: helper.preAuthentications.length,
		...(error === undefined ? {} : { error }),
		...(responseBody === undefined ? {} : { responseBody }),
	});

	const test = type.test;
	if (!test)
		return finish(
			{ status: 'Error', message: 'No testing function found for this credential.' },
			data,
		);

	const additionalData = additionalDataFor(helper);
	let prepared: ICredentialDataDecryptedObject;
	try {
		prepared = await helper.applyDefaultsAndOverwrites(
			structuredClone(data),
			typeName,
			additionalData,
		);
	} catch (error) {
		return finish({ status: 'Error', message: String((error as Error).message) }, data, error);
	}
	const credentialsDecrypted: ICredentialsDecrypted = { id, name, type: typeName, data: prepared };

	// The temporary node: n8n's No-Op, declaring this credential, whose only property routes the test request.
	const noOp = nodeTypes.getByNameAndVersion(NO_OP);
	const tempType: INodeType = {
		description: {
			...noOp.description,
			name: NO_OP,
			credentials: [{ name: typeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: NO_OP,
		typeVersion: Array.isArray(noOp.description.version)
			? (noOp.description.version.at(-1) as number)
			: noOp.description.version,
		position: [0, 0],
		credentials: { [typeName]: { id, name } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: mockNodeTypes({ [NO_OP]: tempType }),
	});
	const runExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, tempType, credentialsDecrypted).runNode();
	} catch (error) {
		return finish(judgeError(error, test), prepared, error);
	}
	const responseBody = response?.[0]?.[0]?.json;
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			if (getPath(responseBody, rule.properties.key) === rule.properties.value) {
				return finish(
					{ status: 'Error', message: rule.properties.message },
					prepared,
					undefined,
					responseBody,
				);
			}
		}
	}
	return finish(
		{ status: 'OK', message: 'Connection successful!' },
		prepared,
		undefined,
		responseBody,
	);
}
