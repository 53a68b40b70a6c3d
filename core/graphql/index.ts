/**
 * A GraphQL client on the core's HTTP layer: operations (`GraphqlClient`), Relay pagination as an async iterator
 * (`paginateConnection`) and batched aliased mutations with per-item results (`mutateBatch`).
 */
export * from './alias';
export * from './batch';
export * from './client';
export * from './connection';
export * from './errors';
