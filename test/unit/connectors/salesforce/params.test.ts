/** Named SOQL parameters bound as literals. */
import { bindSoqlParameters } from '../../../../core/connectors/salesforce/params';

describe('bindSoqlParameters', () => {
	it('binds text, numbers, booleans, null, dates and lists as SOQL literals', () => {
		const q = bindSoqlParameters(
			'SELECT Id FROM Contact WHERE LastName = :name AND Age__c > :age AND Active__c = :on AND Email = :none AND CreatedDate > :since AND Id IN :ids',
			{
				name: "O'Brien",
				age: 42.5,
				on: true,
				none: null,
				since: new Date('2024-03-05T10:15:00.000Z'),
				ids: ['a', "b'c"],
			},
		);
		expect(q).toBe(
			"SELECT Id FROM Contact WHERE LastName = 'O\\'Brien' AND Age__c > 42.5 AND Active__c = true AND Email = null AND CreatedDate > 2024-03-05T10:15:00Z AND Id IN ('a','b\\'c')",
		);
	});

	it('keeps a quote, backslash or newline in a value inside the literal (no injection)', () => {
		const evil = "x' OR Name != 'x";
		expect(bindSoqlParameters('SELECT Id FROM Account WHERE Name = :v', { v: evil })).toBe(
			"SELECT Id FROM Account WHERE Name = 'x\\' OR Name != \\'x'",
		);
		expect(
			bindSoqlParameters('SELECT Id FROM Account WHERE Name = :v', { v: "a\\' OR 1=1 --\n" }),
		).toBe("SELECT Id FROM Account WHERE Name = 'a\\\\\\' OR 1=1 --\\n'");
	});

	it('leaves colons inside string literals and date literals such as LAST_N_DAYS:30 alone', () => {
		expect(
			bindSoqlParameters(
				"SELECT Id FROM Case WHERE Subject = 'at 10:30 :x' AND CreatedDate = LAST_N_DAYS:30 AND Origin = :o",
				{ o: 'Web' },
			),
		).toBe(
			"SELECT Id FROM Case WHERE Subject = 'at 10:30 :x' AND CreatedDate = LAST_N_DAYS:30 AND Origin = 'Web'",
		);
		expect(bindSoqlParameters("SELECT Id FROM Case WHERE Subject = 'it\\'s :x'", {})).toBe(
			"SELECT Id FROM Case WHERE Subject = 'it\\'s :x'",
		);
	});

	it('names a missing parameter and refuses an empty list', () => {
		expect(() => bindSoqlParameters('SELECT Id FROM Contact WHERE Email = :email', {})).toThrow(
			/:email, but no parameter named "email" is defined/,
		);
		expect(() =>
			bindSoqlParameters('SELECT Id FROM Contact WHERE Id IN :ids', { ids: [] }),
		).toThrow(/empty list/);
	});
});
