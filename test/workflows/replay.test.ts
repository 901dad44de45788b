// Recorded histories of real runs, replayed against the current workflow code: a change that would break the
// executions in flight when workers are upgraded (non-determinism) fails here, and so CI. Every path a job can
// take is recorded (README, "Upgrading workers"). A change to workflow code is guarded with patched() so that
// these still replay; SLUICE_RECORD_HISTORIES=1 records them anew (only for a new workflow type or version; one
// workflow type alone with -t, e.g. `-t 'record sync histories'`).
import { Worker } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { actOn } from '../../api/job-control';
import { ensureBinaries } from '../../dev/binaries';
import { extractionOptions } from '../../workers/runtime';
import { actionSignals, actionUpdates, progressQuery, type extractionJob } from '../../workflows/extraction-job';
import { expiryWorkflowId } from '../../workflows/file-expiry';
import { finished, startExtraction } from '../support/jobs';
import { recordSyncHistories, SYNC_PATHS } from './sync-histories';
import { recordWebhookHistories, WEBHOOK_PATHS } from './webhook-histories';
import { EMAIL_PATHS, recordEmailHistories } from './email-histories';
import { recordScheduleHistories, SCHEDULE_PATHS } from './schedule-histories';
import { sourceClient, stackInfo, testSluice, type TestSluice } from '../support/stack';

const dir = join(__dirname, 'histories');
const recording = process.env.SLUICE_RECORD_HISTORIES === '1';

/** The paths every recording must cover; the replay test checks each has its file. */
const PATHS = [
  'key-range-completed', 'single-stream-completed', 'key-range-completed-extract-run',
  'single-stream-completed-extract-run', 'failed-undefined-column', 'cancelled-by-signal',
  'cancelled-by-temporal', 'cancelled-keeps-finished-parts', 'paused-resumed', 'restarted-from-paused',
  'restarted-run-2', 'queued-then-granted', 'continued-mid-run', 'continued-mid-run-2', 'reopened-restart',
  'reopened-delete', 'file-expiry', ...SYNC_PATHS, ...WEBHOOK_PATHS, ...EMAIL_PATHS, ...SCHEDULE_PATHS,
] as const;
type PathName = (typeof PATHS)[number];

type Handle = WorkflowHandle<typeof extractionJob>;

// Workflow code reads its own workflow id (the file expiry's id derives from it): replay needs the recorded one.
const idsFile = join(dir, 'workflow-ids.json');
const recordedIds: Record<string, string> = existsSync(idsFile) ? JSON.parse(readFileSync(idsFile, 'utf8')) : {};

async function save(name: PathName, workflowId: string, runId?: string) {
  const show = ['workflow', 'show', '--address', stackInfo().temporalAddress, '-w', workflowId, ...(runId ? ['-r', runId] : []), '-o', 'json'];
  writeFileSync(join(dir, `${name}.json`), execFileSync((await ensureBinaries()).temporal, show));
  recordedIds[name] = workflowId;
  writeFileSync(idsFile, `${JSON.stringify(recordedIds, null, 2)}\n`);
}

