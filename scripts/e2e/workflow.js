/** Building blocks of the e2e workflows and credentials (n8n's import formats). */

/** Our node types' prefix: the package name, as n8n names community nodes. */
const PREFIX = 'n8n-nodes-crm-connectors';

/** Manual Trigger → Set (raw JSON `{rows}`) → Split Out → `node` → NoOp per output. */
function workflow(id, name, rows, node, outputs) {
	const at = (i) => [i * 220, 0];
	const nodes = [
		{
			id: `${id}-trigger`,
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: at(0),
			parameters: {},
		},
		{
			id: `${id}-rows`,
			name: 'Rows',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: at(1),
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows }), options: {} },
		},
		{
			id: `${id}-split`,
			name: 'Split Rows',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: at(2),
			parameters: { fieldToSplitOut: 'rows', options: {} },
		},
		{ id: `${id}-node`, position: at(3), onError: 'continueErrorOutput', ...node },
		...outputs.map((out, i) => ({
			id: `${id}-out${i}`,
			name: out,
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [4 * 220, i * 200],
			parameters: {},
		})),
	];
	const link = (to) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
	return {
		id,
		name,
		active: false,
		nodes,
		connections: {
			Start: link('Rows'),
			Rows: link('Split Rows'),
			'Split Rows': link(node.name),
			[node.name]: { main: outputs.map((out) => [{ node: out, type: 'main', index: 0 }]) },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** Manual Trigger → `node` (no input items besides the trigger's), for nodes that read their own data. */
function triggered(id, name, node) {
	return {
		id,
		name,
		active: false,
		nodes: [
			{
				id: `${id}-trigger`,
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{ id: `${id}-node`, position: [220, 0], ...node },
		],
		connections: { Start: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** A `crmSalesforcePasswordApi` credential pointing at a Salesforce simulator's contract. */
const salesforceCredential = (id, name, contract) => ({
	id,
	name,
	type: 'crmSalesforcePasswordApi',
	data: {
		environment: 'custom',
		customLoginUrl: contract.loginUrl,
		clientId: contract.clientId,
		clientSecret: contract.clientSecret,
		username: contract.username,
		password: contract.password,
		securityToken: '',
		accessToken: '',
		instanceUrl: '',
	},
});

/** A `crmHubSpotPrivateAppApi` credential pointing at a HubSpot simulator's contract. */
const hubspotCredential = (id, name, contract) => ({
	id,
	name,
	type: 'crmHubSpotPrivateAppApi',
	data: { accessToken: contract.accessToken, baseUrl: contract.baseUrl },
});

module.exports = { PREFIX, workflow, triggered, salesforceCredential, hubspotCredential };
