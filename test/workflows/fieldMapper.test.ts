/**
 * Field Mapper in n8n's real engine: workflow JSON as the editor saves it, run by WorkflowExecute against
 * the built node. Covers the editor ("Define Below") and JSON modes, transforms, and what n8n does with
 * invalid items under each "On Error" setting.
 */
import path from 'node:path';

import type { IDataObject, INode } from 'n8n-workflow';

import { loadWorkflow, PACKAGE_ROOT, runWorkflow, type WorkflowJson } from '../helpers/engine';

const MAPPER = 'Field Mapper';

/** The contacts workflow with the Field Mapper node changed by `edit`. */
function contactsWorkflow(
	edit: (node: INode, workflow: WorkflowJson) => void = () => {},
): WorkflowJson {
	const workflow = loadWorkflow('fieldMapper.contacts.json');
	edit(workflow.nodes.find((node) => node.name === MAPPER)!, workflow);
	return workflow;
}

const rulesOf = (node: INode) => (node.parameters.mappings as { rules: IDataObject[] }).rules;

const ada = {
	FirstName: 'Ada',
	Email: 'ada@example.com',
	LeadSource: 'Web',
	Country: 'Germany',
	AnnualRevenue: 1234.5,
	NumberOfEmployees: 42,
	Birthdate: '1990-03-15',
	Tags: ['vip', 'newsletter'],
	address: { city: 'Berlin' },
	OptIn: true,
	Status: 'open',
};
const linus = {
	FirstName: 'Linus',
	Email: 'linus@kernel.org',
	LeadSource: 'Web',
	Country: 'France',
	AnnualRevenue: 0.5,
	NumberOfEmployees: 1,
	Birthdate: '1969-12-28',
	Tags: ['oss'],
	address: { city: 'Portland' },
	OptIn: false,
	Status: 'new', // missing in the source: the default
};

describe('Field Mapper (Define Below) with On Error: Continue (using error output)', () => {
	it('maps valid items with their transforms and routes the invalid one to the error output', async () => {
		const result = await runWorkflow(contactsWorkflow());

		expect(result.error).toBeUndefined();
		expect(result.outputs[MAPPER]).toHaveLength(2);
		expect(result.json(MAPPER, 0)).toEqual([ada, linus]);
		expect(result.items(MAPPER, 0).map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 2 },
		]);
		expect(result.json('Leads')).toEqual([ada, linus]);

		const rejected = result.items(MAPPER, 1);
		expect(rejected).toHaveLength(1);
		expect(rejected[0].pairedItem).toEqual({ item: 1 });
		const json = rejected[0].json as {
			error: string;
			details: { issues: IDataObject[] };
			email: string;
		};
		expect(json.error).toMatch(/Item 1/);
		expect(json.error).toMatch(/Email/);
		expect(json.error).toContain('"grace@"');
		expect(json.details.issues).toEqual([
			expect.objectContaining({ field: 'Email', code: 'type', message: json.error }),
		]);
		// n8n adds the input item's fields, so the rejected row can be fixed or reported as it came in.
		expect(json.email).toBe('grace@');
		expect(result.json('Rejected')).toEqual([json]);
	});

	it('reports every issue of an item, each naming its field', async () => {
		const result = await runWorkflow(
			contactsWorkflow((node) => {
				const rules = rulesOf(node);
				rules.find((rule) => rule.target === 'Status')!.checks = { oneOf: 'new, closed' };
			}),
		);
		const [first, second] = result.json(MAPPER, 1) as Array<{
			error: string;
			details: { issues: IDataObject[] };
		}>;
		expect(first.details.issues.map((issue) => issue.field)).toEqual(['Status']); // Ada: "open" not allowed
		expect(first.error).toMatch(/Item 0.*Status/);
		expect(second.details.issues.map((issue) => issue.field).sort()).toEqual(['Email', 'Status']); // Grace
		expect(second.error).toMatch(/and 1 more issue/);
		expect(result.json(MAPPER, 0)).toEqual([linus]);
	});
});

