/** The CRM Sync node's own logic: Custom Rules conflict resolution and engine problems in the node's words. */
import type { CrmRecord } from '../../../core/records/types';
import type { ConflictContext } from '../../../core/sync';
import { describeProblem, parameterName } from '../../../nodes/CrmSync/v1/config';
import { readRules, rulesResolver } from '../../../nodes/CrmSync/v1/rules';

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
				{ when: 'bContains', text: 'CHIEF', then: 'b', fields: 'Title, Department' },
				{ when: 'aGreater', then: 'a', fields: 'Amount' },
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
		expect(parameterName('fields[2].b')).toBe('Field Mappings › mapping 3 › Field B');
		expect(parameterName('fields[0].toB[1]')).toBe(
			'Field Mappings › mapping 1 › Transforms / Value Map A → B',
		);
		expect(parameterName('matchKeys[1].a')).toBe('Match Keys › key 2 › Field A');
		expect(parameterName('scope.b[0].field')).toBe('Inclusion Filters B › condition 1 › Field');
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
			'Field Mappings › mapping 2 › Field A: "Name" is read-only on Contact — let values flow only from it (direction "A → B") or remove the pair',
		);
		expect(
			describeProblem(
				'fields[3].key: "Email/email" is used twice — give each field pair its own key',
			),
		).toBe(
			'Field Mappings › mapping 4 › Field A / Field B (used twice): "Email/email" is used twice — remove the duplicate mapping',
		);
	});
});
