// One extraction job: plan → parts in parallel (or one stream cut into parts) → manifest. Rows never pass
// through here: activities return keys, counts and checksums.
//
// This workflow owns the job's state. Users act through signals (Web UI, CLI) or updates (the API: 200 or a
// refusal at once); domain/lifecycle.ts decides what each action and each event of the work does. Every state
// change is mirrored to Sluice's database (a local activity), so the API needs no Temporal to show a job.
//
// Executions: the workflow execution ends when the job's run ends (Completed, Failed and Cancelled show as such
// in the Web UI); files left to download expire in a workflow of their own (file-expiry.ts). An action on an
// ended job (restart, delete) starts a new execution under the same id through update-with-start, carrying the
// job's last snapshot. A restart begins a new run in a fresh execution (continue-as-new); so does a run whose
// history grows past a bound, carrying its plan and finished parts.
import {
  ActivityCancellationType,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ExtractActivities } from '../activities/extract';
import type { SlotActivities } from '../activities/slots';
import type { StatusActivities } from '../activities/status';
import type { ExtractionInput, ExtractionSnapshot, PartResult } from '../domain/extraction-job';
import { newRun } from '../domain/new-run';
import { SLOT_GRANTED_SIGNAL } from '../domain/job-queue';
import type { PlannedExtraction } from '../domain/plan';
import { isEnded, transition, type ExtractionState, type JobAction, type JobEvent } from '../domain/lifecycle';
import { activeMsAt, addSample } from '../domain/progress';
import { registerActions, signalsFor, updatesFor } from './action-handlers';
import { failedAttemptOf, jobErrorOf } from './failures';
import { expiryWorkflowId, fileExpiryWorkflow } from './file-expiry';
import { JOB_STATE_ATTRIBUTE } from './search-attributes';

export const EXTRACTION_ACTIONS = ['pause', 'resume', 'restart', 'cancel', 'delete'] as const satisfies readonly JobAction[];
export type ExtractionAction = (typeof EXTRACTION_ACTIONS)[number];
/** Signals for the actions an active job takes (what the Web UI and `temporal workflow signal` send). */
export const actionSignals = signalsFor(EXTRACTION_ACTIONS);
/** Updates for every action (the API): validated against the lifecycle, answered with the job's next state. */
export const actionUpdates = updatesFor<ExtractionAction, ExtractionSnapshot>(EXTRACTION_ACTIONS);
export const progressQuery = defineQuery<ExtractionSnapshot>('progress');
export const slotGrantedSignal = defineSignal(SLOT_GRANTED_SIGNAL);
export { ACTION_NOT_ALLOWED } from './action-refusal';

/** What an execution hands to the next one (continue-as-new), or what an ended job is reopened with. */
export interface ExtractionCarry {
  snapshot: ExtractionSnapshot;
  plan: PlannedExtraction | null;
  finishedParts: PartResult[];
}

export interface ExtractionJobInput extends ExtractionInput {
  carry?: ExtractionCarry;
}

// An execution reopened for an action on an ended job gets that action in its first task; this only bounds a
// start whose update was refused.
const REOPENED_WAIT = '30 seconds';

const local = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s' } } as const;
const status = proxyLocalActivities<StatusActivities>(local);
const slots = proxyLocalActivities<SlotActivities>(local);

type Outcome = 'done' | 'failed' | 'interrupted' | 'history-full';

