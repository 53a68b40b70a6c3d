import {
	FetchXmlError,
	buildPagingCookie,
	escapeXmlAttr,
	formatPagingAnnotation,
	parseFetchXml,
	parsePagingAnnotation,
	parsePagingCookie,
	runFetch,
	type EntityResolver,
	type FetchQuery,
	type Row,
} from '../../sandbox/dynamics/fetchxml';

const NOW = Date.UTC(2024, 6, 10, 15, 30, 0);
const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const resolver: EntityResolver = (name) =>
	name === 'contact'
		? {
				logicalName: 'contact',
				entitySetName: 'contacts',
				primaryKey: 'contactid',
				attributes: [
					'contactid',
					'fullname',
					'firstname',
					'lastname',
					'age',
					'createdon',
					'statecode',
					'emailaddress1',
				],
			}
		: undefined;

function error(fn: () => unknown): FetchXmlError {
	try {
		fn();
	} catch (err) {
		if (err instanceof FetchXmlError) return err;
		throw err;
	}
	throw new Error('expected a FetchXmlError');
}

const run = (q: FetchQuery, rows: Row[]) =>
	runFetch(q, rows, { now: NOW, primaryKey: 'contactid' });
const ids = (rows: Row[]) => rows.map((r) => r.contactid);

/** The client's side of paging: the cookie from the annotation, XML-escaped into `paging-cookie`. */
function fetchXml(attrs: string, inner: string): string {
	return `<fetch ${attrs}><entity name='contact'>${inner}</entity></fetch>`;
}
function nextPageXml(annotation: string, count: number, inner: string): string {
	const a = parsePagingAnnotation(annotation);
	return fetchXml(
		`count="${count}" page="${a.pageNumber}" paging-cookie="${escapeXmlAttr(a.pagingCookie)}"`,
		inner,
	);
}

describe('parseFetchXml', () => {
	it('reads fetch attributes, entity, columns, orders and nested filters', () => {
		const q = parseFetchXml(
			`<?xml version="1.0"?>
			<fetch count='50' page="2" distinct="true" returntotalrecordcount='true'
			  paging-cookie='&lt;cookie page="1"&gt;&lt;contactid last="{A}" first="{B}" /&gt;&lt;/cookie&gt;'>
			  <!-- a comment -->
			  <entity name="contact">
			    <attribute name="fullname" /><attribute name='age'/>
			    <order attribute="age" descending="true" /><order attribute="fullname" />
			    <filter type="or">
			      <condition attribute="age" operator="gt" value="30" />
			      <filter type="and">
			        <condition attribute="lastname" operator="in"><value>Smith</value><value>O&apos;Neil</value></condition>
			        <condition attribute="emailaddress1" operator="not-null" />
			      </filter>
			    </filter>
			  </entity>
			</fetch>`,
			resolver,
		);
		expect(q).toEqual({
			entity: 'contact',
			entitySetName: 'contacts',
			attributes: ['fullname', 'age'],
			orders: [
				{ attribute: 'age', descending: true },
				{ attribute: 'fullname', descending: false },
			],
			filter: {
				kind: 'filter',
				type: 'or',
				children: [
					{ kind: 'condition', attribute: 'age', operator: 'gt', value: '30', values: [] },
					{
						kind: 'filter',
						type: 'and',
						children: [
							{
								kind: 'condition',
								attribute: 'lastname',
								operator: 'in',
								values: ['Smith', "O'Neil"],
							},
							{ kind: 'condition', attribute: 'emailaddress1', operator: 'not-null', values: [] },
						],
					},
				],
			},
			count: 50,
			page: 2,
			pagingCookie: '<cookie page="1"><contactid last="{A}" first="{B}" /></cookie>',
			distinct: true,
			returnTotalRecordCount: true,
		});
	});

	it('treats <all-attributes/> and no columns as all columns; top is kept', () => {
		expect(parseFetchXml(fetchXml('top="3"', '<all-attributes/>')).attributes).toBe('all');
		const q = parseFetchXml(fetchXml('top="3"', ''));
		expect(q.attributes).toBe('all');
		expect(q.top).toBe(3);
	});

	it('refuses top with a paging attribute, with Dataverse message', () => {
		for (const [attrs, name] of [
			['top="5" page="1"', 'page'],
			['top="5" count="10"', 'count'],
			['top="5" returntotalrecordcount="true"', 'returntotalrecordcount'],
		]) {
			const e = error(() => parseFetchXml(fetchXml(attrs, '')));
			expect([e.status, e.code, e.message]).toEqual([
				400,
				'0x80040203',
				`The top attribute can't be specified with paging attribute ${name}`,
			]);
			expect(e.body).toEqual({ error: { code: '0x80040203', message: e.message } });
		}
		expect(error(() => parseFetchXml(fetchXml('top="5001"', ''))).code).toBe('0x80040203');
	});

	it('refuses unknown columns (0x80041103) and tables through the resolver', () => {
		const e = error(() =>
			parseFetchXml(
				fetchXml('', '<filter><condition attribute="x" operator="eq" value="1"/></filter>'),
				resolver,
			),
		);
		expect([e.status, e.code, e.message]).toEqual([
			400,
			'0x80041103',
			"'contact' entity doesn't contain attribute with Name = 'x' and NameMapping = 'Logical'.",
		]);
		expect(
			error(() => parseFetchXml(fetchXml('', '<order attribute="nope"/>'), resolver)).code,
		).toBe('0x80041103');
		const t = error(() => parseFetchXml('<fetch><entity name="widget"/></fetch>', resolver));
		expect([t.status, t.code]).toEqual([404, '0x80041102']);
		// Without a resolver any column passes (the simulator decides).
		expect(parseFetchXml(fetchXml('', '<attribute name="x"/>')).attributes).toEqual(['x']);
	});

	it.each([
		['not closed', '<fetch><entity name="contact"></fetch>'],
		['two roots', '<fetch><entity name="contact"/></fetch><fetch/>'],
		['unquoted attribute', '<fetch count=5><entity name="contact"/></fetch>'],
		['bad entity', '<fetch><entity name="contact">&bogus;</entity></fetch>'],
		['wrong root', '<query><entity name="contact"/></query>'],
		['no entity', '<fetch></fetch>'],
		['bad count', '<fetch count="0"><entity name="contact"/></fetch>'],
		[
			'bad operator',
			fetchXml('', '<filter><condition attribute="age" operator="between" value="1"/></filter>'),
		],
		['missing value', fetchXml('', '<filter><condition attribute="age" operator="eq"/></filter>')],
		['bad filter type', fetchXml('', '<filter type="xor"/>')],
		[
			'link-entity',
			fetchXml('', '<link-entity name="account" from="accountid" to="parentcustomerid"/>'),
		],
	])('refuses malformed FetchXML: %s', (_label, xml) => {
		const e = error(() => parseFetchXml(xml));
		expect([e.status, e.code]).toEqual([400, '0x80040203']);
	});
});

