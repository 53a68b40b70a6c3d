/** The CRM Sync node's own logic: Custom Rules conflict resolution and engine problems in the node's words. */
import type { INode, INodeParameters, INodeProperties, INodeTypes } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import type { CrmRecord } from '../../../core/records/types';
import type { ConflictContext, SyncReport } from '../../../core/sync';
import { CrmSync } from '../../../nodes/CrmSync/CrmSync.node';
import { describeProblem, parameterName } from '../../../nodes/shared/crmSync/config';
import { conflictItem, reportSummary } from '../../../nodes/shared/crmSync/output';
import { readRules, rulesResolver } from '../../../nodes/shared/conflictRules';

const record = (id: string): CrmRecord => ({ id, fields: {} }) as CrmRecord;
const conflict = (fieldA: string, a: unknown, b: unknown): ConflictContext => ({
	linkId: 'l1',
	field: `${fieldA}/x`,
	fieldA,
	fieldB: 'x',
	a,
	b,
	aAsB: a,
	bAsA: b,
	recordA: record('a1'),
	recordB: record('b1'),
});

describe('Custom Rules', () => {
	const resolve = rulesResolver(
		readRules({
			rules: [
				{ when: 'aBlank', then: 'b' },
				{ when: 'bContains', text: 'CHIEF', then: 'b', fields: ['Title', 'Department'] }, // the picker
				{ when: 'aGreater', then: 'a', fields: ' Amount, Price' }, // an expression's text
				{ when: 'bEquals', text: 'unknown', then: 'value', value: 'n/a' },
				{ when: 'aLonger', then: 'review' },
				{ when: 'always', then: 'a' },
			],
		}),
	);

	it('takes the first rule that holds, in order', () => {
		expect(resolve(conflict('Title', '', 'x'))).toEqual({ winner: 'b' });
		expect(resolve(conflict('Title', 'VP', 'Chief of staff'))).toEqual({ winner: 'b' });
		expect(resolve(conflict('Phone', 'VP', 'Chief of staff'))).toEqual({ winner: 'a' }); // not for Phone
		expect(resolve(conflict('City', 'x', 'Unknown'))).toEqual({ value: 'n/a' });
		expect(resolve(conflict('City', 'Berlin', 'Rom'))).toBeUndefined(); // review
		expect(resolve(conflict('City', 'Rom', 'Berlin'))).toEqual({ winner: 'a' });
	});

	it('compares numbers and dates for "is greater"', () => {
		expect(resolve(conflict('Amount', '10', 9))).toEqual({ winner: 'a' });
		expect(resolve(conflict('Amount', '2024-02-01', '2024-01-31'))).toEqual({ winner: 'a' });
		expect(resolve(conflict('Amount', '9', 10))).toEqual({ winner: 'a' }); // falls through to "always"
	});

	it('no rules: every conflict goes to review', () => {
		expect(rulesResolver(readRules({}))(conflict('Title', 'a', 'b'))).toBeUndefined();
	});
});

describe('engine problems in the words of the node', () => {
	it('names the parameter of each setting path', () => {
		expect(parameterName('fields[2].b')).toBe('Field Mappings › Mapping 3 › Side B Field');
		expect(parameterName('fields[0].toB[1]')).toBe(
			'Field Mappings › Mapping 1 › Transforms / Value Map A → B',
		);
		expect(parameterName('matchKeys[1].a')).toBe('Match Keys › Key 2 › Side A Field');
		expect(parameterName('scope.b[0].field')).toBe('Inclusion Filters B › Condition 1 › Field');
		expect(parameterName('archive.a.field')).toBe('Archive Field A');
		expect(parameterName('a.objectType')).toBe('Side A Object');
		expect(parameterName('matchKeys')).toBe('Match Keys');
	});

	it("speaks the node's option names in the fix", () => {
		expect(
			describeProblem(
				'fields[1].a: "Name" is read-only on Contact — let values flow only from it (direction "aToB") or remove the pair',
			),
		).toBe(
			'Field Mappings › Mapping 2 › Side A Field: "Name" is read-only on Contact — let values flow only from it (direction "A → B") or remove the pair',
		);
		expect(
			describeProblem(
				'fields[3].key: "Email/email" is used twice — give each field pair its own key',
			),
		).toBe(
			'Field Mappings › Mapping 4 › Side A Field / Side B Field (used twice): "Email/email" is used twice — remove the duplicate mapping',
		);
		expect(
			describeProblem(
				'matchKeys: must have at least one match key pair (a field of side a and one of side b) to match records by',
			),
		).toBe('Match Keys: must have at least one key — click Add Match Key');
		expect(
			describeProblem(
				'fields: must list at least one field pair (a field of side a and one of side b) to sync',
			),
		).toBe('Field Mappings: must list at least one field — click Add Field Mapping');
		expect(
			describeProblem(
				'matchKeys: required — add a match key pair (a field of side a and one of side b) to match records by',
			),
		).toBe('Match Keys: required — click Add Match Key');
		expect(
			describeProblem(
				'fields: required — list the field pairs (a field of side a and one of side b) to sync',
			),
		).toBe('Field Mappings: required — click Add Field Mapping');
		expect(
			describeProblem('scope.a[0].value: required for "in" — give the value to compare with'),
		).toBe(
			'Inclusion Filters A › Condition 1 › Value: required for "Is One Of" — give the value to compare with',
		);
	});
});

