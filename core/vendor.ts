/**
 * The third-party modules that cost memory to load, loaded on first use instead of when a module importing them
 * is: n8n loads every node file of the package at startup to read its description, and a run needs only the SDKs
 * of its credentials (a Salesforce → Salesforce sync never loads the HubSpot SDK, PostgreSQL or GraphQL).
 * `bench/loadCost.ts` measures what each costs. Code takes types from `import type` and values from these getters;
 * nothing else in the package imports these modules' values at the top level
 * (`test/unit/package/lazyVendor.test.ts` checks it on the node files).
 */
import type * as Axios from 'axios';
import type * as CsvParse from 'csv-parse/sync';
import type * as CsvStringify from 'csv-stringify/sync';
import type * as Graphql from 'graphql';
import type * as HubSpotApiClient from '@hubspot/api-client';
import type * as JsforceConnection from 'jsforce/lib/connection';
import type * as JsforceTransport from 'jsforce/lib/transport';
import type * as JsforcePromise from 'jsforce/lib/util/promise';
import type * as Pg from 'pg';

/** A getter that loads once, on its first call. */
export function onFirstUse<T>(load: () => T): () => T {
	let module: T | undefined;
	return () => (module ??= load());
}

/* eslint-disable @typescript-eslint/no-require-imports -- loading on first use is what this module is for */
export const vendor = {
	axios: onFirstUse(() => (require('axios') as typeof Axios).default),
	csvParse: onFirstUse(() => require('csv-parse/sync') as typeof CsvParse),
	csvStringify: onFirstUse(() => require('csv-stringify/sync') as typeof CsvStringify),
	graphql: onFirstUse(() => require('graphql') as typeof Graphql),
	hubspot: onFirstUse(() => require('@hubspot/api-client') as typeof HubSpotApiClient),
	// jsforce's Connection without the API modules its index registers (Bulk, Metadata, SOAP, Streaming with its
	// WebSocket stack, Tooling, …): the connectors use `request`, `describe` and `describeGlobal` alone.
	jsforce: onFirstUse(() => ({
		Connection: (require('jsforce/lib/connection') as typeof JsforceConnection).Connection,
		Transport: (require('jsforce/lib/transport') as typeof JsforceTransport).default,
		StreamPromise: (require('jsforce/lib/util/promise') as typeof JsforcePromise).StreamPromise,
	})),
	pg: onFirstUse(() => require('pg') as typeof Pg),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The module names behind {@link vendor} (for tests and `bench/loadCost.ts`). */
export const VENDOR_MODULES = [
	'axios',
	'csv-parse/sync',
	'csv-stringify/sync',
	'graphql',
	'@hubspot/api-client',
	'jsforce',
	'pg',
] as const;