describe('runFetch: conditions', () => {
	const rows: Row[] = [
		{
			contactid: guid(1),
			fullname: 'Alice Smith',
			age: 30,
			createdon: '2024-07-10T09:00:00Z',
			statecode: 0,
		},
		{
			contactid: guid(2),
			fullname: 'bob jones',
			age: 45,
			createdon: '2024-07-03T23:59:59Z',
			statecode: 1,
		},
		{
			contactid: guid(3),
			fullname: 'Carol 100%',
			age: null,
			createdon: '2024-06-01T00:00:00Z',
			statecode: 0,
		},
		{
			contactid: guid(4),
			fullname: null,
			age: 20,
			createdon: '2024-07-11T08:00:00Z',
			statecode: 0,
		},
	];
	const where = (cond: string) =>
		ids(run(parseFetchXml(fetchXml('', `<filter>${cond}</filter>`)), rows).rows).map((id) =>
			Number.parseInt(String(id).slice(-2), 16),
		);
	const c = (attr: string, op: string, value?: string) =>
		`<condition attribute="${attr}" operator="${op}"${value === undefined ? '' : ` value="${value}"`} />`;

	it.each([
		['eq number', c('age', 'eq', '30'), [1]],
		['eq text is case-insensitive', c('fullname', 'eq', 'ALICE SMITH'), [1]],
		['eq guid with braces and upper case', c('contactid', 'eq', `{${guid(2).toUpperCase()}}`), [2]],
		['ne leaves NULL out', c('age', 'ne', '30'), [2, 4]],
		['gt', c('age', 'gt', '30'), [2]],
		['ge', c('age', 'ge', '30'), [1, 2]],
		['lt', c('age', 'lt', '30'), [4]],
		['le', c('age', 'le', '30'), [1, 4]],
		['gt on dates', c('createdon', 'gt', '2024-07-04'), [1, 4]],
		['like %', c('fullname', 'like', '%SMITH'), [1]],
		['like _', c('fullname', 'like', 'bob _ones'), [2]],
		['like [%] literal', c('fullname', 'like', '%100[%]'), [3]],
		['not-like leaves NULL out', c('fullname', 'not-like', '%smith%'), [2, 3]],
		['begins-with', c('fullname', 'begins-with', 'bo'), [2]],
		['not-begin-with', c('fullname', 'not-begin-with', 'bo'), [1, 3]],
		['ends-with takes % literally', c('fullname', 'ends-with', '0%'), [3]],
		['not-end-with', c('fullname', 'not-end-with', 'jones'), [1, 3]],
		[
			'in',
			`<condition attribute="age" operator="in"><value>20</value><value>45</value></condition>`,
			[2, 4],
		],
		[
			'not-in leaves NULL out',
			`<condition attribute="age" operator="not-in"><value>20</value></condition>`,
			[1, 2],
		],
		['null', c('age', 'null'), [3]],
		['not-null', c('fullname', 'not-null'), [1, 2, 3]],
		['on (UTC day)', c('createdon', 'on', '2024-07-03'), [2]],
		['on-or-after', c('createdon', 'on-or-after', '2024-07-10'), [1, 4]],
		['on-or-before (whole day)', c('createdon', 'on-or-before', '2024-07-03'), [2, 3]],
		['last-x-days (midnight 7 days ago .. now)', c('createdon', 'last-x-days', '7'), [1, 2]],
		['last-x-days 0 = today until now', c('createdon', 'last-x-days', '0'), [1]],
	])('%s', (_label, cond, expected) => {
		expect(where(cond)).toEqual(expected);
	});

	it('nests and / or filters', () => {
		const cond = `<condition attribute="statecode" operator="eq" value="0" />
			<filter type="or">${c('age', 'lt', '25')}${c('fullname', 'like', '%carol%')}</filter>`;
		expect(where(cond)).toEqual([3, 4]);
		const or = `<filter type="or"><filter type="and">${c('age', 'gt', '40')}${c('statecode', 'eq', '1')}</filter>${c('age', 'null')}</filter>`;
		expect(where(or)).toEqual([2, 3]);
		// Several <filter> children of <entity> are and-ed.
		const q = parseFetchXml(
			fetchXml(
				'',
				`<filter>${c('statecode', 'eq', '0')}</filter><filter>${c('age', 'ge', '25')}</filter>`,
			),
		);
		expect(ids(run(q, rows).rows)).toEqual([guid(1)]);
	});

	it('projects to the columns plus the primary key and leaves nulls out', () => {
		const q = parseFetchXml(fetchXml('', '<attribute name="fullname"/><attribute name="age"/>'));
		expect(run(q, rows).rows).toEqual([
			{ contactid: guid(1), fullname: 'Alice Smith', age: 30 },
			{ contactid: guid(2), fullname: 'bob jones', age: 45 },
			{ contactid: guid(3), fullname: 'Carol 100%' },
			{ contactid: guid(4), age: 20 },
		]);
	});
});

