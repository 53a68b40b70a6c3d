/** The generic REST API simulator. */
export * from './simulator';
export * from './paging';
export * from './schema';