const until = async (handle: Handle, ok: (state: string, partsDone: number) => boolean) => {
  for (;;) {
    const snap = await handle.query(progressQuery);
    if (ok(snap.state, snap.progress.partsDone)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
};

// Executions of a workflow id, oldest first (visibility is eventually consistent: wait for `count`).
async function executions(s: TestSluice, workflowId: string, count: number): Promise<string[]> {
  for (;;) {
    const runs: { runId: string; startTime: Date }[] = [];
    for await (const e of s.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(e);
    if (runs.length >= count) return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime()).map((r) => r.runId);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// One slot at a time, 100-row parts, files that expire at once.
const RECORDING_SETTINGS = { SLUICE_PART_ROWS: '100', SLUICE_FILE_TTL_SECONDS: '1', SLUICE_MAX_RUNNING_JOBS: '1', SLUICE_TENANT_MAX_RUNNING_JOBS: '1' };

async function replayItems() {
  const src = await sourceClient();
  await src.query('CREATE TABLE IF NOT EXISTS replay_items AS SELECT g AS id, g::text AS label FROM generate_series(1, 450) g');
  await src.query('ALTER TABLE replay_items DROP CONSTRAINT IF EXISTS replay_items_pkey, ADD PRIMARY KEY (id)');
  return src;
}

(recording ? test : test.skip)('record histories (only with SLUICE_RECORD_HISTORIES=1)', async () => {
  const src = await replayItems();
  await src.query('CREATE TABLE IF NOT EXISTS replay_big AS SELECT g AS id FROM generate_series(1, 100000) g');
  await src.query('ALTER TABLE replay_big DROP CONSTRAINT IF EXISTS replay_big_pkey, ADD PRIMARY KEY (id)');
  const slowStream = { query: 'SELECT id, pg_sleep(0.2) FROM replay_items' };

  const s = await testSluice(RECORDING_SETTINGS);
  await s.startWorker();
  const control = { temporal: s.temporal, taskQueue: s.config.SLUICE_TASK_QUEUE, options: extractionOptions(s.config) };
  const job = async (request: Record<string, unknown>) => {
    const started = await startExtraction(s, request);
    return { ...started, record: async () => (await s.rt.jobs.get(s.tenantId, started.jobId))! };
  };
  try {
    const completed = await job({ table: 'replay_items' });
    await finished(completed.handle);
    await save('key-range-completed', completed.handle.workflowId);
    await s.temporal.workflow.getHandle(expiryWorkflowId(completed.handle.workflowId, 1)).result();
    await save('file-expiry', expiryWorkflowId(completed.handle.workflowId, 1));

    const stream = await job({ query: 'SELECT * FROM replay_items ORDER BY label' });
    await finished(stream.handle);
    await save('single-stream-completed', stream.handle.workflowId);

    const failed = await job({ table: 'replay_items', columns: ['nope'] });
    await finished(failed.handle);
    await save('failed-undefined-column', failed.handle.workflowId);

    const bySignal = await job(slowStream);
    await until(bySignal.handle, (state) => state === 'Running');
    await bySignal.handle.signal(actionSignals.cancel);
    await finished(bySignal.handle);
    await save('cancelled-by-signal', bySignal.handle.workflowId);

    const byTemporal = await job(slowStream);
    await until(byTemporal.handle, (state) => state === 'Running');
    await byTemporal.handle.cancel();
    await finished(byTemporal.handle);
    await save('cancelled-by-temporal', byTemporal.handle.workflowId);

    const keeps = await job({ table: 'replay_big' }); // 1000 parts of 100 rows
    await until(keeps.handle, (_, parts) => parts >= 1);
    await keeps.handle.executeUpdate(actionUpdates.cancel);
    await finished(keeps.handle);
    await save('cancelled-keeps-finished-parts', keeps.handle.workflowId);

    const paused = await job(slowStream);
    await until(paused.handle, (state) => state === 'Running');
    await paused.handle.executeUpdate(actionUpdates.pause);
    await paused.handle.executeUpdate(actionUpdates.resume);
    await paused.handle.executeUpdate(actionUpdates.cancel);
    await finished(paused.handle);
    await save('paused-resumed', paused.handle.workflowId);

    const restarted = await job(slowStream);
    await until(restarted.handle, (state) => state === 'Running');
    await restarted.handle.executeUpdate(actionUpdates.pause);
    await restarted.handle.executeUpdate(actionUpdates.restart);
    await restarted.handle.executeUpdate(actionUpdates.cancel);
    await finished(restarted.handle);
    const [first, second] = await executions(s, restarted.handle.workflowId, 2);
    await save('restarted-from-paused', restarted.handle.workflowId, first);
    await save('restarted-run-2', restarted.handle.workflowId, second);

    // With one slot, a second job waits Queued until the first ends.
    const ahead = await job(slowStream);
    await until(ahead.handle, (state) => state === 'Running');
    const queued = await job({ table: 'replay_items' });
    await until(queued.handle, (state) => state === 'Queued');
    await ahead.handle.executeUpdate(actionUpdates.cancel);
    await finished(queued.handle);
    await save('queued-then-granted', queued.handle.workflowId);

    // Actions on ended jobs start an execution for them (update-with-start).
    const reopened = await job({ table: 'replay_items' });
    await finished(reopened.handle);
    await actOn(control, await reopened.record(), 'restart');
    await finished(reopened.handle);
    const [, reopenedRun] = await executions(s, reopened.handle.workflowId, 3);
    await save('reopened-restart', reopened.handle.workflowId, reopenedRun);

    const deleted = await job({ table: 'replay_items' });
    await finished(deleted.handle);
    await actOn(control, await deleted.record(), 'delete');
    const [, deleting] = await executions(s, deleted.handle.workflowId, 2);
    await save('reopened-delete', deleted.handle.workflowId, deleting);
  } finally {
    await s.close();
  }

  // A run whose history fills up continues in a new execution between parts.
  const long = await testSluice({ SLUICE_PART_ROWS: '5', SLUICE_HISTORY_EVENTS_LIMIT: '200', SLUICE_FILE_TTL_SECONDS: '1' });
  await long.startWorker();
  try {
    const { handle } = await startExtraction(long, { table: 'replay_items' });
    await finished(handle);
    const [first, second] = await executions(long, handle.workflowId, 2);
    await save('continued-mid-run', handle.workflowId, first);
    await save('continued-mid-run-2', handle.workflowId, second);
  } finally {
    await long.close();
  }
  await src.end();
}, 600_000);

// Patch 'one-extract-activity' (extractRun for key ranges and streams), beside the recordings above of executions
// that began before it: `-t 'record extract-run histories'`.
(recording ? test : test.skip)('record extract-run histories (only with SLUICE_RECORD_HISTORIES=1)', async () => {
  const src = await replayItems();
  const s = await testSluice(RECORDING_SETTINGS);
  await s.startWorker();
  try {
    const keyRange = await startExtraction(s, { table: 'replay_items' });
    await finished(keyRange.handle);
    await save('key-range-completed-extract-run', keyRange.handle.workflowId);
    const stream = await startExtraction(s, { query: 'SELECT * FROM replay_items ORDER BY label' });
    await finished(stream.handle);
    await save('single-stream-completed-extract-run', stream.handle.workflowId);
  } finally {
    await s.close();
    await src.end();
  }
}, 600_000);

(recording ? test : test.skip)('record sync histories (only with SLUICE_RECORD_HISTORIES=1)', async () => {
  await recordSyncHistories({ save, executions: (t, workflowId, count) => executions(t.s, workflowId, count) });
}, 600_000);

(recording ? test : test.skip)('record webhook histories (only with SLUICE_RECORD_HISTORIES=1)', async () => {
  await recordWebhookHistories(save);
}, 600_000);

(recording ? test : test.skip)('record email histories (only with SLUICE_RECORD_HISTORIES=1)', async () => {
  await recordEmailHistories(save);
}, 600_000);

(recording ? test : test.skip)('record schedule histories (only with SLUICE_RECORD_HISTORIES=1)', async () => {
  await recordScheduleHistories(save);
}, 600_000);

const histories = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'workflow-ids.json') : [];

test.each(histories)('replays %s with the current workflow code', async (file) => {
  const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const workflowId = recordedIds[file.replace(/\.json$/, '')];
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.SLUICE_TEST_WORKFLOW_BUNDLE! } }, history, workflowId);
});

test('every path a job can take has a recorded history', () => {
  expect(histories.map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...PATHS].sort());
});