describe('the node in the editor', () => {
	const type = new CrmSync();
	const v1 = type.getNodeType(1);
	const nodeTypes: INodeTypes = {
		getByName: () => type,
		getByNameAndVersion: () => v1,
		getKnownTypes: () => ({}),
	};

	/** The subtitle as the editor shows it: over the node's parameters with their defaults filled in. */
	function subtitle(parameters: INodeParameters): unknown {
		const withDefaults = NodeHelpers.getNodeParameters(
			v1.description.properties,
			parameters,
			true,
			false,
			null,
			v1.description,
		) as INodeParameters;
		const node: INode = {
			id: 'n',
			name: 'CRM Sync',
			type: 'crmSync',
			typeVersion: 1,
			position: [0, 0],
			parameters: withDefaults,
		};
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		return workflow.expression.getSimpleParameterValue(
			node,
			v1.description.subtitle as string,
			'internal',
			{},
		);
	}

	it('subtitles a run with both systems and objects, and names the other operations', () => {
		expect(subtitle({ objectA: 'Contact', objectB: 'contacts' })).toBe(
			'Salesforce Contact ↔ HubSpot contacts',
		);
		expect(
			subtitle({
				systemA: 'hubspot',
				objectA: 'companies',
				systemB: 'salesforce',
				objectB: 'Account',
			}),
		).toBe('HubSpot companies ↔ Salesforce Account');
		expect(subtitle({ systemB: 'dynamics', objectA: 'Contact', objectB: 'contacts' })).toBe(
			'Salesforce Contact ↔ Dynamics 365 contacts',
		);
		expect(subtitle({ operation: 'resolveConflicts' })).toBe('Resolve Conflicts');
	});

	it('marks what a run cannot do without as required, and picks key fields from the key pickers', () => {
		const byName = (name: string) => v1.description.properties.filter((p) => p.name === name);
		for (const name of ['objectA', 'objectB', 'matchKeys', 'fieldMappings'])
			expect(byName(name).every((p) => p.required === true)).toBe(true);
		const keyFields = (byName('matchKeys')[0].options?.[0] as { values: INodeProperties[] }).values;
		expect(keyFields.map((f) => f.typeOptions?.loadOptionsMethod)).toEqual([
			'getMatchFieldsA',
			'getMatchFieldsB',
			undefined,
		]);
		expect(Object.keys(v1.methods?.loadOptions ?? {})).toEqual(
			expect.arrayContaining(['getMatchFieldsA', 'getMatchFieldsB', 'getFieldsA', 'getFieldsB']),
		);
	});

	it('lets no expression choose the operation, a system or an authentication (they decide what is shown)', () => {
		const modes = v1.description.properties.filter((p) =>
			/^(operation|system[AB]|(salesforce|hubspot|dynamics)Authentication)$/.test(p.name),
		);
		expect(new Set(modes.map((p) => p.name)).size).toBe(6);
		for (const p of modes)
			expect({ name: p.name, noDataExpression: p.noDataExpression }).toEqual({
				name: p.name,
				noDataExpression: true,
			});
	});

	it("shows Dynamics 365's authentication when either side is Dynamics, and its credentials by that choice", () => {
		const auth = v1.description.properties.filter((p) => p.name === 'dynamicsAuthentication');
		expect(auth.map((p) => p.displayOptions?.show)).toEqual([
			{ operation: ['sync'], systemA: ['dynamics'] },
			{ operation: ['sync'], systemA: ['salesforce', 'hubspot', 'rest'], systemB: ['dynamics'] },
		]);
		expect(auth[0].options?.map((o) => (o as { value: string }).value)).toEqual([
			'clientCredentials',
			'oAuth2',
		]);
		const credentials = (v1.description.credentials ?? []).filter((c) => /Dynamics/.test(c.name));
		expect(credentials.map((c) => [c.name, c.displayOptions?.show])).toEqual([
			['crmDynamicsClientCredentialsApi', { dynamicsAuthentication: ['clientCredentials'] }],
			['crmDynamicsOAuth2Api', { dynamicsAuthentication: ['oAuth2'] }],
		]);
	});

	it('shows the REST API side its authentication, credentials and Endpoint Profile when either side is REST', () => {
		const shown = (name: string) =>
			v1.description.properties.filter((p) => p.name === name).map((p) => p.displayOptions?.show);
		const onB = {
			operation: ['sync'],
			systemA: ['salesforce', 'hubspot', 'dynamics'],
			systemB: ['rest'],
		};
		for (const name of ['restAuthentication', 'restProfile'])
			expect(shown(name)).toEqual([{ operation: ['sync'], systemA: ['rest'] }, onB]);
		const credentials = (v1.description.credentials ?? []).filter((c) => /^crmHttp/.test(c.name));
		expect(credentials.map((c) => c.displayOptions?.show?.restAuthentication)).toEqual([
			['basicAuth'],
			['bearerToken'],
			['apiKey'],
			['clientCredentials'],
			['oAuth2'],
		]);
	});

	it("shows a rule's Text and Value, and a filter's Value, only where they apply", () => {
		const rule = (
			v1.description.properties.find((p) => p.name === 'customRules')?.options?.[0] as {
				values: INodeProperties[];
			}
		).values;
		const of = (name: string) => rule.find((p) => p.name === name)?.displayOptions;
		expect(of('text')?.show?.when).toEqual(['aContains', 'aEquals', 'bContains', 'bEquals']);
		expect(of('value')?.show?.then).toEqual(['value']);
		const condition = (
			v1.description.properties.find((p) => p.name === 'filtersA')?.options?.[0] as {
				values: INodeProperties[];
			}
		).values;
		expect(condition.find((p) => p.name === 'value')?.displayOptions?.hide?.op).toEqual([
			'isEmpty',
			'isNotEmpty',
		]);
	});
});

