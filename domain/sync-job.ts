// A sync job's state as its workflow holds it and Sluice's database mirrors it (design.md §2, §5). Plain JSON,
// no zod: the workflow bundle builds and changes it.
import type { JobError } from './errors';
import type { JobAction, SyncState } from './lifecycle';
import type { PartRange } from './plan';
import type { SyncRequest } from './sync-request';

export interface SyncRunOptions {
  maxAttempts: number;
  heartbeatTimeoutSeconds: number;
  historyEventsLimit: number;
  /** How often a paused sync samples its slot's retained WAL. */
  pausedSampleSeconds: number;
  /** A stream activity ends after this long and the workflow starts the next (bounded attempts and history). */
  streamSpellSeconds: number;
}

export interface SyncInput {
  jobId: string;
  tenantId: string;
  request: SyncRequest;
  options: SyncRunOptions;
  /** What a fresh execution of the sync takes on: its snapshot, and an action that reached the previous one too late. */
  carry?: { snapshot: SyncSnapshot; pending?: JobAction };
}

/** A table's snapshot: its ranges (key ranges on an integer primary key, else heap block ranges) and how far. */
export interface TableCopy {
  table: string; // schema.name on the source and the target
  strategy: 'key-range' | 'block-range';
  ranges: PartRange[];
  rangesDone: number[];
  rowsEstimated: number;
  rowsCopied: number;
  bytesCopied: number;
}

export type SyncPhase = 'none' | 'initializing' | 'snapshot' | 'streaming' | 'done';

export interface SyncSnapshot {
  jobId: string;
  state: SyncState;
  /** The instance: 0 before the first start; every start and restart opens the next. */
  run: number;
  runStartedAt: string | null;
  phase: SyncPhase;
  /** Replication slot and publication of this instance (absent in full mode and before initializing). */
  slot: { name: string; publication: string; consistentPoint: string } | null;
  tables: TableCopy[];
  error: JobError | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export const newSyncJob = (jobId: string): SyncSnapshot => ({
  jobId, state: 'Created', run: 0, runStartedAt: null, phase: 'none', slot: null, tables: [], error: null, startedAt: null, finishedAt: null,
});

/** A new instance: nothing copied, no slot yet (initializing makes one). */
export const newSyncRun = (s: SyncSnapshot, at: string): SyncSnapshot => ({
  ...s, state: 'Initializing', run: s.run + 1, runStartedAt: at, phase: 'initializing', slot: null, tables: [], error: null,
  startedAt: at, finishedAt: null,
});

export const streams = (r: Pick<SyncRequest, 'mode'>) => r.mode !== 'full';
export const copies = (r: Pick<SyncRequest, 'mode'>) => r.mode !== 'incremental';

// Names on the source, from the job id: one slot and one publication per job (a restart replaces the slot).
// Job ids are `sync_<hex>`, so these are valid unquoted identifiers.
export const slotName = (jobId: string) => `sluice_${jobId}`;
export const publicationName = (jobId: string) => `sluice_${jobId}`;

/** Snapshot rows and bytes so far, over all tables. */
export const copiedTotals = (s: SyncSnapshot) =>
  s.tables.reduce((t, c) => ({ rows: t.rows + c.rowsCopied, bytes: t.bytes + c.bytesCopied }), { rows: 0, bytes: 0 });
