// One sync job (design.md §2, §5): initialize (checks, publication, slot, target tables) → snapshot ranges →
// the change stream, for as long as the sync lives. Rows never pass through here: activities return counts and
// LSNs, and the stream applies and acknowledges on its own (one long heartbeating activity per spell).
//
// The workflow owns the job's state, as the extraction workflow does: actions arrive as signals (Web UI, CLI)
// or updates (the API), domain/lifecycle.ts decides what they do, and every change of state is mirrored to
// Sluice's database. The execution ends with the job (Succeeded, Failed); an action on an ended job reopens it
// with update-with-start. A long-lived sync continues as new between stream spells and while paused, carrying
// only its snapshot.
import {
  ActivityCancellationType,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import type { SyncStatusActivities } from '../activities/sync/status';
import { isEnded, transition, type JobAction, type JobEvent, type SyncState } from '../domain/lifecycle';
import { copiedTotals, copies, newSyncJob, newSyncRun, streams, type SyncInput, type SyncSnapshot, type TableCopy } from '../domain/sync-job';
import { registerActions, signalsFor, updatesFor } from './action-handlers';
import { jobErrorOf } from './failures';
import { JOB_STATE_ATTRIBUTE } from './search-attributes';

export const SYNC_ACTIONS = ['start', 'pause', 'resume', 'restart', 'delete'] as const satisfies readonly JobAction[];
export type SyncAction = (typeof SYNC_ACTIONS)[number];
/** Signals for every action (what the Web UI and `temporal workflow signal` send). */
export const syncActionSignals = signalsFor(SYNC_ACTIONS);
/** Updates for every action (the API): validated against the lifecycle, answered with the state the sync comes to rest in. */
export const syncActionUpdates = updatesFor<SyncAction, SyncSnapshot>(SYNC_ACTIONS);
export const syncStatusQuery = defineQuery<SyncSnapshot>('status');

const REOPENED_WAIT = '30 seconds';
const local = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s' } } as const;
const status = proxyLocalActivities<SyncStatusActivities>(local);

type Outcome = 'done' | 'failed' | 'interrupted' | 'history-full';

export async function syncJob(input: SyncInput): Promise<SyncSnapshot> {
  const { jobId, tenantId, request, options } = input;
  const acts = proxyActivities<SyncActivities>({
    startToCloseTimeout: '24h',
    heartbeatTimeout: `${options.heartbeatTimeoutSeconds}s`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: options.maxAttempts },
  });
  const now = () => new Date().toISOString();
  const snap: SyncSnapshot = input.carry?.snapshot ?? newSyncJob(jobId);
  const root = CancellationScope.current();
  let work: CancellationScope | null = null;
  let pending = (input.carry?.pending ?? null) as SyncAction | null;
  let rests = 0;
  const rest = () => void rests++;
  let deleted = false;
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= options.historyEventsLimit;
  const ref = () => ({ jobId, tenantId, run: snap.run });

  setHandler(syncStatusQuery, () => snap);
  registerActions({
    kind: 'sync', noun: 'the sync', actions: SYNC_ACTIONS, signals: syncActionSignals, updates: syncActionUpdates,
    snap: () => snap, deleted: () => deleted, rests: () => rests,
    accepted: (action, interrupts) => {
      pending = action;
      if (interrupts) work?.cancel();
    },
  });

  async function record(): Promise<void> {
    setCurrentDetails(details(snap));
    await status.recordSyncSnapshot(snap);
  }

  async function enter(state: SyncState): Promise<void> {
    snap.state = state;
    upsertSearchAttributes([{ key: JOB_STATE_ATTRIBUTE, value: state }]);
    await record();
  }

  function target(step: JobAction | JobEvent): SyncState {
    const t = transition('sync', snap.state, step);
    if (!t.ok || t.to === 'deleted') throw new Error(`${step} does not lead anywhere from ${snap.state}`);
    return t.to;
  }

  // Copies the ranges not done yet, a few at a time; a range is recorded as it finishes, so a pause or a lost
  // worker costs at most the ranges in flight. False when the history filled up first.
  async function copyTables(): Promise<boolean> {
    const todo: { table: TableCopy; index: number }[] = [];
    for (const table of snap.tables) table.ranges.forEach((_, index) => table.rangesDone.includes(index) || todo.push({ table, index }));
    let next = 0;
    const lane = async () => {
      while (next < todo.length && !historyFull()) {
        const { table, index } = todo[next++];
        const copied = await acts.copySyncRange({ ...ref(), source: request.source, target: request.target, table: table.table, strategy: table.strategy, range: table.ranges[index] });
        table.rangesDone.push(index);
        table.rowsCopied += copied.rows;
        table.bytesCopied += copied.bytes;
        await record();
      }
    };
    await CancellationScope.cancellable(async () => {
      try {
        await Promise.all(Array.from({ length: Math.min(request.options.snapshotParallelism, todo.length) }, lane));
      } catch (err) {
        CancellationScope.current().cancel();
        throw err;
      }
    });
    return snap.tables.every((t) => t.rangesDone.length === t.ranges.length);
  }

  async function runWork(): Promise<Outcome> {
    work = new CancellationScope();
    try {
      return await work.run(async (): Promise<Outcome> => {
        if (snap.phase === 'initializing') {
          const init = await acts.initializeSync({ ...ref(), request });
          snap.slot = init.slot;
          snap.tables = init.tables;
          snap.phase = copies(request) ? 'snapshot' : 'streaming';
          if (snap.state === 'Initializing') await enter(target('initialized'));
          else await record();
        }
        rest();
        if (snap.phase === 'snapshot') {
          if (!(await copyTables())) return 'history-full';
          snap.phase = streams(request) ? 'streaming' : 'done';
          await record();
        }
        if (snap.phase === 'done') return 'done';
        await acts.streamChanges({ ...ref(), request, tables: snap.tables.map((t) => t.table), copied: copiedTotals(snap), spellSeconds: options.streamSpellSeconds });
        return 'history-full'; // a spell ended: continue, in a fresh execution when the history asks for one
      });
    } catch (err) {
      if (!isCancellation(err)) {
        snap.error = jobErrorOf(err);
        return 'failed';
      }
      if (pending === null) pending = 'pause'; // a Temporal cancel request (Web UI, CLI) pauses: the slot is kept
      return 'interrupted';
    } finally {
      work = null;
    }
  }

  async function end(state: SyncState): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      snap.finishedAt = now();
      await enter(state);
      rest();
    });
  }

  async function beginInstance(step: 'start' | 'restart'): Promise<void> {
    const next = target(step);
    if (step === 'restart' && !snap.finishedAt) {
      snap.finishedAt = now();
      await record();
    }
    Object.assign(snap, newSyncRun(snap, now()));
    await enter(next);
    rest();
  }

  async function removeJob(): Promise<void> {
    await acts.dropSyncResources({ jobId, tenantId, source: request.source, target: request.target });
    await status.deleteSyncJob({ tenantId, jobId });
    upsertSearchAttributes([{ key: JOB_STATE_ATTRIBUTE, value: 'Deleted' }]);
    deleted = true;
    rest();
    await condition(allHandlersFinished);
  }

  const takePending = (): SyncAction | null => {
    const action = pending;
    pending = null;
    return action;
  };
  const quiet = async (): Promise<boolean> => {
    await condition(() => allHandlersFinished() || pending !== null);
    return pending === null;
  };
  const carryOn = async (): Promise<void> => {
    if (await quiet()) await continueAsNew<typeof syncJob>({ ...input, carry: { snapshot: snap } });
  };
  // A Temporal cancel request (Web UI, CLI) pauses the sync and keeps its slot. A cancelled execution cannot wait
  // or record anything more (every timer and activity of it is cancelled at once), so the pause is recorded out of
  // the cancellation's reach and a fresh execution carries the paused sync on, open to every action, with an action
  // that came with the cancel request (one the pause makes pointless is dropped).
  const pauseOnCancelRequest = async (): Promise<never> => {
    await CancellationScope.nonCancellable(async () => {
      const t = transition('sync', snap.state, 'pause');
      if (t.ok && t.to !== 'deleted') await enter(t.to);
    });
    const next = pending !== null && transition('sync', snap.state, pending).ok ? pending : undefined;
    return continueAsNew<typeof syncJob>({ ...input, carry: { snapshot: snap, pending: next } });
  };

  if (isEnded('sync', snap.state)) {
    if (!(await condition(() => pending !== null, REOPENED_WAIT))) return snap;
  }
  if (!input.carry) await record();
  for (;;) {
    if (root.consideredCancelled) await pauseOnCancelRequest();
    const action = takePending();
    switch (action) {
      case 'delete':
        await removeJob();
        return snap;
      case 'start':
      case 'restart':
        await beginInstance(action);
        break;
      case 'pause':
      case 'resume':
        await enter(target(action));
        break;
    }
    if (snap.state === 'Created' || snap.state === 'Paused') {
      rest();
      // Paused: the slot's retained WAL grows; sample it so status and charts show it.
      const sampling = snap.state === 'Paused' && snap.slot !== null;
      const woken = () => pending !== null || historyFull();
      try {
        if (!sampling) await condition(woken);
        else while (!(await condition(woken, `${options.pausedSampleSeconds}s`))) await acts.sampleSyncSlot({ ...ref(), source: request.source });
      } catch (err) {
        if (!isCancellation(err)) throw err;
      }
      if (pending === null && historyFull()) await carryOn();
      continue;
    }
    if (isEnded('sync', snap.state)) {
      if (!(await quiet())) continue;
      return snap;
    }
    const outcome = await runWork();
    if (outcome === 'interrupted') continue;
    if (outcome === 'history-full') {
      if (historyFull()) await carryOn();
      continue;
    }
    if (outcome === 'done') {
      await end(target('succeeded'));
      if (!(await quiet())) continue;
      return snap;
    }
    await end(target('failed'));
    if (!(await quiet())) continue;
    const e = snap.error!;
    throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: true, details: [e] });
  }
}

function details(s: SyncSnapshot): string {
  const copied = s.tables.reduce((n, t) => n + t.rowsCopied, 0);
  const ranges = s.tables.reduce((n, t) => [n[0] + t.rangesDone.length, n[1] + t.ranges.length], [0, 0]);
  const lines = [`**${s.state}** · instance ${s.run} · ${s.phase}${s.phase === 'snapshot' ? ` ${ranges[0]}/${ranges[1]} ranges` : ''} · ${copied.toLocaleString('en-US')} rows copied`];
  if (s.error) lines.push(`${s.error.code}: ${s.error.message}`, s.error.suggestion);
  return lines.join('\n\n');
}
