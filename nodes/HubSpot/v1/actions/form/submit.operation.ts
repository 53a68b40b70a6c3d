import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { HubSpotConnector } from '../../../../../core/connectors/hubspot/connector';
import { perItem } from '../../../../shared/items';
import { describeHubSpotItemError } from '../../../../shared/hubspot/errors';

const show = { resource: ['form'], operation: ['submit'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Portal ID',
		name: 'portalId',
		type: 'string',
		required: true,
		default: '',
		description: 'The HubSpot account (portal) ID',
		displayOptions: { show },
	},
	{
		displayName: 'Form GUID',
		name: 'formGuid',
		type: 'string',
		required: true,
		default: '',
		description: "The form's ID (from its URL in HubSpot)",
		displayOptions: { show },
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add field',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'email' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					{
						displayName: 'Object Type ID',
						name: 'objectTypeId',
						type: 'string',
						default: '0-1',
						description: 'The object the field belongs to (0-1 contact, 0-2 company)',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'HubSpot Cookie (Hutk)',
				name: 'hutk',
				type: 'string',
				default: '',
				description: "The visitor's hubspotutk cookie, to link the submission to their activity",
			},
			{ displayName: 'IP Address', name: 'ipAddress', type: 'string', default: '' },
			{ displayName: 'Page Name', name: 'pageName', type: 'string', default: '' },
			{ displayName: 'Page URL', name: 'pageUri', type: 'string', default: '' },
			{
				displayName: 'Submissions URL',
				name: 'submissionsUrl',
				type: 'string',
				default: '',
				placeholder: 'https://api.hsforms.com',
				description: "Host of the forms submission API (default: the credential's base URL)",
			},
		],
	},
];

/** Submits a HubSpot form, one submission per item (not retried once it may have reached HubSpot). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: HubSpotConnector,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		out.push(
			...(await perItem(
				this,
				i,
				async () => {
					const fields =
						(this.getNodeParameter('fields.field', i, []) as Array<{
							name: string;
							value: string;
							objectTypeId?: string;
						}>) ?? [];
					const options = this.getNodeParameter('options', i, {}) as IDataObject;
					const context: IDataObject = {};
					for (const key of ['hutk', 'ipAddress', 'pageName', 'pageUri'])
						if (options[key]) context[key] = options[key];
					const res = await connector.submitForm(
						String(this.getNodeParameter('portalId', i)),
						String(this.getNodeParameter('formGuid', i)),
						fields,
						{
							context: Object.keys(context).length ? context : undefined,
							submissionsUrl: (options.submissionsUrl as string) || undefined,
						},
					);
					return { submitted: true, ...(res as IDataObject) };
				},
				describeHubSpotItemError,
			)),
		);
	}
	return out;
}