describe('runFetch: ordering', () => {
	const rows: Row[] = [
		{ contactid: guid(5), lastname: 'b', age: 2 },
		{ contactid: guid(1), lastname: 'B', age: 1 },
		{ contactid: guid(3), lastname: null, age: 3 },
		{ contactid: guid(2), lastname: 'a', age: 10 },
		{ contactid: guid(4), lastname: 'c', age: null },
	];
	const order = (inner: string) => ids(run(parseFetchXml(fetchXml('', inner)), rows).rows);

	it('sorts NULL first, text case-insensitively, the primary key last', () => {
		expect(order('<order attribute="lastname"/>')).toEqual([
			guid(3),
			guid(2),
			guid(1),
			guid(5),
			guid(4),
		]);
		expect(order('<order attribute="lastname" descending="true"/>')).toEqual([
			guid(4),
			guid(1), // equal names keep the primary key ascending
			guid(5),
			guid(2),
			guid(3),
		]);
		expect(order('<order attribute="age"/>')).toEqual([
			guid(4),
			guid(1),
			guid(5),
			guid(3),
			guid(2),
		]);
		expect(order('')).toEqual([guid(1), guid(2), guid(3), guid(4), guid(5)]);
		expect(order('<order attribute="contactid" descending="true"/>')).toEqual([
			guid(5),
			guid(4),
			guid(3),
			guid(2),
			guid(1),
		]);
	});

	it('top returns the first rows without paging', () => {
		const r = run(
			parseFetchXml(fetchXml('top="2"', '<order attribute="age" descending="true"/>')),
			rows,
		);
		expect([ids(r.rows), r.moreRecords, r.pagingCookie]).toEqual([
			[guid(2), guid(3)],
			false,
			undefined,
		]);
	});
});

