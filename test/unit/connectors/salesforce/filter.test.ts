/** Get Many's SOQL WHERE clause: values typed by the field's describe, escaped, and refused with a fix when wrong. */
import type { FieldSchema } from '../../../../core/connectors/contract';
import {
	soqlCondition,
	soqlFieldValue,
	soqlOrderBy,
	soqlWhere,
} from '../../../../core/connectors/salesforce/filter';
import type { FieldDescribe } from '../../../../core/connectors/salesforce/connector';
import { toFieldSchema } from '../../../../core/connectors/salesforce/schema';
import { QueryValueError } from '../../../../core/query/common';

/** A field as Salesforce's describe reports it, in the common schema. */
function field(name: string, type: string): FieldSchema {
	return toFieldSchema({
		name,
		label: name,
		type,
		createable: true,
		updateable: true,
		nillable: true,
	} as FieldDescribe);
}

const FIELDS = [
	field('Id', 'id'),
	field('LastName', 'string'),
	field('Phone', 'phone'),
	field('NumberOfEmployees', 'int'),
	field('Amount', 'currency'),
	field('HasOptedOutOfEmail', 'boolean'),
	field('Birthdate', 'date'),
	field('LastActivity__c', 'datetime'),
	field('AccountId', 'reference'),
	field('LeadSource', 'picklist'),
];
const where = (field: string, operator: string, value?: unknown) =>
	soqlWhere([{ field, operator, value }], FIELDS)?.text;

