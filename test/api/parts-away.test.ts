// The API when the parts behind it are away. A Temporal server of this test's own (it is stopped mid-test) and
// a worker in a child process (killed with SIGKILL):
// - worker dead: GET /v1/jobs/:id answers from the last progress its parts recorded, and marks it stale;
// - Temporal down: every action, and making a job, is a retryable 503 problem with Retry-After; reading works.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client as PgClient } from 'pg';
import { ensureBinaries } from '../../dev/binaries';
import { freePort, startTemporal, type TemporalService } from '../../dev/services';
import { sourceClient, startApi, testEnv, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, waitForState } from './support';

const table = uniqueName('away');
let temporal: TemporalService;
let temporalDir: string;
let settings: Record<string, string>;
let s: TestSluice;
let api: TestApi;
let src: PgClient;
let worker: ChildProcess;

beforeAll(async () => {
  temporalDir = mkdtempSync(join(tmpdir(), 'sluice-temporal-away-'));
  temporal = await startTemporal(await ensureBinaries(), temporalDir, await freePort());
  settings = { TEMPORAL_ADDRESS: temporal.address, SLUICE_TASK_QUEUE: uniqueName('away'), SLUICE_HEARTBEAT_TIMEOUT_SECONDS: '2' };
  s = await testSluice(settings);
  api = await startApi(s);
  worker = spawn(process.execPath, ['--import', 'tsx', 'workers/extraction.ts'], {
    cwd: join(__dirname, '..', '..'), env: { ...process.env, ...testEnv(settings) }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 20000) g`);
});

afterAll(async () => {
  if (worker?.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await api?.close();
  await src?.end();
  await s?.close();
  await temporal?.stop();
  if (temporalDir) rmSync(temporalDir, { recursive: true, force: true });
});

const get = async (id: string) => {
  const res = await api.call('GET', `/v1/jobs/${id}`);
  expect(res.status).toBe(200);
  return res.json();
};

test('worker dead, then Temporal down: reads answer from the last known progress, actions are retryable 503s', async () => {
  const made = await api.call('POST', '/v1/extractions', { source: 'src', query: `SELECT id, pg_sleep(0.002) FROM ${table}`, mode: 'job' });
  expect(made.status).toBe(202);
  const { id } = await made.json();
  await waitForState(api, id, ['Running']);
  let seen = await get(id);
  while (seen.progress.rowsDone === 0) seen = await get(id);
  expect(seen.progress.stale).toBe(false);

  worker.kill('SIGKILL');
  await once(worker, 'exit');
  // Its parts fall silent: the job shows where they were, then says that this is old news.
  let last = await get(id);
  expect(last).toMatchObject({ state: 'Running' });
  expect(last.progress.rowsDone).toBeGreaterThanOrEqual(seen.progress.rowsDone);
  while (!last.progress.stale) last = await get(id);
  expect(last.progress.ageMs).toBeGreaterThan(2 * 2000);
  expect(last.progress.rowsDone).toBeGreaterThan(0);

  await temporal.stop();
  for (const action of ['pause', 'cancel', 'restart', 'resume']) {
    const res = await api.call('POST', `/v1/jobs/${id}/${action}`);
    const problem = await expectProblem(res, 503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(problem).toMatchObject({ retryable: true });
  }
  const deleting = await api.call('DELETE', `/v1/jobs/${id}`);
  await expectProblem(deleting, 503);
  expect(deleting.headers.get('retry-after')).toMatch(/^\d+$/);
  const another = await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' });
  await expectProblem(another, 503);
  expect(another.headers.get('retry-after')).toMatch(/^\d+$/);

  // Reading needs no Temporal: the job and its runs, as last recorded; the new job was not kept.
  expect(await get(id)).toMatchObject({ state: 'Running', progress: { stale: true, rowsDone: last.progress.rowsDone } });
  const runs = await (await api.call('GET', `/v1/jobs/${id}/runs`)).json();
  expect(runs.runs).toMatchObject([{ run: 1, state: 'Running', endedAt: null }]);
  const list = await (await api.call('GET', '/v1/jobs')).json();
  expect(list.jobs).toMatchObject([{ id, state: 'Running', progress: { stale: true } }]);
});
