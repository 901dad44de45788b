// A job's history stays bounded however it is used: 50 pause/resume cycles and 20 restarts, with a low bound
// (SLUICE_HISTORY_EVENTS_LIMIT=300) so that continuing as new must happen. Every execution of the job's workflow
// stays under the bound (plus one cycle's events), and each restart is a run of its own in Sluice's database.
import type { Client as PgClient } from 'pg';
import { actionUpdates, progressQuery } from '../../workflows/extraction-job';
import { finished, startExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';

const LIMIT = 300;
// Checked at each pause and between parts: an execution may pass the limit by what one cycle adds.
const SLACK = 100;

let s: TestSluice;
let src: PgClient;
const table = uniqueName('endless');

beforeAll(async () => {
  s = await testSluice({ SLUICE_HISTORY_EVENTS_LIMIT: String(LIMIT) });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 100000) g`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

test('50 pause/resume cycles and 20 restarts: every execution stays under the bound; runs are counted', async () => {
  // A job that runs until it is stopped: one slow stream.
  const { jobId, handle } = await startExtraction(s, { query: `SELECT id, pg_sleep(0.01) FROM ${table}` });
  while ((await handle.query(progressQuery)).state !== 'Running') await new Promise((r) => setTimeout(r, 50));

  for (let i = 0; i < 50; i++) {
    expect((await handle.executeUpdate(actionUpdates.pause)).state).toBe('Paused');
    expect(['Queued', 'Running']).toContain((await handle.executeUpdate(actionUpdates.resume)).state);
  }
  for (let i = 0; i < 20; i++) {
    await handle.executeUpdate(actionUpdates.pause);
    const restarted = await handle.executeUpdate(actionUpdates.restart);
    expect(restarted).toMatchObject({ run: i + 2 });
  }
  await handle.executeUpdate(actionUpdates.cancel);
  expect((await finished(handle)).state).toBe('Cancelled');

  const executions = [];
  for await (const e of s.temporal.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) executions.push(e);
  expect(executions.length).toBeGreaterThan(21); // 21 runs, and continued executions within the first
  for (const e of executions) expect(e.historyLength).toBeLessThanOrEqual(LIMIT + SLACK);

  const runs = await s.rt.jobs.runs(jobId);
  expect(runs.map((r) => r.run)).toEqual(Array.from({ length: 21 }, (_, i) => 21 - i));
  expect(runs[0]).toMatchObject({ state: 'Cancelled', endedAt: expect.any(Date) });
  for (const r of runs.slice(1)) expect(r).toMatchObject({ state: 'Paused', endedAt: expect.any(Date) }); // restarted while paused
}, 600_000);
