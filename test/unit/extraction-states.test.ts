// The extraction state machine: which actions each state allows, where they lead, and which states are active.
import {
  allowedActions,
  applyAction,
  EXTRACTION_ACTIONS,
  EXTRACTION_STATES,
  isActive,
  isFinished,
  type ExtractionAction,
  type ExtractionState,
} from '../../domain/extraction-states';

type StateChange = Exclude<ExtractionAction, 'delete'>;

// Every (state, action) pair: the state it leads to, or null when the action is refused.
const TRANSITIONS: Record<ExtractionState, Record<StateChange, ExtractionState | null>> = {
  Queued: { pause: 'Paused', resume: null, restart: null, cancel: 'Cancelled' },
  Running: { pause: 'Paused', resume: null, restart: null, cancel: 'Cancelled' },
  Paused: { pause: null, resume: 'Running', restart: 'Queued', cancel: 'Cancelled' },
  Completed: { pause: null, resume: null, restart: 'Queued', cancel: null },
  Failed: { pause: null, resume: null, restart: 'Queued', cancel: null },
  Cancelled: { pause: null, resume: null, restart: 'Queued', cancel: null },
};

const DELETABLE: Record<ExtractionState, boolean> = {
  Queued: false,
  Running: false,
  Paused: false,
  Completed: true,
  Failed: true,
  Cancelled: true,
};

const pairs = EXTRACTION_STATES.flatMap((state) =>
  (Object.keys(TRANSITIONS[state]) as StateChange[]).map((action) => [state, action, TRANSITIONS[state][action]] as const),
);

describe('the table covers the whole state machine', () => {
  it('lists every state and every state-changing action', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...EXTRACTION_STATES].sort());
    expect([...Object.keys(TRANSITIONS.Queued), 'delete'].sort()).toEqual([...EXTRACTION_ACTIONS].sort());
    expect(pairs).toHaveLength(EXTRACTION_STATES.length * (EXTRACTION_ACTIONS.length - 1));
  });
});

describe('applyAction', () => {
  test.each(pairs.filter(([, , target]) => target !== null))('%s + %s → %s', (state, action, target) => {
    expect(applyAction(state, action)).toEqual({ ok: true, state: target });
  });

  test.each(pairs.filter(([, , target]) => target === null))('%s + %s is refused', (state, action) => {
    const result = applyAction(state, action);
    expect(result).toEqual({ ok: false, state, allowed: allowedActions(state) });
    if (!result.ok) expect(result.allowed).not.toContain(action);
  });
});

describe('allowedActions', () => {
  test.each(EXTRACTION_STATES.map((s) => [s]))('%s allows exactly its transitions, plus delete when finished', (state) => {
    const expected: ExtractionAction[] = (Object.keys(TRANSITIONS[state]) as StateChange[]).filter((a) => TRANSITIONS[state][a] !== null);
    if (DELETABLE[state]) expected.push('delete');
    expect([...allowedActions(state)].sort()).toEqual(expected.sort());
  });
});

describe('isActive / isFinished', () => {
  test.each<[ExtractionState, boolean]>([
    ['Queued', true],
    ['Running', true],
    ['Paused', true],
    ['Completed', false],
    ['Failed', false],
    ['Cancelled', false],
  ])('%s: active=%s', (state, active) => {
    expect(isActive(state)).toBe(active);
    expect(isFinished(state)).toBe(!active);
  });

  test('only finished jobs can be deleted', () => {
    for (const state of EXTRACTION_STATES) expect(allowedActions(state).includes('delete')).toBe(isFinished(state));
  });
});
