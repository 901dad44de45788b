// The lifecycle of every job kind (design.md §2): its states, the actions a user may take in each, and what
// each action and each event of the work does. Pure: the workflows act on it and the API explains refusals with
// it; nothing else decides what an action does.
export const EXTRACTION_STATES = ['Queued', 'Running', 'Paused', 'Completed', 'Failed', 'Cancelled'] as const;
export const SYNC_STATES = ['Created', 'Initializing', 'Running', 'Paused', 'Succeeded', 'Failed'] as const;
export type ExtractionState = (typeof EXTRACTION_STATES)[number];
export type SyncState = (typeof SYNC_STATES)[number];

export type JobKind = 'extraction' | 'sync';
export interface StateOf {
  extraction: ExtractionState;
  sync: SyncState;
}

/** What a user asks (API update, Web UI or CLI signal). */
export const JOB_ACTIONS = ['start', 'pause', 'resume', 'restart', 'cancel', 'delete'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];
/** What the work itself reports. */
export const JOB_EVENTS = ['granted', 'initialized', 'succeeded', 'failed'] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];

export interface Move<S> {
  to: S | 'deleted';
  /** The work in flight stops (parts are cancelled); resume does not stop anything. */
  interrupts?: true;
  /** A new run (instance) begins: its progress starts from zero and the previous run's files are discarded. */
  newRun?: true;
}

type Table<S extends string> = Record<S, Partial<Record<JobAction | JobEvent, Move<S>>>>;
const stop = <S>(to: S): Move<S> => ({ to, interrupts: true });
const fresh = <S>(to: S): Move<S> => ({ to, interrupts: true, newRun: true });
const removed = { to: 'deleted' } as const;

// Extraction: a resumed job queues for a running slot again (it gave its slot back when it paused).
const EXTRACTION: Table<ExtractionState> = {
  Queued: { pause: stop('Paused'), cancel: stop('Cancelled'), granted: { to: 'Running' }, failed: { to: 'Failed' } },
  Running: { pause: stop('Paused'), cancel: stop('Cancelled'), succeeded: { to: 'Completed' }, failed: { to: 'Failed' } },
  Paused: { resume: { to: 'Queued' }, restart: fresh('Queued'), cancel: stop('Cancelled') },
  Completed: { restart: fresh('Queued'), delete: removed },
  Failed: { restart: fresh('Queued'), delete: removed },
  Cancelled: { restart: fresh('Queued'), delete: removed },
};

// Sync (seed 001): an incremental sync never succeeds on its own; it runs until paused or failed.
const SYNC: Table<SyncState> = {
  Created: { start: fresh('Initializing'), delete: removed },
  Initializing: { pause: stop('Paused'), initialized: { to: 'Running' }, failed: { to: 'Failed' } },
  Running: { pause: stop('Paused'), succeeded: { to: 'Succeeded' }, failed: { to: 'Failed' } },
  Paused: { resume: { to: 'Running' }, restart: fresh('Initializing'), delete: removed },
  Succeeded: { restart: fresh('Initializing'), delete: removed },
  Failed: { restart: fresh('Initializing'), delete: removed },
};

const TABLES: { [K in JobKind]: Table<StateOf[K]> } = { extraction: EXTRACTION, sync: SYNC };

export type Transition<S> = ({ ok: true } & Move<S>) | { ok: false; state: S; allowed: readonly JobAction[] };

/** What `step` (an action or an event) does to a job of `kind` in `state`. */
export function transition<K extends JobKind>(kind: K, state: StateOf[K], step: JobAction | JobEvent): Transition<StateOf[K]> {
  const move = (TABLES[kind] as Table<StateOf[K]>)[state][step];
  return move ? { ok: true, ...move } : { ok: false, state, allowed: allowedActions(kind, state) };
}

/** The actions a user may take in `state`, in the order of JOB_ACTIONS. */
export function allowedActions<K extends JobKind>(kind: K, state: StateOf[K]): JobAction[] {
  const row = (TABLES[kind] as Table<StateOf[K]>)[state];
  return JOB_ACTIONS.filter((a) => row[a]);
}

/** Ended: the run is over and its workflow has nothing more to do (an action on it starts a new execution). */
const ENDED: { [K in JobKind]: readonly StateOf[K][] } = { extraction: ['Completed', 'Failed', 'Cancelled'], sync: ['Succeeded', 'Failed'] };
export const isEnded = <K extends JobKind>(kind: K, state: StateOf[K]): boolean => ENDED[kind].includes(state);

/** Active: the job may not be deleted yet (design.md §2: delete only when not active). */
export const isActive = <K extends JobKind>(kind: K, state: StateOf[K]): boolean => !(TABLES[kind] as Table<StateOf[K]>)[state].delete;
