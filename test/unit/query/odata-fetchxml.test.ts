import {
	encodeODataParam,
	fetchCondition,
	fetchFilter,
	fetchLikePattern,
	fetchXmlName,
	fetchXmlValue,
	odata,
	odataDate,
	odataDateTimeOffset,
	odataGuid,
	odataIdentifier,
	odataLiteral,
	odataString,
	QueryValueError,
} from '../../../core/query';

describe('OData $filter', () => {
	it('doubles single quotes and leaves everything else to URL encoding', () => {
		expect(odataString("O'Brien")).toBe("'O''Brien'");
		expect(odataString("''")).toBe("''''''");
		expect(odataString('back\\slash "dq" Zoë\nnew')).toBe(`'back\\slash "dq" Zoë\nnew'`);
	});

	it('keeps an injection attempt a single literal', () => {
		const value = "x' or 1 eq 1 or name eq 'y";
		expect(odataString(value)).toBe("'x'' or 1 eq 1 or name eq ''y'");
		expect(odata`emailaddress1 eq ${value}`.text).toBe(
			"emailaddress1 eq 'x'' or 1 eq 1 or name eq ''y'",
		);
	});

	it('formats literals: numbers, booleans, null, GUIDs, dates and DateTimeOffsets bare', () => {
		expect(odataLiteral(3.25)).toBe('3.25');
		expect(odataLiteral(1e-7)).toBe('0.0000001');
		expect(odataLiteral(true)).toBe('true');
		expect(odataLiteral(null)).toBe('null');
		expect(odataLiteral(new Date('2024-03-05T10:15:00Z'))).toBe('2024-03-05T10:15:00Z');
		expect(odataDateTimeOffset(new Date('2024-03-05T10:15:00.120Z'))).toBe(
			'2024-03-05T10:15:00.120Z',
		);
		expect(odataDate(new Date('2024-03-05T10:15:00Z'))).toBe('2024-03-05');
		expect(odataGuid('{0F8FAD5B-D9CB-469F-A165-70867728950E}')).toBe(
			'0f8fad5b-d9cb-469f-a165-70867728950e',
		);
		expect(() => odataGuid("0f8fad5b' or 1 eq 1")).toThrow('is not a GUID');
		expect(() => odataLiteral(Number.POSITIVE_INFINITY)).toThrow(
			'Infinity cannot be used in OData',
		);
	});

	it('validates property names', () => {
		expect(odataIdentifier('_parentcustomerid_value')).toBe('_parentcustomerid_value');
		expect(odataIdentifier('parentcustomerid_account/name')).toBe('parentcustomerid_account/name');
		for (const bad of ['name eq 1', "name'", 'a/', 'x)', '', 'a-b'])
			expect(() => odataIdentifier(bad)).toThrow(QueryValueError);
	});

	it('binds template values, lists, GUIDs and membership', () => {
		const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
		const filter = odata`${odata.id('_parentcustomerid_value')} eq ${odata.guid(id)} and modifiedon ge ${new Date('2024-03-05T00:00:00Z')} and statecode in ${[0, 1]} and ${odata.anyOf('firstname', ["Ann'", 'Bo'])}`;
		expect(filter.text).toBe(
			"_parentcustomerid_value eq 0f8fad5b-d9cb-469f-a165-70867728950e and modifiedon ge 2024-03-05T00:00:00Z and statecode in (0,1) and (firstname eq 'Ann''' or firstname eq 'Bo')",
		);
		expect(() => odata`name eq '${'x'}'`).toThrow(
			'odata: value 1 is placed inside quotes in the filter text',
		);
		expect(() => odata`statecode in ${[]}`).toThrow('is an empty list');
		expect(odata`name eq 'it''s' and x eq ${1}`.text).toBe("name eq 'it''s' and x eq 1");
	});

	it('percent-encodes a filter for a URL: # & + % space encoded, quote kept', () => {
		const filter = odata`name eq ${"AT&T #1 + 100% 'ok'"}`.text;
		expect(filter).toBe("name eq 'AT&T #1 + 100% ''ok'''");
		expect(encodeODataParam(filter)).toBe("name%20eq%20'AT%26T%20%231%20%2B%20100%25%20''ok'''");
		expect(decodeURIComponent(encodeODataParam(filter))).toBe(filter);
		expect(encodeODataParam('Zoë')).toBe('Zo%C3%AB');
		expect(() => encodeODataParam('bad \uD800')).toThrow('unpaired surrogate');
	});
});

