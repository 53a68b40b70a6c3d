/** How a HubSpot failure reads on an error item: HubSpot's own message; a refused credential says how to reconnect it. */
import { describeHubSpotError } from '../../../core/connectors/hubspot/connector';
import { isCrmError } from '../../../core/http/errors';
import { type DescribeError, describeError } from '../items';

/** The reason of an item's failure (for `perItem` / `forEachItem`). */
export const describeHubSpotItemError: DescribeError = (error) => {
	if (!isCrmError(error)) return describeError(error);
	return {
		message:
			error.kind === 'authentication'
				? describeHubSpotError(error).message
				: (error.crmMessage ?? error.message),
		code: error.crmCode ?? error.kind,
		details: { status: error.status, hint: error.hint },
	};
};
