/**
 * The credentials side of the in-process engine: an `ICredentialsHelper` that serves credential data from
 * test fixtures instead of n8n's encrypted database, but otherwise behaves as n8n's own (packages/cli
 * `CredentialsHelper`): defaults of the credential type's properties (and of the types it `extends`) are
 * applied, `authenticate` of type `generic` resolves `={{$credentials.…}}` expressions with
 * `workflow.expression.getSimpleParameterValue`, `preAuthentication` runs when the hidden `expirable`
 * property is empty or the server said the token expired, and every update n8n would write to its
 * database (`updateCredentials`, `updateCredentialsOauthTokenData`) is applied to the in-memory store and
 * recorded, so tests can check that a refreshed token is persisted and reused by the next run.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentials, ICredentialsHelper, NodeHelpers } from 'n8n-workflow';

/**
 * Credential data for a run. Keys are either a credential **id** (as referenced by a node's
 * `credentials: { <type>: { id, name } }`) or a credential **type name**; the id wins when both exist,
 * so one fixture per type is enough unless a workflow uses two credentials of the same type.
 */
export type CredentialFixtures = Record<string, ICredentialDataDecryptedObject>;

/** One write n8n would have made to its credentials table. */
export interface CredentialUpdate {
	kind: 'updateCredentials' | 'updateCredentialsOauthTokenData';
	/** The fixture key that was updated (credential id, else type name). */
	key: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** Minimal in-memory `ICredentials` (n8n's `Credentials` would need the instance's encryption key). */
class PlainCredentials extends ICredentials {
	private plain: ICredentialDataDecryptedObject;

	constructor(
		details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		super(details, type);
		this.plain = structuredClone(data);
	}

	async getData(): Promise<ICredentialDataDecryptedObject> {
		return structuredClone(this.plain);
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: JSON.stringify(this.plain) };
	}

	async setData(data: ICredentialDataDecryptedObject): Promise<void> {
		this.plain = structuredClone(data);
	}

	async updateData(
		toUpdate: Partial<ICredentialDataDecryptedObject>,
		toDelete: string[] = [],
	): Promise<void> {
		this.plain = { ...this.plain, ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete this.plain[key];
	}
}

export class FixtureCredentialsHelper extends ICredentialsHelper {
	/** The "database": fixture key → decrypted data. Updated in place by the update methods. */
	readonly store: CredentialFixtures;

	/** Every write n8n would have made to its credentials table, in order. */
	readonly updates: CredentialUpdate[] = [];

	/** Each `preAuthentication` call that actually ran the credential type's `preAuthentication`. */
	readonly preAuthentications: Array<{ type: string; node: string; credentialsExpired: boolean }> =
		[];

	constructor(
		private readonly credentialTypes: Record<string, ICredentialType>,
		fixtures: CredentialFixtures = {},
	) {
		super();
		this.store = structuredClone(fixtures);
	}

	private typeOrFail(name: string): ICredentialType {
		const type = this.credentialTypes[name];
		if (!type) {
			throw new Error(
				`Unknown credential type "${name}": it is not declared in package.json "n8n.credentials" (known: ${
					Object.keys(this.credentialTypes).join(', ') || 'none'
				})`,
			);
		}
		return type;
	}

	private keyFor(nodeCredentials: INodeCredentialsDetails, type: string): string {
		if (nodeCredentials.id && nodeCredentials.id in this.store) return nodeCredentials.id;
		if (type in this.store) return type;
		throw new Error(
			`No test credentials for type "${type}" (credential id "${nodeCredentials.id ?? ''}", name "${nodeCredentials.name}"): ` +
				`pass them to runWorkflow/runPoll as { credentials: { ${type}: { … } } }`,
		);
	}

	getParentTypes(name: string): string[] {
		const type = this.credentialTypes[name];
		if (!type?.extends) return [];
		return type.extends.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.credentialTypes[credentialType];
		if (!type?.restrictToSupportedNodes) return true;
		return (type.supportedNodes ?? []).some(
			(name) => nodeType === name || nodeType.endsWith(`.${name}`),
		);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions & Record<string, unknown>;
		const { authenticate } = this.typeOrFail(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}
		if (authenticate?.type === 'generic') {
			requestOptions.headers ??= {};
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					const keyResolved = this.resolveValue(key, { $credentials: credentials }, workflow, node);
					const valueResolved = this.resolveValue(
						value,
						{ $credentials: credentials },
						workflow,
						node,
					);
					const target = (requestOptions[outerKey] ??= {}) as Record<string, unknown>;
					target[keyResolved] = valueResolved;
				}
			}
		}
		return requestOptions;
	}

	/** As n8n: only `=`-prefixed strings are expressions; empty results become ''. */
	private resolveValue(
		value: string,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		workflow: Workflow | undefined,
		node: INode | undefined,
	): string {
		if (typeof value !== 'string' || value.charAt(0) !== '=') return value;
		if (!workflow || !node) {
			throw new Error(
				`Cannot resolve the credential expression "${value}" without the workflow and node`,
			);
		}
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		return resolved ? String(resolved as string) : '';
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.typeOrFail(typeName);
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined || typeof type.preAuthentication !== 'function')
			return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;

		this.preAuthentications.push({ type: typeName, node: node.name, credentialsExpired });
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const nodeCredentials = node.credentials?.[type.name];
		if (nodeCredentials) {
			await this.updateCredentials(nodeCredentials, type.name, Object.assign(credentials, output));
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.typeOrFail(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentials> {
		return new PlainCredentials(
			nodeCredentials,
			type,
			this.store[this.keyFor(nodeCredentials, type)],
		);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode?: unknown,
		_executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const original = structuredClone(this.store[this.keyFor(nodeCredentials, type)]);
		if (raw === true) return original;
		// Apply the defaults of the type's properties, as n8n does (it also drops unknown keys).
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) as unknown as ICredentialDataDecryptedObject;
		if (original.oauthTokenData !== undefined)
			withDefaults.oauthTokenData = original.oauthTokenData;
		// A parent n8n ships itself (oAuth2Api…) is not loaded: keep the fixture's fields it would define.
		const hasUnloadedParent = this.getParentTypes(type).some(
			(parent) => !this.credentialTypes[parent],
		);
		return hasUnloadedParent ? { ...original, ...withDefaults } : withDefaults;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const key = this.keyFor(nodeCredentials, type);
		this.store[key] = structuredClone(data);
		this.updates.push({ kind: 'updateCredentials', key, type, data: structuredClone(data) });
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const key = this.keyFor(nodeCredentials, type);
		// n8n persists only the token data here.
		this.store[key] = { ...this.store[key], oauthTokenData: structuredClone(data.oauthTokenData) };
		this.updates.push({
			kind: 'updateCredentialsOauthTokenData',
			key,
			type,
			data: structuredClone(data),
		});
	}

	/**
	 * The type's properties merged with those of the types it extends (parents first, as n8n).
	 * Parents n8n ships itself (`oAuth2Api`, `oAuth1Api`) are not loaded here; their fields are kept as
	 * given in the fixture, plus `oauthTokenData`.
	 */
	getCredentialsProperties(typeName: string): INodeProperties[] {
		const type = this.credentialTypes[typeName];
		if (!type) {
			if (['oAuth1Api', 'oAuth2Api'].includes(typeName)) return [];
			return this.typeOrFail(typeName).properties;
		}
		if (!type.extends) return type.properties;
		const combined: INodeProperties[] = [];
		for (const parent of type.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, type.properties);
		return combined;
	}
}
