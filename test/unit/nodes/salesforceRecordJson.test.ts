/** Salesforce records as item JSON: the `attributes` envelope goes, on related records too; the rest stays as is. */
import { recordJson } from '../../../nodes/shared/salesforce/records';

describe('recordJson', () => {
	it('drops attributes at every related-record level, keeps field order, subqueries and arrays, copies', () => {
		const subquery = {
			totalSize: 1,
			done: true,
			records: [{ attributes: { type: 'Case' }, Id: '500A' }],
		};
		const record = {
			attributes: { type: 'Contact', url: '/services/data/v62.0/sobjects/Contact/003A' },
			Id: '003A',
			LastName: 'Lovelace',
			Account: {
				attributes: { type: 'Account' },
				Name: 'Acme',
				Owner: { attributes: { type: 'User' }, Email: 'o@example.com' },
			},
			MailingAddress: { city: 'London', country: 'UK' },
			Cases: subquery,
			Tags: ['a', 'b'],
			Amount: null,
		};
		const json = recordJson(record);
		expect(json).toEqual({
			Id: '003A',
			LastName: 'Lovelace',
			Account: { Name: 'Acme', Owner: { Email: 'o@example.com' } },
			MailingAddress: { city: 'London', country: 'UK' },
			Cases: subquery,
			Tags: ['a', 'b'],
			Amount: null,
		});
		expect(Object.keys(json)).toEqual([
			'Id',
			'LastName',
			'Account',
			'MailingAddress',
			'Cases',
			'Tags',
			'Amount',
		]);
		expect(record.attributes).toBeDefined(); // the input is not changed
		expect(record.Account.attributes).toBeDefined();
		expect(json.Cases).toBe(subquery); // subquery results keep their records' attributes, as before
	});
});
