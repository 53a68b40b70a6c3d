/**
 * The CRM Sync node's test world: the Salesforce and HubSpot simulators on one ManualClock (test/sync/world.ts),
 * credentials pointing at them, and a workflow Manual Trigger → CRM Sync run through n8n's real engine.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';

import { clearRateBudgets } from '../../../core/http/rateLimiter';
import { nodeTypeName, runWorkflow, type WorkflowRun } from '../../helpers/engine';
import type { HubSpotContract } from '../../../sandbox';
import type { SalesforceSimContract } from '../../../sandbox/salesforce';
import { World } from '../../sync/world';

export const SYNC = 'CRM Sync';

/** The scenario's field pairs and the conflict rule of each (one run covers every strategy). */
export const MAPPINGS: IDataObject[] = [
	{ fieldA: 'Email', fieldB: 'email' },
	{ fieldA: 'LastName', fieldB: 'lastname' }, // the sync's strategy: A wins
	{ fieldA: 'FirstName', fieldB: 'firstname', conflict: 'review' },
	{ fieldA: 'Title', fieldB: 'jobtitle', conflict: 'custom' },
	{ fieldA: 'Phone', fieldB: 'phone', conflict: 'mostRecent' },
	{ fieldA: 'MobilePhone', fieldB: 'mobilephone', conflict: 'bWins' },
	{ fieldA: 'MailingCity', fieldB: 'city', conflict: 'aUnlessBlank' },
	{ fieldA: 'MailingCountry', fieldB: 'country', conflict: 'bUnlessBlank' },
];

/** Custom Rules: B's title when it names a chief, else A's. */
export const RULES: IDataObject[] = [
	{ when: 'bContains', text: 'chief', then: 'b' },
	{ when: 'always', then: 'a' },
];

/** The Salesforce username-password credential pointing at the simulator. */
export const salesforceCredential = (
	sf: SalesforceSimContract,
): ICredentialDataDecryptedObject => ({
	environment: 'custom',
	customLoginUrl: sf.loginUrl,
	clientId: sf.clientId,
	clientSecret: sf.clientSecret,
	username: sf.username,
	password: sf.password,
	securityToken: '',
	accessToken: '',
	instanceUrl: '',
});

export class SyncWorld extends World {
	/** Credential data for the run (the HubSpot budgets raised: the simulator has no limits and time is real). */
	credentials(): Record<string, ICredentialDataDecryptedObject> {
		const sf = this.sfContractOf();
		const hs = this.hsContractOf();
		return {
			crmSalesforcePasswordApi: salesforceCredential(sf),
			crmHubSpotPrivateAppApi: {
				accessToken: hs.accessToken,
				baseUrl: hs.baseUrl,
				requestsPer10Seconds: 1_000_000,
				searchRequestsPerSecond: 100_000,
			},
		};
	}

	/** Secrets the run must never show. */
	secrets(): Record<string, string> {
		const sf = this.sfContractOf();
		return {
			'Salesforce password': sf.password,
			'Salesforce client secret': sf.clientSecret,
			'Salesforce access token': sf.accessToken,
			'HubSpot token': this.hsContractOf().accessToken,
		};
	}

	private sfContractOf(): SalesforceSimContract {
		if (!this.sfContract) throw new Error('start() the world first');
		return this.sfContract;
	}
	private hsContractOf(): HubSpotContract {
		if (!this.hsContract) throw new Error('start() the world first');
		return this.hsContract;
	}
}

/** The CRM Sync node: Salesforce Contact ↔ HubSpot contacts by e-mail with the scenario's mappings. */
export function syncNode(parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return {
		id: 'crm-sync-node',
		name: SYNC,
		type: nodeTypeName('crmSync'),
		typeVersion: 1,
		position: [300, 0],
		parameters: {
			systemA: 'salesforce',
			systemB: 'hubspot',
			salesforceAuthentication: 'password',
			hubspotAuthentication: 'privateApp',
			objectA: 'Contact',
			objectB: 'contacts',
			matchKeys: { keys: [{ fieldA: 'Email', fieldB: 'email', normalize: 'email' }] },
			fieldMappings: { mappings: MAPPINGS },
			conflictStrategy: 'aWins',
			customRules: { rules: RULES },
			deletes: 'propagate',
			maxDeletes: 0,
			maxDeletePercent: 0,
			...parameters,
		},
		credentials: {
			crmSalesforcePasswordApi: { id: 'sf', name: 'Salesforce simulator' },
			crmHubSpotPrivateAppApi: { id: 'hs', name: 'HubSpot simulator' },
		},
		...extra,
	} as INode;
}

/** Runs Manual Trigger → CRM Sync once. */
export async function runSync(
	world: SyncWorld,
	parameters: IDataObject = {},
	options: {
		workflowId?: string;
		extra?: Partial<INode>;
		credentials?: Record<string, ICredentialDataDecryptedObject>;
	} = {},
): Promise<WorkflowRun> {
	clearRateBudgets();
	return await runWorkflow(
		{
			id: options.workflowId ?? 'sync-workflow',
			nodes: [
				{
					id: 'trigger',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				syncNode(parameters, options.extra),
			],
			connections: { Start: { main: [[{ node: SYNC, type: 'main', index: 0 }]] } },
		},
		{ credentials: { ...world.credentials(), ...options.credentials } },
	);
}

/** The Report item of a run. */
export const reportOf = (run: WorkflowRun) => run.json(SYNC, 0)[0];
