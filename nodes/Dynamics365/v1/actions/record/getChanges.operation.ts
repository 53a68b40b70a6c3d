import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { WATERMARK_EXPIRED } from '../../../../../core/connectors/contract';
import type { DynamicsCrm } from '../../../../../core/connectors/dynamics/crm';
import type { DeltaResult } from '../../../../../core/connectors/dynamics/delta';
import { isCrmError } from '../../../../../core/http/errors';
import { perItem } from '../../../../shared/items';
import { nameList, recordJson, selectOption } from '../common';

const show = { resource: ['record'], operation: ['getChanges'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Output: one item per changed row — changeType "new_or_updated" (with its columns) or "deleted" (its ID only) — and when nothing changed, one item with changeType "none". Every item carries the new token in deltaToken: store the last one and pass it as Delta Token on the next run. The table needs change tracking on ("Track changes" in its properties).',
		name: 'getChangesNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Delta Token',
		// A change-tracking position (`919042!08/22/2017 08:10:44`), not a secret: shown as it is.
		name: 'deltaToken',
		// eslint-disable-next-line n8n-nodes-base/node-param-type-options-password-missing
		type: 'string',
		default: '',
		placeholder: '919042!08/22/2017 08:10:44',
		description:
			'The deltaToken of the previous run: only rows created, updated or deleted since then are returned. Leave empty for a first, full read: every row (changeType "new_or_updated", fullRead true) and a first token.',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			selectOption,
			{
				displayName: 'If the Token Has Expired',
				name: 'onExpired',
				type: 'options',
				default: 'error',
				description:
					'Dataverse keeps changes for 7 days by default: what to do with an older token',
				options: [
					{
						name: 'Fail',
						value: 'error',
						description:
							'The item fails (error output) and says to start again with an empty token',
					},
					{
						name: 'Full Read',
						value: 'fullRead',
						description:
							'Read every row again with a new token (fullRead: true on the items; rows deleted meanwhile are not reported)',
					},
				],
			},
		],
	},
];

/** The output items of one read: one per change (or one `none`), each with the new token. */
function changeItems(result: DeltaResult, fullRead: boolean): IDataObject[] {
	const common = { deltaToken: result.token, fullRead };
	if (!result.changes.length) return [{ changeType: 'none', ...common }];
	return result.changes.map((c) =>
		c.changeType === 'deleted'
			? { changeType: 'deleted', id: c.id, ...common }
			: { changeType: 'new_or_updated', ...recordJson(c.record), ...common },
	);
}

/**
 * Reads the changes of the table since the item's delta token (change tracking, `DynamicsCrm.changes`), or every row
 * and a first token when it is empty; one input item → its changes.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: DynamicsCrm,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const table = String(this.getNodeParameter('table', i));
		const token = String(this.getNodeParameter('deltaToken', i, '') ?? '').trim();
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const select = nameList(options.select);
		const fields = select.length ? select : undefined;
		out.push(
			...(await perItem(this, i, async () => {
				if (!token) return changeItems(await connector.changes(table, null, fields), true);
				const resync = options.onExpired === 'fullRead';
				// An expired token under "Full Read" → undefined (read again from the start); anything else fails the item.
				const since = await connector
					.changes(table, token, fields)
					.catch(async (error: unknown) =>
						resync && isCrmError(error) && error.crmCode === WATERMARK_EXPIRED
							? undefined
							: await Promise.reject(error),
					);
				if (since) return changeItems(since, false);
				return changeItems(await connector.changes(table, null, fields), true);
			})),
		);
	}
	return out;
}
