/**
 * The HubSpot connector: CRM objects (standard and custom), batch writes, search past the 10,000-result ceiling,
 * changes since a watermark, associations, properties, owners, pipelines and forms, on `@hubspot/api-client`
 * with the core's retry policy and per-credential rate budgets.
 */
export * from './connector';
export * from './dialect';
export * from './errors';
export * from './transport';
export * from './types';
export * from './crm';
