// The lifecycle of both job kinds, table by table: every (state, action) pair is either allowed, with the state
// it leads to, or refused with the actions the state allows (design.md §2).
import {
  allowedActions,
  EXTRACTION_STATES,
  isActive,
  isEnded,
  JOB_ACTIONS,
  SYNC_STATES,
  transition,
  type JobAction,
  type JobKind,
  type StateOf,
} from '../../domain/lifecycle';

type Expected<S extends string> = Record<S, Partial<Record<JobAction, S | 'deleted'>>>;

// Written out from design.md §2, independently of the module's own table.
const EXTRACTION: Expected<StateOf['extraction']> = {
  Queued: { pause: 'Paused', cancel: 'Cancelled' },
  Running: { pause: 'Paused', cancel: 'Cancelled' },
  Paused: { resume: 'Queued', restart: 'Queued', cancel: 'Cancelled' },
  Completed: { restart: 'Queued', delete: 'deleted' },
  Failed: { restart: 'Queued', delete: 'deleted' },
  Cancelled: { restart: 'Queued', delete: 'deleted' },
};

const SYNC: Expected<StateOf['sync']> = {
  Created: { start: 'Initializing', delete: 'deleted' },
  Initializing: { pause: 'Paused' },
  Running: { pause: 'Paused' },
  Paused: { resume: 'Running', restart: 'Initializing', delete: 'deleted' },
  Succeeded: { restart: 'Initializing', delete: 'deleted' },
  Failed: { restart: 'Initializing', delete: 'deleted' },
};

function pairs<K extends JobKind>(kind: K, table: Expected<StateOf[K]>, states: readonly StateOf[K][]) {
  return states.flatMap((state) => JOB_ACTIONS.map((action) => [kind, state, action, table[state][action] ?? null] as const));
}

describe.each([
  ['extraction', EXTRACTION, EXTRACTION_STATES],
  ['sync', SYNC, SYNC_STATES],
] as const)('%s jobs', (kind, table, states) => {
  it('the expected table names every state', () => {
    expect(Object.keys(table).sort()).toEqual([...states].sort());
  });

  it.each(pairs(kind, table as Expected<StateOf[typeof kind]>, states))('%s %s: %s → %s', (k, state, action, to) => {
    const t = transition(k, state, action);
    if (to === null) {
      expect(t).toEqual({ ok: false, state, allowed: allowedActions(k, state) });
      expect(allowedActions(k, state)).not.toContain(action);
    } else {
      expect(t).toMatchObject({ ok: true, to });
      expect(allowedActions(k, state)).toContain(action);
    }
  });

  it.each([...states])('%s allows exactly the actions of the table', (state) => {
    const expected = JOB_ACTIONS.filter((a) => (table as Expected<string>)[state][a]);
    expect(allowedActions(kind, state as never)).toEqual(expected);
  });
});

describe('what an allowed action does', () => {
  it.each([
    ['extraction', 'Running', 'pause', { interrupts: true }],
    ['extraction', 'Paused', 'resume', {}],
    ['extraction', 'Paused', 'restart', { interrupts: true, newRun: true }],
    ['extraction', 'Completed', 'restart', { interrupts: true, newRun: true }],
    ['extraction', 'Queued', 'cancel', { interrupts: true }],
    ['sync', 'Created', 'start', { interrupts: true, newRun: true }],
    ['sync', 'Paused', 'resume', {}],
    ['sync', 'Failed', 'restart', { interrupts: true, newRun: true }],
  ] as const)('%s %s %s', (kind, state, action, effects) => {
    const t = transition(kind, state as never, action);
    expect(t.ok && { interrupts: t.interrupts, newRun: t.newRun }).toEqual({ interrupts: undefined, newRun: undefined, ...effects });
  });
});

describe('events of the work', () => {
  it.each([
    ['extraction', 'Queued', 'granted', 'Running'],
    ['extraction', 'Running', 'succeeded', 'Completed'],
    ['extraction', 'Running', 'failed', 'Failed'],
    ['extraction', 'Queued', 'failed', 'Failed'],
    ['sync', 'Initializing', 'initialized', 'Running'],
    ['sync', 'Running', 'succeeded', 'Succeeded'],
    ['sync', 'Initializing', 'failed', 'Failed'],
  ] as const)('%s %s + %s → %s', (kind, state, event, to) => {
    expect(transition(kind, state as never, event)).toMatchObject({ ok: true, to });
  });

  it.each([
    ['extraction', 'Paused', 'granted'],
    ['extraction', 'Completed', 'failed'],
    ['sync', 'Paused', 'initialized'],
    ['sync', 'Created', 'succeeded'],
  ] as const)('%s %s ignores %s', (kind, state, event) => {
    expect(transition(kind, state as never, event).ok).toBe(false);
  });
});

describe('active and ended states', () => {
  it.each([
    ['extraction', 'Queued', true, false],
    ['extraction', 'Running', true, false],
    ['extraction', 'Paused', true, false],
    ['extraction', 'Completed', false, true],
    ['extraction', 'Failed', false, true],
    ['extraction', 'Cancelled', false, true],
    ['sync', 'Created', false, false],
    ['sync', 'Initializing', true, false],
    ['sync', 'Running', true, false],
    ['sync', 'Paused', false, false],
    ['sync', 'Succeeded', false, true],
    ['sync', 'Failed', false, true],
  ] as const)('%s %s: active %s, ended %s', (kind, state, active, ended) => {
    expect(isActive(kind, state as never)).toBe(active);
    expect(isEnded(kind, state as never)).toBe(ended);
  });
});
