// Recorded histories of real runs, replayed against the current workflow code: a change that would break
// running jobs (non-determinism) fails here. Set SLUICE_RECORD_HISTORIES=1 to record them anew from this
// stack (after an intended, versioned change to the workflow).
import { Worker } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionSignals, progressQuery } from '../../workflows/extraction-job';
import { startExtraction } from '../support/jobs';
import { ensureBinaries } from '../../dev/binaries';
import { sourceClient, stackInfo, testSluice } from '../support/stack';

const dir = join(__dirname, 'histories');
const recording = process.env.SLUICE_RECORD_HISTORIES === '1';

// Recording runs the four paths a job can take: parallel parts, one stream (both through to file expiry),
// failure, cancellation.
(recording ? test : test.skip)('record histories (only with SLUICE_RECORD_HISTORIES=1)', async () => {
  const s = await testSluice({ SLUICE_PART_ROWS: '100', SLUICE_FILE_TTL_SECONDS: '1' }); // completed runs record their expiry too
  await s.startWorker();
  const src = await sourceClient();
  await src.query('CREATE TABLE IF NOT EXISTS replay_items AS SELECT g AS id, g::text AS label FROM generate_series(1, 450) g');
  await src.query('ALTER TABLE replay_items DROP CONSTRAINT IF EXISTS replay_items_pkey, ADD PRIMARY KEY (id)');
  const runs: Record<string, Record<string, unknown>> = {
    'key-range-completed': { table: 'replay_items' },
    'single-stream-completed': { query: 'SELECT * FROM replay_items ORDER BY label' },
    'failed-undefined-column': { table: 'replay_items', columns: ['nope'] },
    cancelled: { query: 'SELECT id, pg_sleep(1) FROM replay_items' },
  };
  for (const [name, request] of Object.entries(runs)) {
    const { handle } = await startExtraction(s, request);
    if (name === 'cancelled') {
      while ((await handle.query(progressQuery)).state !== 'Running') await new Promise((r) => setTimeout(r, 50));
      await handle.signal(actionSignals.cancel);
    }
    await handle.result().catch(() => undefined);
    const show = ['workflow', 'show', '--address', stackInfo().temporalAddress, '-w', handle.workflowId, '-o', 'json'];
    writeFileSync(join(dir, `${name}.json`), execFileSync((await ensureBinaries()).temporal, show));
  }
  await src.end();
  await s.close();
});

const histories = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];

(histories.length ? test.each(histories) : test.skip.each(['(none recorded)']))('replays %s with the current workflow code', async (file) => {
  const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.SLUICE_TEST_WORKFLOW_BUNDLE! } }, history, file);
});

test('histories are recorded', () => {
  expect(histories.length).toBeGreaterThanOrEqual(4);
});
