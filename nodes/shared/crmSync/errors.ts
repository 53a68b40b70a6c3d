/**
 * A whole-run failure of the CRM Sync as n8n shows it: a config problem names the parameter and its fix, a held lock
 * says how to wait, a CRM's refusal is a NodeApiError with the CRM's reason. Messages are redacted (no secrets).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isCrmError } from '../../../core/http/errors';
import { redactString } from '../../../core/http/redact';
import { SyncConfigError, SyncLockedError } from '../../../core/sync';
import { RUN_FAILED_CODE } from '../nodeErrors';
import { describeProblem } from './config';

export function toNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
): NodeOperationError | NodeApiError {
	const node = ctx.getNode();
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof SyncConfigError) {
		const problems = error.problems.map((p) => redactString(describeProblem(p)));
		const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
		return new NodeOperationError(node, `${problems[0]}${more}`, {
			description: problems.map((p) => `- ${p}`).join('\n'),
		});
	}
	if (error instanceof SyncLockedError)
		return new NodeOperationError(
			node,
			redactString(error.message)
				.replace('raise lockWaitMs', 'set Options › Lock Wait (Seconds)')
				.replace('raise leaseMs', 'make the state store answer faster'),
			{
				description:
					'Another run of this sync (same Sync ID and state store) holds its lock. Wait for it, or set Options › Lock Wait (Seconds).',
			},
		);
	if (isCrmError(error))
		return new NodeApiError(node, error.toJSON() as never, {
			message: error.message,
			description: error.hint,
		});
	const message = redactString(error instanceof Error ? error.message : String(error));
	return new NodeOperationError(node, message);
}

/** The failure as the one Report item of "On Error: Continue". */
export function errorItem(
	error: NodeOperationError | NodeApiError,
	operation = 'sync',
): INodeExecutionData {
	const details: IDataObject = {
		code: RUN_FAILED_CODE,
		reason:
			operation === 'sync'
				? 'the sync run failed; what was written before the failure is committed in the state store'
				: 'the operation failed; what the items before the failure did is stored in the state store',
	};
	if (typeof error.description === 'string' && error.description) details.hint = error.description;
	if (error instanceof NodeApiError && error.httpCode) details.httpCode = error.httpCode;
	return { json: { error: error.message, details }, pairedItem: { item: 0 } };
}