describe('Field Mapper with other On Error settings', () => {
	it('stops the workflow with a NodeOperationError naming the item and field when On Error is not set', async () => {
		const result = await runWorkflow(contactsWorkflow((node) => delete node.onError));

		expect(result.run.status).toBe('error');
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(/Item 1/);
		expect(result.error?.message).toMatch(/Email/);
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
		expect(result.run.data.resultData.lastNodeExecuted).toBe(MAPPER);
		expect(result.runData.Leads).toBeUndefined();
	});

	it('keeps the error item in place on the main output with continueRegularOutput', async () => {
		const result = await runWorkflow(
			contactsWorkflow((node) => (node.onError = 'continueRegularOutput')),
		);

		expect(result.error).toBeUndefined();
		expect(result.outputs[MAPPER]).toHaveLength(1);
		const [first, second, third] = result.json(MAPPER);
		expect(first).toEqual(ada);
		expect(second).toEqual({
			error: expect.stringMatching(/Item 1.*Email/),
			details: { issues: [expect.objectContaining({ field: 'Email', code: 'type' })] },
		});
		expect(third).toEqual(linus);
		expect(result.items(MAPPER).map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
	});
});

describe('Field Mapper options', () => {
	it('copies unmapped fields with Keep Unmapped Fields', async () => {
		const result = await runWorkflow(
			contactsWorkflow((node) => {
				node.parameters.mappings = {
					rules: [{ target: 'Email', source: 'email', transforms: { steps: [{ type: 'trim' }] } }],
				};
				node.parameters.options = { keepUnmapped: true };
			}),
		);
		const [first] = result.json(MAPPER);
		expect(first.Email).toBe('Ada@Example.COM');
		expect(first.first_name).toBe('  ada ');
		expect(first.city).toBe('Berlin');
		expect(first).not.toHaveProperty('email'); // read by a rule: not copied
	});

	it('writes fields without a value as null with Write Missing Fields as Null, and leaves them out otherwise', async () => {
		const rules = [
			{ target: 'Email', source: 'email' },
			{ target: 'Phone', source: 'phone' },
			{ target: 'company.name', source: 'company' },
		];
		const withNulls = await runWorkflow(
			contactsWorkflow((node) => {
				node.parameters.mappings = { rules };
				node.parameters.options = { writeNulls: true };
			}),
		);
		expect(withNulls.json(MAPPER)[0]).toEqual({
			Email: ' Ada@Example.COM ',
			Phone: null,
			company: { name: null },
		});

		const without = await runWorkflow(
			contactsWorkflow((node) => (node.parameters.mappings = { rules })),
		);
		expect(Object.keys(without.json(MAPPER)[0])).toEqual(['Email']);
	});

	it('evaluates expressions in mapping parameters per item', async () => {
		const result = await runWorkflow(
			contactsWorkflow((node) => {
				node.parameters.mappings = {
					rules: [
						{ target: 'Email', source: 'email', transforms: { steps: [{ type: 'trim' }] } },
						{
							target: 'Region',
							valueFrom: 'constant',
							constant: "={{ $json.country.toUpperCase() === 'DE' ? 'DACH' : 'EU' }}",
						},
						{ target: '={{ $json.country === "de" ? "Land" : "Country" }}', source: 'country' },
					],
				};
			}),
		);
		expect(result.json(MAPPER)).toEqual([
			{ Email: 'Ada@Example.COM', Region: 'DACH', Land: 'de' },
			{ Email: 'grace@', Region: 'EU', Country: 'FR' },
			{ Email: 'linus@kernel.org', Region: 'EU', Country: 'FR' },
		]);
	});

	it("compiles the mapping once, not once per item, when a rule's value is an expression that differs per item", async () => {
		// The built core module the node uses (loaded through the same module registry as n8n's loader).
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mappingModule = require(
			path.join(PACKAGE_ROOT, 'dist', 'core', 'records', 'mapping.js'),
		) as typeof import('../../core/records/mapping');
		const compiles = [
			jest.spyOn(mappingModule, 'compileMapping'),
			jest.spyOn(mappingModule, 'compileMappingTemplate'),
		];
		const items = 300;
		try {
			const result = await runWorkflow(
				contactsWorkflow((node, workflow) => {
					workflow.nodes.find((n) => n.name === 'Form Submissions')!.parameters.jsCode =
						`return Array.from({ length: ${items} }, (_, n) => ({ n, email: 'u' + n + '@example.com', ...(n % 2 ? { tag: 'odd' } : {}) }));`;
					node.parameters.mappings = {
						rules: [
							{ target: 'Email', source: 'email' },
							{
								target: 'Serial',
								valueFrom: 'constant',
								constant: '={{ $json.n * 3 }}',
								type: 'integer',
							},
							{
								target: 'Tag',
								source: 'tag',
								default: '={{ "tag-" + $json.n }}',
								transforms: { steps: [{ type: 'uppercase' }] },
							},
						],
					};
				}),
			);
			expect(result.error).toBeUndefined();
			const mapped = result.json(MAPPER);
			expect(mapped).toHaveLength(items);
			expect(mapped[4]).toEqual({ Email: 'u4@example.com', Serial: 12, Tag: 'TAG-4' });
			expect(mapped[299]).toEqual({ Email: 'u299@example.com', Serial: 897, Tag: 'ODD' });
			// One compiled spec for all 300 distinct per-item specs (a cache keyed by the whole spec compiled 300).
			expect(compiles.reduce((sum, spy) => sum + spy.mock.calls.length, 0)).toBe(1);
		} finally {
			for (const spy of compiles) spy.mockRestore();
		}
	});

	it('converts a typed Fixed Value and Default Value from text', async () => {
		const result = await runWorkflow(
			contactsWorkflow((node) => {
				node.parameters.mappings = {
					rules: [
						{ target: 'Score', valueFrom: 'constant', constant: '10', type: 'number' },
						{ target: 'Active', valueFrom: 'constant', constant: 'true', type: 'boolean' },
						{ target: 'Rating', source: 'rating', default: '3', type: 'integer' },
					],
				};
			}),
		);
		expect(result.json(MAPPER)[0]).toEqual({ Score: 10, Active: true, Rating: 3 });
	});
});

describe('Field Mapper (JSON mode)', () => {
	it('maps with a JSON spec, nested source paths and a strict lookup', async () => {
		const result = await runWorkflow('fieldMapper.jsonMode.json');

		expect(result.error).toBeUndefined();
		expect(result.json('To Salesforce Contact')).toEqual([
			{
				HubSpot_Id__c: '101',
				FirstName: 'Ada',
				Email: 'ada@example.com',
				Stage__c: 'Lead',
				RecordSource__c: 'HubSpot',
			},
			{
				HubSpot_Id__c: '102',
				FirstName: 'Grace',
				Email: 'grace@example.com',
				Stage__c: 'Customer',
				RecordSource__c: 'HubSpot',
			},
		]);
	});

	it('fails the node naming the rule when the JSON spec is invalid', async () => {
		const workflow = loadWorkflow('fieldMapper.jsonMode.json');
		workflow.nodes[2].parameters.mappingJson = JSON.stringify({
			rules: [
				{ target: 'Email', source: 'properties.email' },
				{
					target: 'Stage__c',
					source: 'properties.lifecyclestage',
					transforms: [{ type: 'explode' }],
				},
			],
		});
		const result = await runWorkflow(workflow);

		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(
			/^Invalid mapping: rule 2 \(target "Stage__c"\): transform 1: "explode" is not a known transform type/,
		);
	});

	it('says what shape it expects when the JSON is not a mapping', async () => {
		const workflow = loadWorkflow('fieldMapper.jsonMode.json');
		workflow.nodes[2].parameters.mappingJson = '{"target": "Email"}';
		const result = await runWorkflow(workflow);
		expect(result.error?.message).toMatch(/must be an object with a "rules" array/);

		workflow.nodes[2].parameters.mappingJson = '{"rules": [';
		expect((await runWorkflow(workflow)).error?.message).toMatch(
			/^Invalid mapping: "Mapping \(JSON\)" is not valid JSON/,
		);
	});
});

describe('Field Mapper configuration errors', () => {
	it('names the mapping rule whose parameters are unusable', async () => {
		const result = await runWorkflow(
			contactsWorkflow((node) => {
				delete node.onError;
				rulesOf(node)[1].source = '';
			}),
		);
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toBe(
			'Invalid mapping: rule 2 (target "Email"): "Source Field" is empty. Enter the path of the incoming field (e.g. email), or set "Value From" to Fixed Value.',
		);
		expect((result.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
	});

	it('names the rule and transform of a broken lookup table', async () => {
		const result = await runWorkflow(
			contactsWorkflow((node) => {
				delete node.onError;
				const country = rulesOf(node)[3] as { transforms: { steps: IDataObject[] } };
				country.transforms.steps[0] = { type: 'lookup', tableFormat: 'json', tableJson: '{"DE": ' };
			}),
		);
		expect(result.error?.message).toMatch(
			/^Invalid mapping: rule 4 \(target "Country"\), transform 1: the lookup table is not valid JSON/,
		);
	});

	it('sends every item to the error output when the mapping itself is broken and errors are continued', async () => {
		const result = await runWorkflow(contactsWorkflow((node) => (rulesOf(node)[0].target = ' ')));

		expect(result.error).toBeUndefined();
		expect(result.json(MAPPER, 0)).toEqual([]);
		const rejected = result.json(MAPPER, 1);
		expect(rejected).toHaveLength(3);
		for (const item of rejected) {
			expect(item.error).toBe(
				'Invalid mapping: rule 1: "Target Field" is empty. Enter the name of the output field.',
			);
			expect(item.details).toEqual({ kind: 'mapping' });
		}
	});
});
