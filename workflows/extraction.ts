// One extraction job: plan → parts in parallel (or one stream cut into parts) → manifest. Rows never pass
// through here: activities return keys, counts and checksums. Status is mirrored to Sluice's database on
// every transition, so the API and lists do not depend on Temporal visibility.
//
// Control: pause, resume, restart and cancel arrive as signals (Web UI, CLI) or as updates (the API, which
// gets 200 or a refusal at once). An accepted command interrupts the running work; the loop below then acts
// on it. Pause cancels the parts in flight and keeps the finished ones; resume runs the parts not done.
//
// Slots: a job runs only while it holds one of the limited running slots (store/job-slots.ts). It claims one
// before each run, waits Queued until granted (a signal wakes it), and gives it back on leaving Running.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ExtractActivities } from '../activities/extract';
import type { SlotActivities } from '../activities/slots';
import type { StatusActivities } from '../activities/status';
import type { ExtractionInput, ExtractionSnapshot, PartResult } from '../domain/extraction-job';
import { applyAction, type ExtractionAction, type ExtractionState } from '../domain/extraction-states';
import { SLOT_GRANTED_SIGNAL } from '../domain/job-queue';
import type { ExtractionPlan } from '../domain/plan';
import { activeMsAt, addSample, emptyProgress } from '../domain/progress';
import { failedAttemptOf, jobErrorOf } from './failures';
import { JOB_STATE_ATTRIBUTE } from './search-attributes';

export type JobCommand = Exclude<ExtractionAction, 'delete'>;
export const JOB_COMMANDS: readonly JobCommand[] = ['pause', 'resume', 'restart', 'cancel'];
export const commandSignals = Object.fromEntries(JOB_COMMANDS.map((c) => [c, defineSignal(c)])) as Record<JobCommand, ReturnType<typeof defineSignal>>;
export const commandUpdates = Object.fromEntries(JOB_COMMANDS.map((c) => [c, defineUpdate<ExtractionSnapshot>(c)])) as Record<
  JobCommand,
  ReturnType<typeof defineUpdate<ExtractionSnapshot>>
>;
export const cancelSignal = commandSignals.cancel;
export const progressQuery = defineQuery<ExtractionSnapshot>('progress');
export const slotGrantedSignal = defineSignal(SLOT_GRANTED_SIGNAL);
/** The type of the failure an update is refused with; its details hold `{ state, allowed }`. */
export const ACTION_NOT_ALLOWED = 'action_not_allowed';

const local = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s' } } as const;
const status = proxyLocalActivities<StatusActivities>(local);
const slots = proxyLocalActivities<SlotActivities>(local);
// A granted slot is signalled; this timer only guards against a signal that never came.
const SLOT_RECHECK = '1 minute';

