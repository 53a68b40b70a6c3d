/**
 * Look-ups by value (`col eq 'v'`, `or`s of them, `Microsoft.Dynamics.CRM.In(…)`) on leads answered from the simulator's index
 * give what the scan gives, row for row and page by page: each is compared, through dynamics-web-api, with the same
 * filter wrapped in `not (not (…))` (the same truth, which no index answers). Dataverse compares text
 * case-insensitively and accent-sensitively; rows whose text is not plain ASCII still match by that collation.
 */
import { startDv, type StartedDv } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are arbitrary JSON navigated in assertions
type Json = any;

describe('Dataverse simulator: indexed look-ups in $filter', () => {
	let s: StartedDv;
	const ids: string[] = [];

	beforeAll(async () => {
		s = await startDv({ seed: 12 });
		const emails = [
			'ada@example.com',
			'ADA@example.com',
			'bob@example.com',
			'ÇA@example.com',
			'ça@example.com',
			'ca@example.com',
			'Ｃa@example.com',
			'dup@example.com',
			'dup@example.com',
			null,
		];
		emails.forEach((email, i) =>
			ids.push(
				s.sim.createDirect('lead', {
					subject: 'Look-up',
					lastname: `Row ${i}`,
					firstname: i % 2 ? 'Odd' : 'Even',
					...(email === null ? {} : { emailaddress1: email }),
				}).id,
			),
		);
	});
	afterAll(() => s.sim.stop());

	const rows = async (filter: string, maxPageSize?: number) => {
		const res: Json = await s.api.retrieveAll({
			collection: 'leads',
			select: ['lastname', 'emailaddress1'],
			filter,
			orderBy: ['emailaddress1 desc'],
			maxPageSize,
		});
		return res.value.map((r: Json) => `${r.lastname}|${r.emailaddress1}`);
	};
	const same = async (filter: string, expected: number) => {
		for (const pageSize of [undefined, 2]) {
			const indexed = await rows(filter, pageSize);
			expect({ filter, pageSize, rows: indexed }).toEqual({
				filter,
				pageSize,
				rows: await rows(`not (not (${filter}))`, pageSize),
			});
			expect({ filter, count: indexed.length }).toEqual({ filter, count: expected });
		}
	};
	const inList = (values: string[]) =>
		`Microsoft.Dynamics.CRM.In(PropertyName='emailaddress1',PropertyValues=[${values.map((v) => JSON.stringify(v)).join(',')}])`;

	it("eq, or and In on a text column: the scan's rows, case-insensitive, duplicates and all", async () => {
		await same("emailaddress1 eq 'Ada@Example.COM'", 2);
		await same("emailaddress1 eq 'dup@example.com' or emailaddress1 eq 'BOB@example.com'", 3);
		await same(inList(['ada@example.com', 'dup@example.com', 'nobody@example.com']), 4);
		await same(`${inList(['ada@example.com', 'bob@example.com'])} and firstname eq 'Odd'`, 1);
		// Beyond ASCII, the collation decides: width and case differences do not count, accents do.
		// 'ca@…' equals the full-width 'Ｃa@…' (a width difference, like case), not 'ça@…' (an accent).
		await same("emailaddress1 eq 'ca@example.com'", 2);
		await same("emailaddress1 eq 'ça@example.com'", 2);
		await same("'CA@EXAMPLE.COM' eq emailaddress1", 2);
	});

	it('on the primary key, and kept in step with updates and deletions', async () => {
		await same(`leadid eq ${ids[2]}`, 1);
		await same(
			`Microsoft.Dynamics.CRM.In(PropertyName='leadid',PropertyValues=["${ids[0].toUpperCase()}","${ids[3]}"])`,
			2,
		);
		s.sim.updateDirect('lead', ids[2], { emailaddress1: 'ada@example.com' });
		s.sim.deleteDirect('lead', ids[0]);
		await same("emailaddress1 eq 'ada@example.com'", 2);
		await same("emailaddress1 eq 'bob@example.com'", 0);
		s.sim.updateDirect('lead', ids[9], { emailaddress1: 'Bob@example.com' });
		await same(inList(['bob@example.com']), 1);
	});
});
