/**
 * The sandbox contract: what `npm run sandbox` prints (one JSON line) and `startSandboxes()` returns —
 * for each simulator, its base URL(s) and credentials that work against it. A key is absent until its
 * simulator exists. See DESIGN.md, "Sandbox contract".
 */
import type { DynamicsSimContract } from './dynamics/simulator';
import type { GraphqlSimContract } from './graphql/simulator';
import type { HubSpotContract } from './hubspot/simulator';
import type { RestContract } from './rest/simulator';
import type { SalesforceSimContract } from './salesforce/simulator';

export type { HubSpotContract, RestContract };

/**
 * Salesforce simulator (served at the root of its own origin): `instanceUrl`, `loginUrl`, `clientId`,
 * `clientSecret`, `username`, `password`, `accessToken`, plus `apiVersion` and `jwtPrivateKey` (PEM) for the
 * JWT bearer flow.
 */
export type SalesforceContract = SalesforceSimContract;

/**
 * Dynamics 365 / Dataverse simulator (API under `{serverUrl}/api/data/v9.2/`): `serverUrl`, `tokenUrl` (client
 * credentials), `clientId`, `clientSecret`, `scope`, plus `tenantId` and `apiUrl`.
 */
export type DynamicsContract = DynamicsSimContract;

/**
 * GraphQL simulator: `url` (the endpoint) and `token` (a bearer token that never expires), plus `apiKey`
 * (`X-API-Key`) and `tokenUrl`, `clientId`, `clientSecret` for OAuth2 client credentials.
 */
export type GraphqlContract = GraphqlSimContract;

/** Everything the sandbox serves. */
export interface SandboxContract {
	salesforce?: SalesforceContract;
	hubspot?: HubSpotContract;
	dynamics?: DynamicsContract;
	rest?: RestContract;
	graphql?: GraphqlContract;
}

/** The simulator keys, in contract order. */
export type SandboxKey = keyof SandboxContract;

/** Fixed port offsets from `SANDBOX_PORT_BASE`, so every simulator keeps its port as others are added. */
export const PORT_OFFSETS: Readonly<Record<SandboxKey, number>> = {
	salesforce: 0,
	hubspot: 1,
	dynamics: 2,
	rest: 3,
	graphql: 4,
};