export async function extractionWorkflow(input: ExtractionInput): Promise<ExtractionSnapshot> {
  const acts = proxyActivities<ExtractActivities>({
    startToCloseTimeout: '24h',
    heartbeatTimeout: `${input.options.heartbeatTimeoutSeconds}s`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: input.options.maxAttempts },
  });
  const { jobId, tenantId, request } = input;
  // Everything a run counts; a restart begins from this again.
  const freshRun = (): Omit<ExtractionSnapshot, 'jobId' | 'state'> => ({
    progress: emptyProgress(), plan: null, error: null, attempts: 0, worker: { cpuMs: 0, peakRssBytes: 0 },
    startedAt: null, finishedAt: null, manifest: null, filesExpireAt: null, filesExpiredAt: null,
  });
  const snap: ExtractionSnapshot = { jobId, state: 'Queued', ...freshRun() };
  const now = () => new Date().toISOString(); // workflow time: deterministic on replay
  const root = CancellationScope.current();
  let work: CancellationScope | null = null;
  let pending: JobCommand | null = null;
  let plan: ExtractionPlan | null = null;
  let finishedParts: PartResult[] = []; // by part index; kept across pause and resume
  let transitions = 0;
  let inSlotQueue = false; // queued for a slot or holding one
  let slotSignals = 0;
  setHandler(slotGrantedSignal, () => void slotSignals++);

  const accept = (command: JobCommand): void => {
    if (!applyAction(snap.state, command).ok) return;
    pending = command;
    if (command !== 'resume') work?.cancel();
  };
  setHandler(progressQuery, () => snap);
  for (const command of JOB_COMMANDS) {
    setHandler(commandSignals[command], () => accept(command));
    setHandler(commandUpdates[command], async () => {
      const from = snap.state;
      const before = transitions;
      accept(command);
      // Answer with the job's next state: the command's target, or whatever came first (a resumed job waiting
      // for a slot is Queued; a job may fail meanwhile).
      await condition(() => transitions > before && snap.state !== from);
      return snap;
    }, {
      validator: () => {
        const t = applyAction(snap.state, command);
        if (!t.ok) throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: `${command} is not allowed while the job is ${t.state}`, details: [{ state: t.state, allowed: t.allowed }] });
      },
    });
  }

  async function enter(state: ExtractionState): Promise<void> {
    const p = snap.progress;
    if (state !== 'Running' && p.runningSince) {
      p.activeMs = activeMsAt(p, Date.now());
      p.runningSince = null;
    }
    if (state === 'Running' && !p.runningSince) p.runningSince = now();
    snap.state = state;
    transitions++;
    upsertSearchAttributes([{ key: JOB_STATE_ATTRIBUTE, value: state }]);
    setCurrentDetails(details(snap));
    await status.recordSnapshot(snap);
    // After the record: the job a freed slot goes to never shows Running beside this one.
    if (inSlotQueue && state !== 'Queued' && state !== 'Running') {
      await slots.releaseSlot(jobId);
      inSlotQueue = false;
    }
  }

  async function waitForSlot(): Promise<void> {
    inSlotQueue = true;
    for (;;) {
      const seen = slotSignals;
      if ((await slots.claimSlot({ jobId, tenantId, workflowId: workflowInfo().workflowId })).granted) return;
      if (snap.state !== 'Queued') await enter('Queued');
      await condition(() => slotSignals > seen, SLOT_RECHECK);
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

  async function runParts(p: ExtractionPlan): Promise<PartResult[]> {
    const read = { jobId, tenantId, source: request.source, format: request.format, compression: request.compression, timeZone: request.timeZone, select: p.select, strategy: p.strategy };
    if (p.strategy === 'single-stream') {
      const parts = await acts.extractStream({ ...read, partRows: input.options.partRows });
      parts.forEach(partDone);
      snap.progress.partsTotal = parts.length;
      return parts;
    }
    const todo = p.ranges.map((_, index) => index).filter((index) => !finishedParts[index]);
    let next = 0;
    const lane = async () => {
      while (next < todo.length) {
        const index = todo[next++];
        const result = await acts.extractPart({ ...read, index, range: p.ranges[index] });
        finishedParts[index] = result;
        partDone(result);
      }
    };
    // A part that fails for good fails the job: stop the others rather than let them run on.
    await CancellationScope.cancellable(async () => {
      try {
        await Promise.all(Array.from({ length: Math.min(input.options.parallelism, todo.length) }, lane));
      } catch (err) {
        CancellationScope.current().cancel();
        throw err;
      }
    });
    return finishedParts;
  }

  async function runJob(): Promise<void> {
    await waitForSlot();
    if (!plan) {
      plan = await acts.planExtraction(input);
      snap.plan = { strategy: plan.strategy, estimatedRows: plan.estimatedRows, estimatedBytes: plan.estimatedBytes, parts: plan.ranges.length };
      snap.progress.rowsEstimated = plan.estimatedRows;
      snap.progress.partsTotal = plan.strategy === 'single-stream' ? null : plan.ranges.length;
    }
    snap.startedAt ??= now();
    await enter('Running');
    const parts = await runParts(plan);
    snap.manifest = await acts.writeManifest({ job: input, columns: plan.select.columns, parts, complete: true, createdAt: now() });
  }

  // Cancel removes the files of unfinished parts and unfinished uploads. The finished parts are offered in a
  // manifest marked incomplete, unless the cancel came from Temporal (`keepFinished` false): that ends the
  // workflow, and with it the timer that would delete them.
  const discardUnfinished = (keepFinished: boolean) =>
    CancellationScope.nonCancellable(async () => {
      const kept = keepFinished ? finishedParts.filter(Boolean).map((p) => p.key) : [];
      await acts.deleteJobFiles({ tenantId, jobId, keep: kept });
      if (kept.length) await writePartialManifest();
    });

  // Ends the run in a final state. A job with files to offer (a manifest) keeps them until they expire;
  // true when a restart came first.
  async function end(state: 'Completed' | 'Failed' | 'Cancelled'): Promise<boolean> {
    snap.finishedAt = now();
    snap.filesExpireAt = snap.manifest ? expiryFromNow() : null;
    await enter(state);
    return snap.manifest !== null && (await keepFilesUntilExpiry());
  }

  // Restart (from Paused, or from Completed while its files are kept): discard the files, begin again.
  async function restart(): Promise<void> {
    await CancellationScope.nonCancellable(() => acts.deleteJobFiles({ tenantId, jobId }));
    plan = null;
    finishedParts = [];
    Object.assign(snap, freshRun());
    await enter('Queued');
  }

  const expiryFromNow = () => new Date(Date.now() + input.options.fileTtlSeconds * 1000).toISOString();

  // A failed or cancelled job's finished parts stay downloadable until they expire, listed in a manifest marked
  // incomplete.
  // Best effort: the job's error is what matters, and a manifest that cannot be written only hides the parts.
  async function writePartialManifest(): Promise<void> {
    const parts = finishedParts.filter(Boolean);
    if (!plan || !parts.length) return;
    try {
      snap.manifest = await acts.writeManifest({ job: input, columns: plan.select.columns, parts, complete: false, createdAt: now() });
    } catch {
      snap.manifest = null;
    }
  }

  // A job that ends with files keeps them until they expire (a durable timer), unless it is restarted first.
  // Returns true for a restart.
  async function keepFilesUntilExpiry(): Promise<boolean> {
    const expire = async () => {
      await acts.deleteJobFiles({ tenantId, jobId });
      snap.filesExpiredAt = now();
      await enter(snap.state);
    };
    try {
      if (await condition(() => pending === 'restart', input.options.fileTtlSeconds * 1000)) {
        pending = null;
        return true;
      }
    } catch (err) {
      if (isCancellation(err)) await CancellationScope.nonCancellable(expire); // the workflow is ended by an operator
      throw err;
    }
    await expire();
    return false;
  }

  await enter('Queued');
  for (;;) {
    work = new CancellationScope();
    const outcome = await work.run(runJob).then(() => ({ ok: true as const }), (err: unknown) => ({ ok: false as const, err }));
    work = null;
    if (outcome.ok) {
      if (!(await end('Completed'))) return snap;
      await restart();
      continue;
    }
    const { err } = outcome;
    if (!isCancellation(err)) {
      snap.error = jobErrorOf(err);
      snap.attempts = Math.max(snap.attempts, failedAttemptOf(err));
      await writePartialManifest();
      if (await end('Failed')) {
        await restart();
        continue;
      }
      throw ApplicationFailure.create({ type: snap.error.code, message: snap.error.message, nonRetryable: true, details: [snap.error] });
    }
    let command = root.consideredCancelled ? 'cancel' : pending;
    pending = null;
    try {
      while (command === 'pause') {
        await enter('Paused');
        await condition(() => pending !== null);
        command = pending;
        pending = null;
      }
    } catch (waitErr) {
      if (!isCancellation(waitErr)) throw waitErr;
      command = 'cancel'; // a Temporal cancel request while paused
    }
    if (command === 'cancel') {
      if (root.consideredCancelled) {
        await discardUnfinished(false);
        await CancellationScope.nonCancellable(() => end('Cancelled')); // no manifest: ends at once
        throw err; // a Temporal cancel request: the execution shows as cancelled too
      }
      await discardUnfinished(true);
      if (!(await end('Cancelled'))) return snap;
      await restart();
      continue;
    }
    if (command === 'restart') await restart();
    // resume (or restart): run again, skipping the parts already done
  }
}

function details(s: ExtractionSnapshot): string {
  const p = s.progress;
  const lines = [`**${s.state}** · ${p.rowsDone.toLocaleString('en-US')} rows · ${p.partsDone}/${p.partsTotal ?? '?'} parts`];
  if (s.error) lines.push(`${s.error.code}: ${s.error.message}`, s.error.suggestion);
  return lines.join('\n\n');
}