describe('FetchXML', () => {
	it('XML-escapes values, keeps whitespace with character references, refuses non-XML characters', () => {
		expect(fetchXmlValue(`<a href="x">Tom & Jerry's</a>`)).toBe(
			'&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;',
		);
		expect(fetchXmlValue('a\tb\nc\r')).toBe('a&#x9;b&#xA;c&#xD;');
		expect(fetchXmlValue('Zoë 日本 👍')).toBe('Zoë 日本 👍');
		expect(fetchXmlValue(12.5)).toBe('12.5');
		expect(fetchXmlValue(true)).toBe('1');
		expect(fetchXmlValue(new Date('2024-03-05T10:15:00Z'))).toBe('2024-03-05T10:15:00Z');
		expect(() => fetchXmlValue('bell\u0007')).toThrow(
			'"bell\\u0007" contains the character U+0007, which XML cannot carry — remove it from the value',
		);
		expect(() => fetchXmlValue('lone \uDC00')).toThrow('U+DC00');
		expect(() => fetchXmlValue(null as unknown as string)).toThrow(
			'null cannot be used as a FetchXML value — use the "null" / "not-null" operators',
		);
	});

	it('keeps an injection attempt inside the value attribute', () => {
		const value = '"/><condition attribute="x" operator="not-null"/>';
		expect(fetchCondition('emailaddress1', 'eq', value)).toBe(
			'<condition attribute="emailaddress1" operator="eq" value="&quot;/&gt;&lt;condition attribute=&quot;x&quot; operator=&quot;not-null&quot;/&gt;" />',
		);
	});

	it('builds conditions for each operator kind and checks the values', () => {
		expect(fetchCondition('statecode', 'eq', 0)).toBe(
			'<condition attribute="statecode" operator="eq" value="0" />',
		);
		expect(fetchCondition('telephone1', 'null')).toBe(
			'<condition attribute="telephone1" operator="null" />',
		);
		expect(fetchCondition('createdon', 'last-x-days', 30)).toBe(
			'<condition attribute="createdon" operator="last-x-days" value="30" />',
		);
		expect(fetchCondition('name', 'in', ['A&B', "C'D"])).toBe(
			'<condition attribute="name" operator="in"><value>A&amp;B</value><value>C&apos;D</value></condition>',
		);
		expect(fetchCondition('revenue', 'between', [10, 20])).toBe(
			'<condition attribute="revenue" operator="between"><value>10</value><value>20</value></condition>',
		);
		expect(
			fetchCondition('fullname', 'like', fetchLikePattern('50%_[x]', 'startsWith'), {
				entityName: 'ac',
			}),
		).toBe(
			'<condition entityname="ac" attribute="fullname" operator="like" value="50[%][_][[]x]%" />',
		);
		expect(fetchCondition('modifiedon', 'on-or-after', new Date('2024-03-05T00:00:00Z'))).toBe(
			'<condition attribute="modifiedon" operator="on-or-after" value="2024-03-05T00:00:00Z" />',
		);

		expect(() => fetchCondition('name', 'equals' as 'eq', 'x')).toThrow(
			'condition on "name": "equals" is not a FetchXML operator — use one of eq, ne,',
		);
		expect(() => fetchCondition('name', 'null', 'x')).toThrow(
			'condition "name null" takes no value, got "x" — remove the value',
		);
		expect(() => fetchCondition('name', 'eq')).toThrow(
			'condition "name eq" takes exactly one value, got none',
		);
		expect(() => fetchCondition('createdon', 'last-x-days', '7 or 1')).toThrow(
			'condition "createdon last-x-days" takes a whole number (e.g. 30), got "7 or 1"',
		);
		expect(() => fetchCondition('revenue', 'between', [1])).toThrow(
			'takes exactly two values, got 1',
		);
		expect(() => fetchCondition('name', 'in', [])).toThrow('needs at least one value');
		expect(() => fetchCondition('name', 'in', 'x')).toThrow('takes a list of values, got "x"');
		expect(() => fetchCondition('name" operator="not-null', 'eq', 'x')).toThrow(QueryValueError);
		expect(() => fetchCondition('name', 'eq', 'x', { entityName: 'a b' })).toThrow(
			'"a b" is not a valid FetchXML attribute or entity name',
		);
	});

	it('validates names and wraps filters', () => {
		expect(fetchXmlName('new_customfield')).toBe('new_customfield');
		expect(fetchFilter('or', [fetchCondition('a', 'eq', 1), fetchCondition('b', 'not-null')])).toBe(
			'<filter type="or"><condition attribute="a" operator="eq" value="1" /><condition attribute="b" operator="not-null" /></filter>',
		);
		expect(() => fetchFilter('and', [])).toThrow('a filter needs at least one condition');
	});
});
