/** The Salesforce REST API v62 simulator. */
export * from './simulator';
export { BulkService, type BulkOptions } from './bulk';
export { OrgData, SfApiError, Table, sfDateTime, type SfError } from './data';
export {
	buildSchema,
	describeField,
	describeObject,
	type SfField,
	type SfFieldType,
	type SfObject,
} from './schema';
export { compileSoql, type CompiledQuery } from './soql';
export { insertUser, seedOrg, type SeedCounts, type SimUser } from './seed';
