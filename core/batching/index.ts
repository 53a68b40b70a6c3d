/** Batched writes with per-item results, size/count chunking, bounded concurrency and bad-record isolation. */
export * from './run-batches';
export * from './semaphore';
export * from './types';
export * from './concurrency';
export * from './inOrder';
