/**
 * A REST API side of the CRM Sync: the endpoint-profile connector (core/connectors/rest) over the generic HTTP
 * connection of the REST API node (nodes/shared/http: the chosen credential, n8n's request helper, the credential
 * kept on its own origin). A profile that does not fit is refused with each problem and its fix.
 */
import type { IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RestProfileConnector } from '../../../core/connectors/rest';
import {
	parseProfile,
	ProfileError,
	type RestProfile,
} from '../../../core/connectors/rest/profile';
import { openHttpConnection } from '../http/connection';

function profileOf(ctx: IExecuteFunctions | ILoadOptionsFunctions, value: unknown): RestProfile {
	try {
		return parseProfile(value);
	} catch (error) {
		const message = error instanceof ProfileError ? error.message : String(error);
		throw new NodeOperationError(ctx.getNode(), `Endpoint Profile: ${message}`, {
			description:
				'Fix the profile in the Endpoint Profile parameter (reference: core/connectors/rest/README.md).',
		});
	}
}

/** The connector of a REST API side. */
export async function restSide(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
	authentication: string,
	profileValue: unknown,
): Promise<RestProfileConnector> {
	const profile = profileOf(ctx, profileValue);
	// The connection reads credentials and sends through n8n's helpers, which loading options has as well.
	const connection = await openHttpConnection(ctx as IExecuteFunctions, {
		authentication,
		baseUrl: profile.baseUrl,
	});
	return new RestProfileConnector({
		profile,
		client: {
			http: connection.client,
			resolve: (url) => connection.resolve(url, 'The endpoint profile URL'),
		},
	});
}
