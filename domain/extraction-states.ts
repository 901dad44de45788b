// Extraction job states and the actions each allows (design.md §2). Pure: shared by workflow and API.
export const EXTRACTION_STATES = ['Queued', 'Running', 'Paused', 'Completed', 'Failed', 'Cancelled'] as const;
export type ExtractionState = (typeof EXTRACTION_STATES)[number];

export const EXTRACTION_ACTIONS = ['pause', 'resume', 'restart', 'cancel', 'delete'] as const;
export type ExtractionAction = (typeof EXTRACTION_ACTIONS)[number];

const ALLOWED: Record<ExtractionState, readonly ExtractionAction[]> = {
  Queued: ['pause', 'cancel'],
  Running: ['pause', 'cancel'],
  Paused: ['resume', 'restart', 'cancel'],
  Completed: ['restart', 'delete'],
  Failed: ['restart', 'delete'],
  Cancelled: ['restart', 'delete'],
};

export const allowedActions = (state: ExtractionState): readonly ExtractionAction[] => ALLOWED[state];

export const isActive = (state: ExtractionState): boolean => state === 'Queued' || state === 'Running' || state === 'Paused';

export const isFinished = (state: ExtractionState): boolean => !isActive(state);

export type TransitionResult =
  | { ok: true; state: ExtractionState }
  | { ok: false; state: ExtractionState; allowed: readonly ExtractionAction[] };

// What an action leads to from a state. `delete` is not a state change of the workflow: it removes the job.
const TARGET: Record<Exclude<ExtractionAction, 'delete'>, ExtractionState> = {
  pause: 'Paused',
  resume: 'Running',
  restart: 'Queued',
  cancel: 'Cancelled',
};

export function applyAction(state: ExtractionState, action: Exclude<ExtractionAction, 'delete'>): TransitionResult {
  const allowed = allowedActions(state);
  if (!allowed.includes(action)) return { ok: false, state, allowed };
  return { ok: true, state: TARGET[action] };
}
