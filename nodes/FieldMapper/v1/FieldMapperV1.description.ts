/**
 * Parameters of Field Mapper v1. Every rule of the "Define Below" mode is one entry of `mappings.rules`;
 * `buildSpec.ts` turns them into the core's `MappingSpec`, which the "JSON" mode takes as it is.
 */
import type { INodeProperties } from 'n8n-workflow';

/** Transform steps, as shown in the editor (value = the core's `Transform['type']`). */
const transformTypeOptions = [
	{
		name: 'Empty to Null',
		value: 'emptyToNull',
		description: 'Turns an empty text or empty list into null',
	},
	{
		name: 'Join List Into Text',
		value: 'join',
		description: 'Joins a list into one text with a separator',
	},
	{
		name: 'Look Up Value',
		value: 'lookup',
		description: 'Replaces a value by its entry in a table, e.g. "DE" → "Germany"',
	},
	{ name: 'Lowercase', value: 'lowercase' },
	{
		name: 'Replace Text',
		value: 'replace',
		description: 'Replaces text, optionally with a regular expression',
	},
	{
		name: 'Split Text Into List',
		value: 'split',
		description: 'Splits a text into a list at a separator',
	},
	{
		name: 'Title Case',
		value: 'titlecase',
		description: 'Capitalises the first letter of each word',
	},
	{
		name: 'To Boolean',
		value: 'toBoolean',
		description: 'Converts yes/no, true/false, 1/0 and your own words to true or false',
	},
	{
		name: 'To Date',
		value: 'toDate',
		description: 'Parses a date or time and writes it in a standard format',
	},
	{ name: 'To Integer', value: 'toInteger', description: 'Converts to a whole number' },
	{
		name: 'To Number',
		value: 'toNumber',
		description: 'Converts text such as "1,234.5" or "1.234,5" to a number',
	},
	{ name: 'To Text', value: 'toString', description: 'Converts any value to text' },
	{ name: 'Trim Whitespace', value: 'trim', description: 'Removes spaces at the start and end' },
	{ name: 'Truncate', value: 'truncate', description: 'Cuts text (or a list) to a maximum length' },
	{ name: 'Uppercase', value: 'uppercase' },
];

const showFor = (...types: string[]) => ({ show: { type: types } });

