/**
 * The connector core: everything a CRM connector needs, with no n8n imports (nodes/ is the n8n face).
 * Import from the sub-modules directly when only one part is needed.
 */
export * as http from './http';
export * as paging from './paging';
export * as batching from './batching';
export * as records from './records';
export * as query from './query';
export * as graphql from './graphql';
