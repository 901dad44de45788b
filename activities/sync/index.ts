import { copySyncRange, type CopyRangeInput } from './copy';
import type { SyncDeps } from './deps';
import { initializeSync, type InitializeInput } from './initialize';
import { dropSyncResources, sampleSyncSlot } from './resources';
import { streamChanges, type StreamInput } from './stream';

export type { SyncDeps } from './deps';

export const createSyncActivities = (deps: SyncDeps) => ({
  initializeSync: (input: InitializeInput) => initializeSync(deps, input),
  copySyncRange: (input: CopyRangeInput) => copySyncRange(deps, input),
  streamChanges: (input: StreamInput) => streamChanges(deps, input),
  sampleSyncSlot: (input: Parameters<typeof sampleSyncSlot>[1]) => sampleSyncSlot(deps, input),
  dropSyncResources: (input: Parameters<typeof dropSyncResources>[1]) => dropSyncResources(deps, input),
});

export type SyncActivities = ReturnType<typeof createSyncActivities>;