/** Fields of one transform step; only those relevant to the chosen type are shown. */
const transformFields: INodeProperties[] = [
	{
		displayName: 'Transform',
		name: 'type',
		type: 'options',
		options: transformTypeOptions,
		default: 'trim',
	},
	{
		displayName: 'Separator',
		name: 'separator',
		type: 'string',
		default: ',',
		description: 'Text between the list entries, e.g. "," or ";"',
		displayOptions: showFor('split', 'join'),
	},
	{
		displayName: 'Decimal Separator',
		name: 'decimalSeparator',
		type: 'options',
		options: [
			{
				name: 'Detect Automatically',
				value: 'auto',
				description:
					'Reads 1234.5, 1,234.5 and 1.234,5; an ambiguous value such as 1,234 fails the item, naming it',
			},
			{ name: 'Comma (1.234,5)', value: ',' },
			{ name: 'Point (1,234.5)', value: '.' },
		],
		default: 'auto',
		displayOptions: showFor('toNumber', 'toInteger'),
	},
	{
		displayName: 'If It Has Decimals',
		name: 'rounding',
		type: 'options',
		options: [
			{ name: 'Cut Off Decimals', value: 'trunc', description: '2.7 → 2, -2.7 → -2' },
			{
				name: 'Fail the Item',
				value: 'error',
				description: 'A value such as 2.5 makes the item invalid',
			},
			{ name: 'Round', value: 'round', description: '2.5 → 3' },
			{ name: 'Round Down', value: 'floor', description: '2.7 → 2' },
			{ name: 'Round Up', value: 'ceil', description: '2.1 → 3' },
		],
		default: 'error',
		displayOptions: showFor('toInteger'),
	},
	{
		displayName: 'True Words',
		name: 'trueValues',
		type: 'string',
		default: '',
		placeholder: 'e.g. yes, y, ja, oui',
		description:
			'Comma-separated words that mean true, in addition to true, 1 and yes. Case does not matter.',
		displayOptions: showFor('toBoolean'),
	},
	{
		displayName: 'False Words',
		name: 'falseValues',
		type: 'string',
		default: '',
		placeholder: 'e.g. no, n, nein, non',
		description:
			'Comma-separated words that mean false, in addition to false, 0 and no. Case does not matter.',
		displayOptions: showFor('toBoolean'),
	},
	{
		displayName: 'Input Format',
		name: 'inputFormat',
		type: 'string',
		default: '',
		placeholder: 'e.g. dd/MM/yyyy HH:mm',
		description:
			'Format of the incoming date (Luxon tokens: yyyy year, MM month, dd day, HH hour, mm minute). Leave empty to accept ISO 8601, RFC 2822 and epoch milliseconds.',
		displayOptions: showFor('toDate'),
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'Date Only (YYYY-MM-DD)', value: 'date' },
			{ name: 'Epoch Milliseconds', value: 'epochMs' },
			{ name: 'ISO 8601 Date and Time', value: 'iso' },
		],
		default: 'iso',
		displayOptions: showFor('toDate'),
	},
	{
		displayName: 'Timezone',
		name: 'timezone',
		type: 'string',
		default: '',
		placeholder: 'e.g. Europe/Berlin',
		description: 'IANA timezone of incoming dates that carry none. Leave empty for UTC.',
		displayOptions: showFor('toDate'),
	},
	{
		displayName: 'Table Format',
		name: 'tableFormat',
		type: 'options',
		options: [
			{ name: 'Pairs', value: 'pairs', description: 'Enter each "from → to" pair below' },
			{ name: 'JSON', value: 'json', description: 'Paste an object such as {"DE": "Germany"}' },
		],
		default: 'pairs',
		displayOptions: showFor('lookup'),
	},
	{
		displayName: 'Lookup Table',
		name: 'table',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Pair',
		default: {},
		displayOptions: { show: { type: ['lookup'], tableFormat: ['pairs'] } },
		options: [
			{
				displayName: 'Pair',
				name: 'pairs',
				values: [
					{
						displayName: 'From',
						name: 'from',
						type: 'string',
						default: '',
						description: 'The incoming value',
					},
					{
						displayName: 'To',
						name: 'to',
						type: 'string',
						default: '',
						description: 'The value to write instead',
					},
				],
			},
		],
	},
	{
		displayName: 'Lookup Table (JSON)',
		name: 'tableJson',
		type: 'json',
		default: '{\n  "DE": "Germany",\n  "FR": "France"\n}',
		description: 'An object whose keys are incoming values and whose values replace them',
		displayOptions: { show: { type: ['lookup'], tableFormat: ['json'] } },
	},
	{
		displayName: 'If Not in Table',
		name: 'notFound',
		type: 'options',
		options: [
			{
				name: 'Fail the Item',
				value: 'error',
				description: 'Reports the item as invalid, naming the value',
			},
			{ name: 'Leave Empty', value: 'empty', description: 'The field gets no value' },
			{ name: 'Use Fallback Value', value: 'fallback' },
		],
		default: 'error',
		displayOptions: showFor('lookup'),
	},
	{
		displayName: 'Fallback Value',
		name: 'fallback',
		type: 'string',
		default: '',
		displayOptions: { show: { type: ['lookup'], notFound: ['fallback'] } },
	},
	{
		displayName: 'Ignore Case',
		name: 'caseInsensitive',
		type: 'boolean',
		default: false,
		description: 'Whether "de" should match the table entry "DE"',
		displayOptions: showFor('lookup'),
	},
	{
		displayName: 'Find',
		name: 'pattern',
		type: 'string',
		default: '',
		placeholder: 'e.g. -',
		description:
			'The text to find (or a regular expression, see below). Every occurrence is replaced.',
		displayOptions: showFor('replace'),
	},
	{
		displayName: 'Replace With',
		name: 'replacement',
		type: 'string',
		default: '',
		description: 'The replacement; with a regular expression, $1, $2 insert captured groups',
		displayOptions: showFor('replace'),
	},
	{
		displayName: 'Use Regular Expression',
		name: 'regex',
		type: 'boolean',
		default: false,
		description:
			'Whether "Find" is a JavaScript regular expression (without slashes), e.g. [^0-9+]',
		displayOptions: showFor('replace'),
	},
	{
		displayName: 'Ignore Case',
		name: 'ignoreCase',
		type: 'boolean',
		default: false,
		description: 'Whether the regular expression matches regardless of upper and lower case',
		displayOptions: { show: { type: ['replace'], regex: [true] } },
	},
	{
		displayName: 'Max Length',
		name: 'length',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 255,
		description: 'Maximum number of characters (or list entries) to keep',
		displayOptions: showFor('truncate'),
	},
];

/** Optional checks on the final value of a field. */
const checkFields: INodeProperties[] = [
	{
		displayName: 'Allowed Values',
		name: 'oneOf',
		type: 'string',
		default: '',
		placeholder: 'e.g. lead, customer, partner',
		description: 'Comma-separated list of the only values accepted (compared after transforms)',
	},
	{
		displayName: 'Maximum',
		name: 'max',
		type: 'number',
		default: 0,
		description: 'Largest number accepted',
	},
	{
		displayName: 'Maximum Length',
		name: 'maxLength',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 255,
		description: 'Maximum number of characters of a text, or of entries of a list',
	},
	{
		displayName: 'Minimum',
		name: 'min',
		type: 'number',
		default: 0,
		description: 'Smallest number accepted',
	},
	{
		displayName: 'Minimum Length',
		name: 'minLength',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1,
		description: 'Minimum number of characters of a text, or of entries of a list',
	},
	{
		displayName: 'Pattern',
		name: 'pattern',
		type: 'string',
		default: '',
		placeholder: 'e.g. ^[A-Z]{2}$',
		description: 'A regular expression (without slashes) the text must match',
	},
];

