// What the API's calls to a job's workflow share, whatever the kind of job: bounds on each call, a 503 with
// Retry-After when Temporal cannot be reached, and an action sent as update-with-start (an ended job's execution
// is started again for it) that answers the state the job comes to rest in, or a 409 refusal.
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateStage,
  type Client,
  type WithStartWorkflowOperation,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition, type Workflow } from '@temporalio/common';
import { allowedActions, type JobKind, type StateOf } from '../domain/lifecycle';
import { ACTION_NOT_ALLOWED } from '../workflows/action-refusal';
import { jobSearchAttributes } from '../workflows/search-attributes';
import { Problem } from './problem';

// An unreachable Temporal fails within a few seconds (api/temporal-client.ts); these bound the rest.
const START_MS = 30_000; // a start on a loaded server
const ACCEPT_MS = 5000; // for an action to be accepted: a worker runs its validator
const SETTLE_MS = 30_000; // for an accepted action to take effect; past it the answer is 202

const RETRY_AFTER_SECONDS = 5;
const unavailable = (what: string, err: unknown) =>
  new Problem(503, 'Scheduler unavailable', `${what}: Temporal did not answer (${(err as Error).message})`, { retryable: true },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) });

const unreachable = (err: unknown) =>
  err instanceof ServiceError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcServiceError(err);

/** What every job's workflow starts with: search attributes operators filter on, and the Web UI's summary line. */
export const jobStartOptions = (o: { taskQueue: string; workflowId: string; tenantId: string; kind: JobKind; state: string; summary: string }) => ({
  taskQueue: o.taskQueue,
  workflowId: o.workflowId,
  typedSearchAttributes: jobSearchAttributes(o.tenantId, o.kind, o.state),
  staticSummary: o.summary,
});

/** Calls Temporal (a start, a schedule's change); a 503 problem saying `what` could not be done when it cannot be reached in time. */
export async function callTemporal<T>(temporal: Client, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await temporal.withDeadline(Date.now() + START_MS, call);
  } catch (err) {
    if (unreachable(err)) throw unavailable(what, err);
    throw err;
  }
}

export interface ActionCall<K extends JobKind, R> {
  temporal: Client;
  kind: K;
  /** How the refusal names the job: "job job_…", "sync sync_…". */
  subject: string;
  action: string;
  update: UpdateDefinition<R, []>;
  /** Starts the job's execution again when it has ended (conflict policy USE_EXISTING). */
  reopen: WithStartWorkflowOperation<Workflow>;
}

/**
 * Sends an action; resolves to the job's next state, or null when the action was accepted but has not taken
 * effect within the bound (the caller answers 202). A refusal is a 409 problem naming the allowed actions.
 */
export async function sendAction<K extends JobKind, R>(c: ActionCall<K, R>): Promise<R | null> {
  let update;
  try {
    update = await c.temporal.withDeadline(Date.now() + ACCEPT_MS, () =>
      c.temporal.workflow.startUpdateWithStart(c.update, { waitForStage: WorkflowUpdateStage.ACCEPTED, startWorkflowOperation: c.reopen }));
  } catch (err) {
    const refused = refusal(c, err);
    if (refused) throw refused;
    if (unreachable(err)) throw unavailable(`${c.action} could not be sent`, err);
    throw err;
  }
  try {
    return await c.temporal.withDeadline(Date.now() + SETTLE_MS, () => update.result());
  } catch (err) {
    const refused = refusal(c, err);
    if (refused) throw refused;
    if (unreachable(err)) return null;
    throw err;
  }
}

function refusal<K extends JobKind>(c: ActionCall<K, unknown>, err: unknown): Problem | null {
  if (!(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ACTION_NOT_ALLOWED)) return null;
  const { state } = err.cause.details?.[0] as { state: StateOf[K] };
  return notAllowed(c.kind, c.subject, c.action, state);
}

/** The 409 for an action the state does not allow, naming the state and the actions it allows. */
export const notAllowed = <K extends JobKind>(kind: K, subject: string, action: string, state: StateOf[K]) =>
  new Problem(409, 'Action not allowed', `${action} is not allowed while ${subject} is ${state}`, { state, allowedActions: allowedActions(kind, state) });
