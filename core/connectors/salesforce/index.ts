/** The Salesforce connector: jsforce over the connector core, Collections and Bulk API 2.0 writes, streamed reads. */
export * from './auth';
export * from './bulk';
export * from './changes';
export * from './connector';
export * from './crm';
export * from './dialect';
export * from './errors';
export * from './lookup';
export * from './transport';
export * from './params';
export * from './schema';
export * from './session';
