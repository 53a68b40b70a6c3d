/**
 * Parameters the sync's building blocks (Sync Plan, Sync State) share, cut from the CRM Sync node's own: the Sync ID
 * both give (the same sync in the store), the state store, and what "Sync Plan" keeps of the run parameters.
 */
import type { INodeProperties } from 'n8n-workflow';

import { runProperties } from './crmSync/run.description';

/** The Sync ID of Sync Plan and Sync State › Read / Commit: the workflow's id, so both nodes agree by default. */
export function blocksSyncIdProperty(show?: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Sync ID',
		name: 'syncId',
		type: 'string',
		default: '={{ $workflow.id }}',
		required: true,
		description:
			'Names this sync in the state store: the same in Sync Plan and Sync State (default: the workflow ID)',
		...(show ? { displayOptions: { show } } : {}),
	};
}

const STORE = new Set(['stateStore', 'sqliteFile']);

/** Where the state is (CRM Sync's parameters). */
export const storeProperties: INodeProperties[] = runProperties.filter((p) => STORE.has(p.name));

/**
 * CRM Sync's run parameters that planning uses (conflict rules, deletes, filters, state store), without Dry Run (a
 * plan writes nothing itself), CRM Sync's Sync ID (its default differs) and its Options (Full Resync needs both
 * sides read in full, which the read nodes decide, not the plan; the plan is in the outputs).
 */
export const planRunProperties: INodeProperties[] = runProperties.filter(
	(p) => !['dryRun', 'syncId', 'options'].includes(p.name),
);
