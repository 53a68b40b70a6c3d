/** Every field of an object: a run after the first sends its query while the describe is on its way, used only if the describe agrees. */
import { SalesforceConnector } from '../../../../core/connectors/salesforce/connector';
import { toArray } from '../../../../core/paging/iterate';
import { INSTANCE, fakeConnector } from './fake';

const field = (name: string) => ({
	name,
	label: name,
	type: name === 'Id' ? 'id' : 'string',
	createable: true,
	updateable: true,
	nillable: true,
});

/** A fake org whose Contact has `fields`; the describe answers after 20 ms and notes how many queries came before. */
function org(fields: string[]) {
	const state = { fields, queriesBeforeDescribeAnswered: [] as number[] };
	const fake = fakeConnector(
		async (req) => {
			if (req.path.endsWith('/describe')) {
				await new Promise((resolve) => setTimeout(resolve, 20));
				state.queriesBeforeDescribeAnswered.push(
					fake.calls.filter((c) => c.path.endsWith('/query')).length,
				);
				return { body: { name: 'Contact', fields: state.fields.map(field) } };
			}
			const selected = /^SELECT (.*) FROM Contact$/.exec(req.search.get('q') ?? '')![1].split(', ');
			return {
				body: {
					totalSize: 2,
					done: true,
					records: [1, 2].map((n) => ({
						attributes: { type: 'Contact' },
						...Object.fromEntries(selected.map((f) => [f, `${f}-${n}`])),
					})),
				},
			};
		},
		{},
		{ answerDescribe: false },
	);
	/** One run: a new connector (as each execution makes) over the same org, with the credential's key. */
	const run = async (connectionKey: string) => {
		const connector = new SalesforceConnector({
			instanceUrl: INSTANCE,
			http: fake.connector.http,
			connectionKey,
		});
		const pages = await toArray(
			connector.queryEveryFieldPages('Contact', (list) => connector.selectQuery('Contact', list), {
				readAhead: true,
			}),
		);
		return pages.flat();
	};
	const queries = () =>
		fake.calls.filter((c) => c.path.endsWith('/query')).map((c) => c.search.get('q'));
	return { state, run, queries };
}

describe('SalesforceConnector.queryEveryFieldPages', () => {
	const key = `test-${Date.now()}`;

	it('first run: describe, then the query; next runs: the query goes out before the describe answers', async () => {
		const o = org(['Id', 'FirstName', 'LastName']);
		const first = await o.run(key);
		const second = await o.run(key);
		// Queries the org had seen when each describe answered: none, then the first run's and the second's own.
		expect(o.state.queriesBeforeDescribeAnswered).toEqual([0, 2]);
		expect(second).toEqual(first);
		expect(first[0]).toMatchObject({
			Id: 'Id-1',
			FirstName: 'FirstName-1',
			LastName: 'LastName-1',
		});
		expect(o.queries()).toEqual([
			'SELECT Id, FirstName, LastName FROM Contact',
			'SELECT Id, FirstName, LastName FROM Contact',
		]);
	});

	it('fields changed since: the early page is dropped and the query sent again with the described fields', async () => {
		const o = org(['Id', 'LastName']);
		await o.run(`${key}-changed`);
		o.state.fields = ['Id', 'LastName', 'Phone'];
		const records = await o.run(`${key}-changed`);
		expect(records.map((r) => r.Phone)).toEqual(['Phone-1', 'Phone-2']);
		expect(o.queries()).toEqual([
			'SELECT Id, LastName FROM Contact',
			'SELECT Id, LastName FROM Contact', // sent early, with the fields seen before: not used
			'SELECT Id, LastName, Phone FROM Contact',
		]);
	});

	it('another credential (key) or none: nothing sent before the describe answers', async () => {
		const o = org(['Id', 'LastName']);
		await o.run(`${key}-a`);
		await o.run(`${key}-b`);
		const connector = new SalesforceConnector({
			instanceUrl: INSTANCE,
			http: fakeConnector(() => ({})).connector.http,
		});
		expect(connector.connectionKey).toBeUndefined();
		expect(o.state.queriesBeforeDescribeAnswered).toEqual([0, 1]); // only run a's, sent after its describe
	});
});
