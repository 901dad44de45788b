// A source connection killed in the middle of a COPY is a transient error: the part runs again and the job
// completes with every row exactly once.
import type { Client as PgClient } from 'pg';
import { progressQuery } from '../../workflows/extraction-job';
import { finished, joinCsvParts, partContents, startExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';

let s: TestSluice;
let src: PgClient;
const table = uniqueName('flaky');

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '200' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 1200) g`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

test('the connection to the source is killed mid-COPY: the job retries and completes exactly', async () => {
  const { jobId, handle } = await startExtraction(s, { query: `SELECT id, label, pg_sleep(0.005) AS pause FROM ${table} ORDER BY id`, compression: 'none' });
  while ((await handle.query(progressQuery)).state !== 'Running') await new Promise((r) => setTimeout(r, 50));
  let killed = 0;
  while (!killed) {
    if ((await handle.query(progressQuery)).state !== 'Running') throw new Error('the job ended before its COPY could be killed');
    const res = await src.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'sluice' AND query LIKE 'COPY%' AND state = 'active'
          AND position($1 IN query) > 0`, // only this test's: other test files read the same source
      [table],
    );
    killed = res.rowCount ?? 0;
  }
  // While it retries, the job shows the attempt and why (what GET /v1/jobs/:id reports as lastRetryReason).
  let live = await s.rt.partProgress.totals(jobId, 1);
  while (!live.retry && (await handle.query(progressQuery)).state === 'Running') live = await s.rt.partProgress.totals(jobId, 1);
  expect(live.retry?.attempt).toBe(2);
  expect(live.retry?.reason).toMatch(/terminat/i);
  const result = await finished(handle);
  expect(result.state).toBe('Completed');
  expect(result.attempts).toBeGreaterThanOrEqual(2);
  const rows = await src.query(`SELECT id, label FROM ${table} ORDER BY id`);
  // pg_sleep() returns void, whose text is the empty string: CSV writes it as "".
  const expected = ['id,label,pause', ...rows.rows.map((r) => `${r.id},${r.label},""`)].join('\n') + '\n';
  expect(joinCsvParts(await partContents(s, result.manifest!))).toBe(expected);
  expect(result.manifest!.parts.map((p) => p.rows)).toEqual([200, 200, 200, 200, 200, 200]);
});