describe('runFetch: paging', () => {
	const big: Row[] = Array.from({ length: 12_000 }, (_, i) => ({
		contactid: guid(i + 1),
		lastname: `name${String(Math.floor(i / 3)).padStart(5, '0')}`, // three rows per name
	}));

	it('pages 12,000 rows by 5,000 with cookies: every row once, in order', () => {
		const seen: unknown[] = [];
		let xml = fetchXml('count="5000" page="1"', '<attribute name="lastname"/>');
		const sizes: number[] = [];
		const annotations: string[] = [];
		for (let guard = 0; guard < 10; guard++) {
			const r = run(parseFetchXml(xml), big);
			seen.push(...ids(r.rows));
			sizes.push(r.rows.length);
			if (!r.moreRecords) {
				expect(r.pagingCookie).toBeUndefined();
				break;
			}
			annotations.push(r.pagingCookie!);
			xml = nextPageXml(r.pagingCookie!, 5000, '<attribute name="lastname"/>');
		}
		expect(sizes).toEqual([5000, 5000, 2000]);
		expect(seen).toEqual(big.map((r) => r.contactid));
		expect(annotations[0]).toMatch(
			/^<cookie pagenumber="2" pagingcookie="%253ccookie%2520page%253d%25221%2522%253e%253ccontactid%2520last%253d%2522%257b00000000-0000-4000-8000-000000001388%257d%2522%2520first%253d%2522%257b00000000-0000-4000-8000-000000000001%257d%2522%2520%252f%253e%253c%252fcookie%253e" istracking="False" \/>$/,
		);
		expect(parsePagingAnnotation(annotations[1]).pageNumber).toBe(3);
	});

	it('serves at most 5,000 rows per page even when count asks for more', () => {
		const r = run(parseFetchXml(fetchXml('count="10000"', '')), big);
		expect([r.rows.length, r.moreRecords]).toEqual([5000, true]);
		const d = run(parseFetchXml(fetchXml('', '')), big);
		expect(d.rows.length).toBe(5000);
	});

	it('pages by another column: the cookie carries its first/last values and nothing is lost at ties', () => {
		const inner = '<attribute name="lastname"/><order attribute="lastname" descending="true"/>';
		const expected = [...big]
			.sort((a, b) =>
				a.lastname! < b.lastname!
					? 1
					: a.lastname! > b.lastname!
						? -1
						: a.contactid! < b.contactid!
							? -1
							: 1,
			)
			.map((r) => r.contactid);
		const seen: unknown[] = [];
		let r = run(parseFetchXml(fetchXml('count="1000" page="1"', inner)), big);
		const cookie1 = parsePagingCookie(parsePagingAnnotation(r.pagingCookie!).pagingCookie)!;
		expect(cookie1).toEqual({
			page: 1,
			keys: [
				{ attribute: 'lastname', last: 'name03666', first: 'name03999' },
				{
					attribute: 'contactid',
					last: `{${guid(10_999).toUpperCase()}}`,
					first: `{${guid(11_998).toUpperCase()}}`,
				},
			],
		});
		seen.push(...ids(r.rows));
		while (r.moreRecords) {
			r = run(parseFetchXml(nextPageXml(r.pagingCookie!, 1000, inner)), big);
			seen.push(...ids(r.rows));
		}
		expect(seen).toEqual(expected);
	});

	it('continues after the cookie: a row inserted before it is not read again (offset paging would)', () => {
		const rows = big.slice(0, 10).map((r) => ({ ...r }));
		const q1 = parseFetchXml(fetchXml('count="4" page="1"', ''));
		const p1 = run(q1, rows);
		expect(ids(p1.rows)).toEqual(rows.slice(0, 4).map((r) => r.contactid));
		// A row sorting before the cookie's last key arrives between the two requests.
		rows.push({ contactid: guid(0), lastname: 'early' });
		const p2 = run(parseFetchXml(nextPageXml(p1.pagingCookie!, 4, '')), rows);
		expect(ids(p2.rows)).toEqual(rows.slice(4, 8).map((r) => r.contactid));
		// Simple paging (no cookie) shifts by one and reads guid(4) a second time.
		const p2Offset = run(parseFetchXml(fetchXml('count="4" page="2"', '')), rows);
		expect(ids(p2Offset.rows)[0]).toBe(guid(4));
	});

	it('ignores a cookie for a non-consecutive page and pages by offset', () => {
		const rows = big.slice(0, 10);
		const p1 = run(parseFetchXml(fetchXml('count="2" page="1"', '')), rows);
		const a = parsePagingAnnotation(p1.pagingCookie!);
		const xml = fetchXml(`count="2" page="4" paging-cookie="${escapeXmlAttr(a.pagingCookie)}"`, '');
		expect(ids(run(parseFetchXml(xml), rows).rows)).toEqual([guid(7), guid(8)]);
	});

	it('writes lastnull/firstnull for null sort values and pages through them', () => {
		const rows: Row[] = [
			{ contactid: guid(1), lastname: null },
			{ contactid: guid(2), lastname: null },
			{ contactid: guid(3), lastname: 'x' },
		];
		const inner = '<order attribute="lastname"/>';
		const p1 = run(parseFetchXml(fetchXml('count="2"', inner)), rows);
		const cookie = parsePagingAnnotation(p1.pagingCookie!).pagingCookie;
		expect(cookie).toBe(
			`<cookie page="1"><lastname lastnull="1" firstnull="1" /><contactid last="{${guid(2).toUpperCase()}}" first="{${guid(1).toUpperCase()}}" /></cookie>`,
		);
		const p2 = run(parseFetchXml(nextPageXml(p1.pagingCookie!, 2, inner)), rows);
		expect([ids(p2.rows), p2.moreRecords]).toEqual([[guid(3)], false]);
	});

	it('returns the total record count capped at 5,000', () => {
		const r = run(parseFetchXml(fetchXml('count="10" returntotalrecordcount="true"', '')), big);
		expect([r.totalRecordCount, r.totalRecordCountLimitExceeded]).toEqual([5000, true]);
		const s = run(
			parseFetchXml(fetchXml('count="10" returntotalrecordcount="true"', '')),
			big.slice(0, 42),
		);
		expect([s.totalRecordCount, s.totalRecordCountLimitExceeded]).toEqual([42, false]);
	});

	it('distinct drops duplicate projected rows and pages by offset', () => {
		const r = run(
			parseFetchXml(
				fetchXml(
					'distinct="true" count="2" page="2"',
					'<attribute name="lastname"/><order attribute="lastname"/>',
				),
			),
			big.slice(0, 9),
		);
		expect([r.rows, r.moreRecords, r.pagingCookie]).toEqual([
			[{ lastname: 'name00002' }],
			false,
			undefined,
		]);
	});
});

