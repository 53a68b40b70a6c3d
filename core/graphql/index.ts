/**
 * A GraphQL client on the core's HTTP layer: operations (`GraphqlClient`), Relay pagination as an async iterator
 * (`paginateConnection`), batched aliased mutations with per-item results (`mutateBatch`) and the endpoint's schema by
 * introspection (`fetchSchema`, `rootFields`).
 */
export * from './alias';
export * from './batch';
export * from './client';
export * from './connection';
export * from './errors';
export * from './schema';
export * from './throttle';
export * from './settle';