describe('items a person reads', () => {
	const sides = {
		a: { system: 'salesforce' as const, object: 'Contact' },
		b: { system: 'hubspot' as const, object: 'contacts' },
	};

	it('a conflict first found at pairing, one side blank, says so and how to decide', () => {
		const item = conflictItem(
			's1',
			{
				conflictId: 'a:003#Title/jobtitle',
				linkId: 'a:003',
				field: 'Title/jobtitle',
				fieldA: 'Title',
				fieldB: 'jobtitle',
				aId: '003',
				bId: '51',
				base: null,
				a: '',
				b: 'CEO',
				strategy: 'review',
				openSince: '2024-07-01T08:00:00.000Z',
				new: true,
			},
			sides,
		);
		expect(item.summary).toBe(
			'Title of Salesforce Contact 003 is (blank), jobtitle of HubSpot contacts 51 is "CEO" (they differed when first paired). Decide with a CRM Sync or Sync State node, Operation Resolve Conflicts: winner "a" or "b", or a value.',
		);
		expect(Object.keys(item).slice(0, 3)).toEqual(['syncId', 'conflictId', 'summary']);
		expect(item).not.toHaveProperty('base');
	});

	it('a dry run with a tripped delete guard says nothing was written and why deletes were held back', () => {
		const counts = {
			created: { a: 0, b: 2 },
			updated: { a: 1, b: 0 },
			deleted: { a: 0, b: 0 },
			archived: { a: 0, b: 0 },
			read: { a: 3, b: 1 },
			unchanged: 0,
			linkedByMatch: 0,
			ambiguous: 1,
			conflicts: 0,
			failed: 0,
			skippedOutOfScope: 0,
		};
		const summary = reportSummary(
			{
				dryRun: true,
				counts,
				openConflicts: [],
				warnings: [],
				deleteGuard: {
					tripped: true,
					reason: '12 deletions over Max Deletes per Run (10)',
					deletions: 12,
					linked: 40,
				},
			} as unknown as SyncReport,
			sides,
		);
		expect(summary).toBe(
			'Dry run (nothing written) Salesforce Contact ↔ HubSpot contacts: would create 0 in Salesforce Contact, 2 in HubSpot contacts; would update 1 in Salesforce Contact, 0 in HubSpot contacts, 4 records read, 0 open conflicts (0 new), 0 failed records, 1 ambiguous match, deletes held back: 12 deletions over Max Deletes per Run (10).',
		);
	});

	it('conflicts settled by rule (per strategy, as the editor names them) and deletions that won over edits are in the summary', () => {
		const summary = reportSummary(
			{
				dryRun: false,
				counts: {
					created: { a: 0, b: 0 },
					updated: { a: 2, b: 1 },
					deleted: { a: 0, b: 1 },
					archived: { a: 0, b: 0 },
					read: { a: 3, b: 2 },
					unchanged: 0,
					linkedByMatch: 0,
					ambiguous: 0,
					conflicts: 1,
					settledByRule: 3,
					settledByStrategy: { aWins: 2, mostRecent: 1 },
					deletedOverEdits: 1,
					failed: 0,
					skippedOutOfScope: 0,
				},
				openConflicts: [{}],
				warnings: ['a:003 was deleted while its partner b:51 was edited'],
			} as unknown as SyncReport,
			sides,
		);
		expect(summary).toBe(
			'Synced Salesforce Contact ↔ HubSpot contacts: updated 2 in Salesforce Contact, 1 in HubSpot contacts; deleted 0 in Salesforce Contact, 1 in HubSpot contacts, 5 records read, 1 open conflict (1 new), 0 failed records, 3 conflicts settled by rule (A Wins 2, Most Recent 1), 1 deletion won over edits of the partner (the edits were discarded; see warnings), 1 warning.',
		);
	});
});