export async function extractionJob(input: ExtractionJobInput): Promise<ExtractionSnapshot> {
  const { jobId, tenantId, options } = input;
  const acts = proxyActivities<ExtractActivities>({
    startToCloseTimeout: '24h',
    heartbeatTimeout: `${options.heartbeatTimeoutSeconds}s`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: options.maxAttempts },
  });
  const now = () => new Date().toISOString(); // workflow time: deterministic on replay
  const snap: ExtractionSnapshot = input.carry?.snapshot ?? newRun(jobId, 1, now());
  let plan = input.carry?.plan ?? null;
  let finishedParts = input.carry?.finishedParts ?? [];
  const root = CancellationScope.current();
  let work: CancellationScope | null = null;
  let pending: ExtractionAction | null = null;
  let rests = 0; // times the job came to rest: waiting for a slot, running its parts, paused, ended, deleted
  const rest = () => void rests++;
  let deleted = false;
  let slotSignals = 0;
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= options.historyEventsLimit;
  // One activity type for key ranges and streams, decided in the run's first task; runs that began before it call
  // extractPart and extractStream.
  const oneActivity = patched('one-extract-activity');

  setHandler(progressQuery, () => snap);
  setHandler(slotGrantedSignal, () => void slotSignals++);
  registerActions({
    kind: 'extraction', noun: 'the job', actions: EXTRACTION_ACTIONS, signals: actionSignals, updates: actionUpdates,
    snap: () => snap, deleted: () => deleted, rests: () => rests,
    accepted: (action, interrupts) => {
      pending = action;
      if (interrupts) work?.cancel();
    },
  });

  async function enter(state: ExtractionState): Promise<void> {
    const from = snap.state;
    const p = snap.progress;
    if (state !== 'Running' && p.runningSince) {
      p.activeMs = activeMsAt(p, Date.now());
      p.runningSince = null;
    }
    if (state === 'Running' && !p.runningSince) p.runningSince = now();
    snap.state = state;
    upsertSearchAttributes([{ key: JOB_STATE_ATTRIBUTE, value: state }]);
    setCurrentDetails(details(snap));
    await status.recordSnapshot(snap);
    // After the record: the job a freed slot goes to never shows Running beside this one.
    if (holdsQueuePlace(from) && !holdsQueuePlace(state)) await slots.releaseSlot(jobId);
  }

  /** The state the lifecycle leads to from here by `step`. */
  function target(step: JobAction | JobEvent): ExtractionState {
    const t = transition('extraction', snap.state, step);
    if (!t.ok || t.to === 'deleted') throw new Error(`${step} does not lead anywhere from ${snap.state}`);
    return t.to;
  }

  // Signal-driven: a granted slot is signalled (and re-signalled by the sweeper if that signal was lost), so a
  // job waiting in the queue adds no events to its history. False when an action came first.
  async function waitForSlot(): Promise<boolean> {
    for (;;) {
      const seen = slotSignals;
      if ((await slots.claimSlot({ jobId, tenantId, workflowId: workflowInfo().workflowId })).granted) return true;
      if (snap.state !== 'Queued') await enter('Queued');
      rest();
      await condition(() => slotSignals > seen || pending !== null);
      if (pending !== null) return false;
    }
  }

  const partDone = (r: PartResult) => {
    snap.progress.rowsDone += r.rows;
    snap.progress.bytesDone += r.bytes;
    snap.progress.partsDone += 1;
    addSample(snap.progress, Date.now());
    snap.attempts = Math.max(snap.attempts, r.attempt);
    snap.worker = { cpuMs: snap.worker.cpuMs + r.cpuMs, peakRssBytes: Math.max(snap.worker.peakRssBytes, r.peakRssBytes) };
  };

  const ref = () => ({ jobId, tenantId, run: snap.run });

  // Runs the parts not finished yet; false when the history filled up first (the parts in flight are let finish).
  async function runParts(p: PlannedExtraction): Promise<boolean> {
    if (p.strategy === 'single-stream') {
      const parts = oneActivity
        ? await acts.extractRun({ ...ref(), firstIndex: 0, partRows: options.partRows })
        : await acts.extractStream({ ...ref(), partRows: options.partRows });
      parts.forEach(partDone);
      finishedParts = parts;
      snap.progress.partsTotal = parts.length;
      return true;
    }
    const done = new Set(finishedParts.map((f) => f.index));
    const todo = p.ranges.map((_, index) => index).filter((index) => !done.has(index));
    let next = 0;
    const lane = async () => {
      while (next < todo.length && !historyFull()) {
        const index = todo[next++];
        const range = p.ranges[index];
        const [result] = oneActivity
          ? await acts.extractRun({ ...ref(), firstIndex: index, range })
          : [await acts.extractPart({ ...ref(), index, range })];
        finishedParts.push(result);
        partDone(result);
      }
    };
    // A part that fails for good fails the job: stop the others rather than let them run on.
    await CancellationScope.cancellable(async () => {
      try {
        await Promise.all(Array.from({ length: Math.min(options.parallelism, todo.length) }, lane));
      } catch (err) {
        CancellationScope.current().cancel();
        throw err;
      }
    });
    return finishedParts.length === p.ranges.length;
  }

  async function runWork(): Promise<Outcome> {
    work = new CancellationScope();
    try {
      return await work.run(async (): Promise<Outcome> => {
        if (!(await waitForSlot())) return 'interrupted';
        if (!plan) {
          plan = await acts.planExtraction({ ...ref(), request: input.request, options });
          snap.plan = { strategy: plan.strategy, estimatedRows: plan.estimatedRows, estimatedBytes: plan.estimatedBytes, parts: plan.ranges.length };
          snap.progress.rowsEstimated = plan.estimatedRows;
          snap.progress.partsTotal = plan.strategy === 'single-stream' ? null : plan.ranges.length;
        }
        snap.startedAt ??= now();
        if (snap.state === 'Queued') await enter(target('granted'));
        rest();
        if (!(await runParts(plan))) return 'history-full';
        finishedParts.sort((a, b) => a.index - b.index);
        snap.manifest = await acts.writeManifest({ ...ref(), parts: finishedParts, complete: true, createdAt: now() });
        return 'done';
      });
    } catch (err) {
      if (!isCancellation(err)) {
        snap.error = jobErrorOf(err);
        snap.attempts = Math.max(snap.attempts, failedAttemptOf(err));
        return 'failed';
      }
      if (root.consideredCancelled) pending = 'cancel'; // a Temporal cancel request (Web UI, CLI) is a cancel
      return 'interrupted';
    } finally {
      work = null;
    }
  }

  // A failed or cancelled run's finished parts stay downloadable until they expire, in a manifest marked
  // incomplete. Best effort: the job's error is what matters, and a manifest that cannot be written only hides
  // the parts.
  async function writePartialManifest(): Promise<void> {
    if (!finishedParts.length) return;
    try {
      snap.manifest = await acts.writeManifest({ ...ref(), parts: [...finishedParts].sort((a, b) => a.index - b.index), complete: false, createdAt: now() });
    } catch {
      snap.manifest = null;
    }
  }

  // Ends the run: files to offer expire in a workflow of their own, and this execution ends.
  async function end(state: ExtractionState): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      snap.finishedAt = now();
      snap.filesExpireAt = snap.manifest ? new Date(Date.now() + options.fileTtlSeconds * 1000).toISOString() : null;
      await enter(state);
      rest();
      if (snap.filesExpireAt) {
        await startChild(fileExpiryWorkflow, {
          workflowId: expiryWorkflowId(workflowInfo().workflowId, snap.run),
          args: [{ tenantId, jobId, run: snap.run, expireAt: snap.filesExpireAt }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: `Files of job ${jobId}, run ${snap.run}: deleted at ${snap.filesExpireAt}`,
        });
      }
    });
  }

  // The expiry of a run whose files are discarded early (restart, delete) has nothing left to do.
  const cancelExpiry = () =>
    getExternalWorkflowHandle(expiryWorkflowId(workflowInfo().workflowId, snap.run)).cancel().catch(() => undefined);

  async function cancelRun(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      // Unfinished parts and uploads go; finished parts are offered until they expire.
      await acts.deleteJobFiles({ ...ref(), keep: finishedParts.map((p) => p.key) });
      await writePartialManifest();
    });
    await end(target('cancel'));
  }

  // Restart: the run ends where it is, its files are discarded, and a new run begins in a fresh execution.
  async function beginNewRun(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      if (!snap.finishedAt) {
        snap.finishedAt = now();
        await status.recordSnapshot(snap);
      }
      if (snap.filesExpireAt && !snap.filesExpiredAt) await cancelExpiry();
      await acts.deleteJobFiles({ tenantId, jobId });
    });
    const next = target('restart');
    Object.assign(snap, newRun(jobId, snap.run + 1, now()));
    plan = null;
    finishedParts = [];
    await enter(next);
    rest();
  }

  async function removeJob(): Promise<void> {
    if (snap.filesExpireAt && !snap.filesExpiredAt) await cancelExpiry();
    await acts.deleteJobFiles({ tenantId, jobId });
    await status.deleteJob({ tenantId, jobId });
    upsertSearchAttributes([{ key: JOB_STATE_ATTRIBUTE, value: 'Deleted' }]);
    deleted = true;
    rest();
    await condition(allHandlersFinished);
  }

  // A cancelled job's execution shows as cancelled too: for a user's cancel (signal, update) the worker asks
  // Temporal to cancel this very execution, whose cancellation then ends it.
  async function showCancelled(): Promise<never> {
    if (!root.consideredCancelled) {
      await status.cancelExecution({ workflowId: workflowInfo().workflowId, runId: workflowInfo().runId });
      await condition(() => false); // ended by the cancellation as it arrives
    }
    throw new CancelledFailure('the job was cancelled');
  }

  const takePending = (): ExtractionAction | null => {
    const action = pending;
    pending = null;
    return action;
  };

  // Before the execution ends or continues as new, the updates in progress finish. An action that arrives
  // meanwhile (a restart as the job ends) is taken here instead: false then.
  const quiet = async (): Promise<boolean> => {
    await condition(() => allHandlersFinished() || pending !== null);
    return pending === null;
  };

  // Continues as new, unless an action came first.
  const carryOn = async (): Promise<void> => {
    if (await quiet()) await continueAsNew<typeof extractionJob>({ ...input, carry: { snapshot: snap, plan, finishedParts } });
  };

  if (isEnded('extraction', snap.state)) {
    // Reopened for an action on an ended job.
    if (!(await condition(() => pending !== null, REOPENED_WAIT))) return snap;
  }
  for (;;) {
    const action = takePending();
    switch (action) {
      case 'delete':
        await removeJob();
        return snap;
      case 'restart':
        await beginNewRun();
        await carryOn();
        continue;
      case 'cancel':
        await cancelRun();
        if (!(await quiet())) continue;
        return showCancelled();
      case 'pause':
      case 'resume':
        await enter(target(action));
        break;
    }
    if (snap.state === 'Paused') {
      rest();
      try {
        await condition(() => pending !== null || historyFull());
      } catch (err) {
        if (!isCancellation(err)) throw err;
        pending = 'cancel'; // a Temporal cancel request while paused
      }
      if (pending === null) await carryOn();
      continue;
    }
    const outcome = await runWork();
    if (outcome === 'interrupted') continue;
    if (outcome === 'history-full') {
      await carryOn();
      continue;
    }
    if (outcome === 'done') {
      await end(target('succeeded'));
      if (!(await quiet())) continue;
      return snap;
    }
    if (outcome === 'failed') {
      await writePartialManifest();
      await end(target('failed'));
      if (!(await quiet())) continue;
      const e = snap.error!;
      throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true, details: [e] });
    }
  }
}

const holdsQueuePlace = (state: ExtractionState) => state === 'Queued' || state === 'Running';

function details(s: ExtractionSnapshot): string {
  const p = s.progress;
  const lines = [`**${s.state}** · run ${s.run} · ${p.rowsDone.toLocaleString('en-US')} rows · ${p.partsDone}/${p.partsTotal ?? '?'} parts`];
  if (s.error) lines.push(`${s.error.code}: ${s.error.message}`, s.error.suggestion);
  return lines.join('\n\n');
}
