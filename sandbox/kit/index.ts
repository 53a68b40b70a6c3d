/** The sandbox kit: building blocks every CRM simulator is made of. */
export * from './clock';
export * from './rng';
export * from './csv';
export * from './http';
export * from './router';
export * from './server';
export * from './ids';
export * from './store';
export * from './storeIndex';
export * from './transaction';
export * from './oauth';
export * from './rateLimit';
export * from './faults';
export * from './requestLog';