describe('Salesforce Get Many conditions', () => {
	it('escapes quotes and backslashes in text values', () => {
		expect(where('LastName', 'equal', "O'Brien")).toBe("LastName = 'O\\'Brien'");
		expect(where('LastName', 'equal', 'C:\\temp')).toBe("LastName = 'C:\\\\temp'");
		expect(where('LastName', 'equal', 'say "hi"\n')).toBe(`LastName = 'say \\"hi\\"\\n'`);
	});

	it('keeps injection attempts inside one literal', () => {
		expect(where('LastName', 'equal', "x' OR Name != '")).toBe("LastName = 'x\\' OR Name != \\''");
		expect(where('LastName', 'notEqual', "\\' OR Id != null OR Name = '")).toBe(
			"LastName != '\\\\\\' OR Id != null OR Name = \\''",
		);
		expect(where('LastName', 'in', "a', 'b') OR (Name != 'x")).toBe(
			"LastName IN ('a\\'','\\'b\\') OR (Name != \\'x')",
		);
		expect(where('LastName', 'like', "%' OR Name LIKE '%")).toBe(
			"LastName LIKE '%\\' OR Name LIKE \\'%'",
		);
		// A field name is an identifier, never text: anything but an API name is refused.
		expect(() => where('LastName = null OR Id', 'equal', 'x')).toThrow(
			/is not a valid SOQL field or object name/,
		);
		// A number field never takes text into the query.
		expect(() => where('NumberOfEmployees', 'greater', '1 OR Id != null')).toThrow(QueryValueError);
	});

	it('binds text as text: "00123" and "null" stay strings', () => {
		expect(where('Phone', 'equal', '00123')).toBe("Phone = '00123'");
		expect(where('LastName', 'equal', 'null')).toBe("LastName = 'null'");
		expect(where('LeadSource', 'notEqual', 'Web')).toBe("LeadSource != 'Web'");
	});

	it('binds numbers unquoted, exactly', () => {
		expect(where('NumberOfEmployees', 'greaterOrEqual', ' 250 ')).toBe('NumberOfEmployees >= 250');
		expect(where('Amount', 'less', '-3.50')).toBe('Amount < -3.5');
		expect(where('Amount', 'lessOrEqual', '1e21')).toBe('Amount <= 1000000000000000000000');
		expect(where('Amount', 'equal', 12.5)).toBe('Amount = 12.5');
	});

	it('binds booleans as true / false', () => {
		expect(where('HasOptedOutOfEmail', 'equal', 'TRUE')).toBe('HasOptedOutOfEmail = true');
		expect(where('HasOptedOutOfEmail', 'equal', false)).toBe('HasOptedOutOfEmail = false');
	});

	it('binds dates and date-times as SOQL literals, relative ones included', () => {
		expect(where('Birthdate', 'greater', '2000-02-29')).toBe('Birthdate > 2000-02-29');
		expect(where('Birthdate', 'equal', '2024-03-05T10:15:00+02:00')).toBe('Birthdate = 2024-03-05');
		expect(where('Birthdate', 'equal', 'today')).toBe('Birthdate = TODAY');
		expect(where('LastActivity__c', 'less', '2024-03-05T11:15:30+01:00')).toBe(
			'LastActivity__c < 2024-03-05T10:15:30Z',
		);
		expect(where('LastActivity__c', 'greater', new Date('2024-03-05T10:15:30.789Z'))).toBe(
			'LastActivity__c > 2024-03-05T10:15:30Z',
		);
		expect(where('LastActivity__c', 'greater', 'LAST_N_DAYS:30')).toBe(
			'LastActivity__c > LAST_N_DAYS:30',
		);
	});

	it('binds record ids of id and reference fields', () => {
		expect(where('Id', 'equal', '003000000000001AAA')).toBe("Id = '003000000000001AAA'");
		expect(where('AccountId', 'in', '001000000000001,001000000000002AAA')).toBe(
			"AccountId IN ('001000000000001','001000000000002AAA')",
		);
	});

	it('binds IN lists from comma-separated text, JSON arrays and arrays, each value as the field type', () => {
		expect(where('LastName', 'in', `["D'Arcy", "Bob"]`)).toBe("LastName IN ('D\\'Arcy','Bob')");
		expect(where('NumberOfEmployees', 'notIn', '1, 2,3')).toBe('NumberOfEmployees NOT IN (1,2,3)');
		expect(where('Birthdate', 'in', ['2024-01-01', 'YESTERDAY'])).toBe(
			'Birthdate IN (2024-01-01,YESTERDAY)',
		);
		expect(() => where('LastName', 'in', ' , ')).toThrow(
			'Condition on LastName: IN needs at least one value',
		);
		expect(() => where('LastName', 'in', '["a", ')).toThrow(
			'Condition on LastName: the value starts with "[" but is not a JSON array',
		);
		expect(() => where('NumberOfEmployees', 'in', '1, two')).toThrow(
			/NumberOfEmployees is an int field and expects a number, got "two"/,
		);
	});

	it('compares with null for IS EMPTY / IS NOT EMPTY, whatever the value', () => {
		expect(where('Phone', 'isEmpty', 'ignored')).toBe('Phone = null');
		expect(where('NumberOfEmployees', 'isNotEmpty')).toBe('NumberOfEmployees != null');
	});

	it('keeps LIKE patterns as text with their wildcards', () => {
		expect(where('NumberOfEmployees', 'like', '1%')).toBe("NumberOfEmployees LIKE '1%'");
		expect(where('LastName', 'like', 'Sm_th%')).toBe("LastName LIKE 'Sm_th%'");
	});

	it('refuses a value that does not fit the field, naming the field and the fix', () => {
		expect(() => where('HasOptedOutOfEmail', 'equal', 'yes')).toThrow(
			'Condition on HasOptedOutOfEmail: HasOptedOutOfEmail is a boolean field and expects true or false, got "yes" — change the value to true or false (use IS EMPTY to match empty fields)',
		);
		expect(() => where('Amount', 'equal', '12,50')).toThrow(
			/Amount is a currency field and expects a number, got "12,50" — change the value to a plain number/,
		);
		expect(() => where('Amount', 'equal', '1e400')).toThrow(/expects a number/);
		expect(() => where('Birthdate', 'equal', '05/03/2024')).toThrow(
			/Birthdate is a date field and expects a date, got "05\/03\/2024" — change the value to YYYY-MM-DD/,
		);
		expect(() => where('Birthdate', 'equal', '2023-02-29')).toThrow(/expects a date/);
		expect(() => where('LastActivity__c', 'equal', 'yesterday at noon')).toThrow(
			/LastActivity__c is a datetime field and expects a date and time/,
		);
		expect(() => where('AccountId', 'equal', "001' OR Id != '")).toThrow(
			/AccountId is a reference field and expects a record ID/,
		);
		expect(() => where('NumberOfEmployees', 'equal', '')).toThrow(/use IS EMPTY/);
	});

	it('refuses an unknown operator and a condition without a field', () => {
		expect(() => where('LastName', '=', 'x')).toThrow(
			'Condition on LastName: unknown operator "=" — use one of equal, notEqual',
		);
		expect(() => where('LastName', 'constructor', 'x')).toThrow(/unknown operator/);
		expect(() => where(' ', 'equal', 'x')).toThrow('A condition has no field');
	});

	it('matches field names case-insensitively and binds fields describe does not list as text', () => {
		expect(where('numberofemployees', 'equal', '5')).toBe('numberofemployees = 5');
		expect(where('Account.Name', 'equal', 'Acme')).toBe("Account.Name = 'Acme'");
		expect(soqlCondition({ field: 'Custom__c', operator: 'equal', value: 7 }).text).toBe(
			"Custom__c = '7'",
		);
	});

	it('joins conditions with AND, and has no clause without conditions', () => {
		expect(
			soqlWhere(
				[
					{ field: 'LastName', operator: 'like', value: 'A%' },
					{ field: 'NumberOfEmployees', operator: 'greater', value: '10' },
				],
				FIELDS,
			)?.text,
		).toBe("LastName LIKE 'A%' AND NumberOfEmployees > 10");
		expect(soqlWhere([], FIELDS)).toBeUndefined();
	});

	it('orders by a validated field, ascending unless DESC', () => {
		expect(soqlOrderBy('LastName', 'desc')).toBe('LastName DESC');
		expect(soqlOrderBy('LastName', 'sideways')).toBe('LastName ASC');
		expect(soqlOrderBy(undefined)).toBeUndefined();
		expect(() => soqlOrderBy('LastName; DELETE')).toThrow(QueryValueError);
	});

	it('binds a single value without a condition', () => {
		expect(soqlFieldValue('42', FIELDS[3])).toBe(42);
		expect(soqlFieldValue('x', undefined, 'Other')).toBe('x');
	});
});
