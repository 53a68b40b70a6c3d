/**
 * The part of ILoadOptionsFunctions the Dynamics 365 node's methods use, over the Dataverse simulator. n8n's
 * `httpRequestWithAuthentication` is stood in for by a bearer token the simulator issued (the credential's
 * preAuthentication is tested in credentialTests.test.ts).
 */
import type { ILoadOptionsFunctions, INode } from 'n8n-workflow';

import type { DynamicsSimContract, DynamicsSimulator } from '../../../sandbox/dynamics';
import { nodeTypeName } from '../../helpers/engine';

export function loadOptionsContext(
	sim: DynamicsSimulator,
	c: DynamicsSimContract,
	parameters: Record<string, unknown>,
): ILoadOptionsFunctions {
	const node = {
		name: 'Dynamics 365',
		type: nodeTypeName('dynamics365'),
		typeVersion: 1,
		parameters: { authentication: 'clientCredentials', ...parameters },
		credentials: {
			crmDynamicsClientCredentialsApi: { id: 'dynamics-sandbox', name: 'Dynamics sandbox' },
		},
	} as unknown as INode;
	const token = sim.issueToken();
	return {
		getNode: () => node,
		getCurrentNodeParameter: (name: string) => parameters[name],
		getCredentials: async () => ({ environmentUrl: c.serverUrl }),
		helpers: {
			httpRequestWithAuthentication: async (
				_type: string,
				o: {
					url: string;
					method: string;
					qs?: Record<string, string>;
					headers?: Record<string, string>;
				},
			) => {
				const url = new URL(o.url);
				for (const [k, v] of Object.entries(o.qs ?? {})) url.searchParams.set(k, String(v));
				const res = await fetch(url, {
					method: o.method,
					headers: { ...o.headers, Authorization: `Bearer ${token}` },
				});
				return {
					statusCode: res.status,
					headers: Object.fromEntries(res.headers.entries()),
					body: await res.text(),
				};
			},
		},
	} as unknown as ILoadOptionsFunctions;
}
