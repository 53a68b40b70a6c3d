/** The two-way CRM sync engine (no n8n imports): config, matching, three-way diff, run flow, state stores. */
export * from './config';
export * from './match';
export * from './diff';
export * from './strategies';
export * from './report';
export type { SyncTimings } from './timings';
export { conflictIdOf, type OpenConflictEntry } from './conflicts';
export {
	configFingerprint,
	runSync,
	SyncAbortedError,
	SyncLockedError,
	type SyncOptions,
} from './engine';
export { DryRunConnector, OverlayStore } from './dryrun';
export { MemorySyncState, MemorySyncStore } from './store/memory';
export type * from './store/types';
export { excludeRecord, includeRecord } from './admin';