describe('paging cookie format', () => {
	it("matches the annotation in Microsoft's Web API example byte for byte", () => {
		const cookie = buildPagingCookie({
			page: 1,
			keys: [
				{
					attribute: 'fullname',
					last: 'Susanna Stubberod (sample)',
					first: 'Yvonne McKay (sample)',
				},
				{
					attribute: 'contactid',
					last: '{70BF4D48-34CB-ED11-B596-0022481D68CD}',
					first: '{49B0BE2E-D01C-ED11-B83E-000D3A572421}',
				},
			],
		});
		const annotation = formatPagingAnnotation(2, cookie);
		expect(annotation).toBe(
			'<cookie pagenumber="2" pagingcookie="%253ccookie%2520page%253d%25221%2522%253e%253cfullname%2520last%253d%2522Susanna%2520Stubberod%2520%2528sample%2529%2522%2520first%253d%2522Yvonne%2520McKay%2520%2528sample%2529%2522%2520%252f%253e%253ccontactid%2520last%253d%2522%257b70BF4D48-34CB-ED11-B596-0022481D68CD%257d%2522%2520first%253d%2522%257b49B0BE2E-D01C-ED11-B83E-000D3A572421%257d%2522%2520%252f%253e%253c%252fcookie%253e" istracking="False" />',
		);
		const back = parsePagingAnnotation(annotation);
		expect(back).toEqual({ pageNumber: 2, pagingCookie: cookie, isTracking: false });
		expect(parsePagingCookie(back.pagingCookie)).toEqual({
			page: 1,
			keys: [
				{
					attribute: 'fullname',
					last: 'Susanna Stubberod (sample)',
					first: 'Yvonne McKay (sample)',
				},
				{
					attribute: 'contactid',
					last: '{70BF4D48-34CB-ED11-B596-0022481D68CD}',
					first: '{49B0BE2E-D01C-ED11-B83E-000D3A572421}',
				},
			],
		});
	});

	it('round-trips values that need XML and URL escaping', () => {
		const keys = [{ attribute: 'fullname', last: 'A & "B" <c> 100% ü', first: "d'e" }];
		const back = parsePagingAnnotation(
			formatPagingAnnotation(3, buildPagingCookie({ page: 2, keys })),
		);
		expect(back.pagingCookie).toContain('&amp;');
		expect(parsePagingCookie(back.pagingCookie)).toEqual({ page: 2, keys });
		expect(parsePagingCookie('not xml')).toBeUndefined();
	});
});