/** Fields of one mapping rule. */
const ruleFields: INodeProperties[] = [
	{
		displayName: 'Target Field',
		name: 'target',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Email or address.city',
		description: 'Name of the field in the output. Dots create nested fields.',
	},
	{
		displayName: 'Value From',
		name: 'valueFrom',
		type: 'options',
		options: [
			{ name: 'Source Field', value: 'source', description: 'Read a field of the incoming item' },
			{ name: 'Fixed Value', value: 'constant', description: 'Always write the same value' },
		],
		default: 'source',
	},
	{
		displayName: 'Source Field',
		name: 'source',
		type: 'string',
		default: '',
		requiresDataPath: 'single',
		placeholder: 'e.g. email, address.city or emails[0]',
		description:
			'Path of the field in the incoming item. Drag a field from the input to fill it in.',
		displayOptions: { show: { valueFrom: ['source'] } },
	},
	{
		displayName: 'Fixed Value',
		name: 'constant',
		type: 'string',
		default: '',
		description: 'The value to write. Numbers and true/false are converted when Type says so.',
		displayOptions: { show: { valueFrom: ['constant'] } },
	},
	{
		displayName: 'Default Value',
		name: 'default',
		type: 'string',
		default: '',
		description:
			'Written when the source field is missing, null or empty. Leave empty for none. Converted like Fixed Value.',
		displayOptions: { show: { valueFrom: ['source'] } },
	},
	{
		displayName: 'Transforms',
		name: 'transforms',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Transform',
		default: {},
		description: 'Steps applied to the value in order, top to bottom',
		options: [{ displayName: 'Transform', name: 'steps', values: transformFields }],
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'Any', value: 'any', description: 'No type check' },
			{ name: 'Boolean', value: 'boolean' },
			{ name: 'Date', value: 'date', description: 'YYYY-MM-DD' },
			{ name: 'Date-Time', value: 'datetime', description: 'ISO 8601 date and time' },
			{ name: 'Email', value: 'email' },
			{ name: 'Integer', value: 'integer' },
			{ name: 'List', value: 'array' },
			{ name: 'Number', value: 'number' },
			{ name: 'String', value: 'string' },
			{ name: 'URL', value: 'url' },
		],
		default: 'any',
		description:
			'The type the value must have after its transforms; an item whose value does not fit is invalid',
	},
	{
		displayName: 'Required',
		name: 'required',
		type: 'boolean',
		default: false,
		description:
			'Whether an item without a value for this field (after transforms and default) is invalid',
	},
	{
		displayName: 'Checks',
		name: 'checks',
		type: 'collection',
		placeholder: 'Add Check',
		default: {},
		options: checkFields,
	},
];

export const fieldMapperProperties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Define Below',
				value: 'define',
				description: 'Define each target field in the editor',
			},
			{
				name: 'JSON',
				value: 'json',
				description:
					'Write the whole mapping as JSON (for power users, AI tools and mappings kept elsewhere)',
			},
		],
		default: 'define',
	},
	{
		displayName:
			'Invalid items stop the workflow unless you set Settings → On Error to "Continue (using error output)": then they go to the Error output, with the reason in "error" and "details.issues".',
		name: 'errorNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Mappings',
		name: 'mappings',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Field Mapping',
		default: {},
		displayOptions: { show: { mode: ['define'] } },
		options: [{ displayName: 'Field Mapping', name: 'rules', values: ruleFields }],
	},
	{
		displayName: 'Mapping (JSON)',
		name: 'mappingJson',
		type: 'json',
		default:
			'{\n  "rules": [\n    { "target": "Email", "source": "email", "transforms": [{ "type": "trim" }, { "type": "lowercase" }], "type": "email", "required": true },\n    { "target": "LeadSource", "constant": "Web" }\n  ],\n  "keepUnmapped": false\n}',
		description:
			'A mapping spec: {"rules": [...], "keepUnmapped"?: boolean, "dropUndefined"?: boolean (false writes missing fields as null)}, or just the rules array. Each rule: target, source or constant, default, transforms, type, required, minLength, maxLength, min, max, pattern, oneOf.',
		displayOptions: { show: { mode: ['json'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { mode: ['define'] } },
		options: [
			{
				displayName: 'Keep Unmapped Fields',
				name: 'keepUnmapped',
				type: 'boolean',
				default: false,
				description:
					'Whether fields of the incoming item that no mapping reads are copied to the output unchanged',
			},
			{
				displayName: 'Write Missing Fields as Null',
				name: 'writeNulls',
				type: 'boolean',
				default: false,
				description:
					'Whether target fields that end up without a value are written as null (e.g. to clear them in a CRM). When off, they are left out of the output.',
			},
		],
	},
];
