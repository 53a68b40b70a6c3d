import { MemorySyncState, MemorySyncStore } from '../../core/sync/store/memory';
import { runStoreSuite, type StoreFixture } from './storeSuite';

/** Instances sharing one MemorySyncState (as connections share a database), on one fake clock. */
async function memoryFixture(): Promise<StoreFixture> {
	const state = new MemorySyncState();
	const clock = { t: Date.UTC(2026, 0, 1) };
	return {
		newStore: () => new MemorySyncStore(() => clock.t, state),
		pass: async (ms) => {
			clock.t += ms;
		},
		dispose: async () => undefined,
	};
}

runStoreSuite('MemorySyncStore', memoryFixture, { persistent: false });
