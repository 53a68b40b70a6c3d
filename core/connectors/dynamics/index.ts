/** Dynamics 365 (Dataverse Web API): a thin client over the core transport and the connector contract's reads. */
export * from './auth';
export * from './client';
export * from './crm';
export * from './dialect';
export * from './fetchXml';
export * from './lookup';
export * from './records';
export * from './schema';
