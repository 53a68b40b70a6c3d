/**
 * The server side of the OData system query options as Dataverse answers them (see README.md, "Query options"):
 * `$filter` (odataFilter.ts, odataMatch.ts), `$orderby` / `$select` / `$top` / `$count` / `$skip`
 * (odataQuery.ts) and the errors (odataErrors.ts). Pure functions over plain rows; no HTTP here.
 */
export * from './odataErrors';
export * from './odataFilter';
export * from './odataMatch';
export * from './odataQuery';
