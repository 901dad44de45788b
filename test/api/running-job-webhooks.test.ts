// Webhooks of a running job, end to end: an endpoint subscribed to job.part_ready gets one event per part (a split
// job's ranges, a stream's files), whose rows add up to the job's and whose link downloads the file; one
// subscribed to job.progress gets, while a stream runs for several seconds, at most one event per interval
// (SLUICE_PROGRESS_EVENT_SECONDS, 1 s here), rows never going back, none after the job ended.
import { Webhook } from 'standardwebhooks';
import type { Manifest } from '../../domain/extraction-job';
import { finished, startExtraction } from '../support/jobs';
import { startReceiver, until, type Received } from '../support/webhook-receiver';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';

const PART_ROWS = 100;
let s: TestSluice;
let api: TestApi;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secrets = new Map<string, string>();

beforeAll(async () => {
  receiver = await startReceiver();
  s = await testSluice({ SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_PROGRESS_EVENT_SECONDS: '1', SLUICE_PART_ROWS: String(PART_ROWS) });
  await s.startWorker();
  api = await startApi(s);
  for (const [path, event] of [['/parts', 'job.part_ready'], ['/progress', 'job.progress']]) {
    const res = await api.call('POST', '/v1/webhooks', { url: `${receiver.url}${path}`, events: [event] });
    expect(res.status).toBe(201);
    secrets.set(path, (await res.json()).secret);
  }
});

afterAll(async () => {
  await api?.close();
  await s?.close();
  await receiver?.close();
});

interface Event {
  type: string;
  timestamp: string;
  data: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The verified events `path` received about `jobId`. */
const eventsAt = (path: string, jobId: string): Event[] =>
  receiver.received
    .filter((r: Received) => r.path === path)
    .map((r) => new Webhook(secrets.get(path)!).verify(r.body, r.headers as Record<string, string>) as Event)
    .filter((e) => e.data.jobId === jobId);

/** Every part's event, once each (none more after a pause), matching the manifest; its link downloads the file. */
async function expectPartsReady(jobId: string, manifest: Manifest) {
  await until('an event per part', () => (eventsAt('/parts', jobId).length >= manifest.parts.length ? true : undefined));
  await new Promise((r) => setTimeout(r, 2000)); // the dispatcher hands events out every second: none more comes
  const events = eventsAt('/parts', jobId).sort((a, b) => a.data.part - b.data.part);
  expect(events.map((e) => e.type)).toEqual(manifest.parts.map(() => 'job.part_ready'));
  expect(events.map(({ data: { part, rows, bytes, sha256, fileName } }) => ({ part, rows, bytes, sha256, fileName }))).toEqual(
    manifest.parts.map((p) => ({ part: p.index, rows: p.rows, bytes: p.bytes, sha256: p.sha256, fileName: p.key.slice(p.key.lastIndexOf('/') + 1) })),
  );
  expect(events.reduce((n, e) => n + e.data.rows, 0)).toBe(manifest.rows);
  const last = events[events.length - 1].data;
  const file = await fetch(last.url);
  expect(file.status).toBe(200);
  expect(Date.parse(last.linkExpiresAt)).toBeGreaterThan(Date.now());
  return events;
}

test('a split job: one job.part_ready per part, the rows adding up to the job', async () => {
  const src = await sourceClient();
  const table = uniqueName('parts_ready');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 1000) g`);
  await src.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
  await src.query(`ANALYZE ${table}`);
  await src.end();
  const { jobId, handle } = await startExtraction(s, { table, compression: 'none' });
  const done = await finished(handle);
  expect(done.state).toBe('Completed');
  expect(done.manifest!.parts.length).toBeGreaterThan(2);
  const events = await expectPartsReady(jobId, done.manifest!);
  expect(events[0].data).toMatchObject({ jobId, run: 1 });
});

test('a stream running several seconds: its files ready as they come, progress at most once a second, rows never going back', async () => {
  // 600 rows at 10 ms each: about six seconds; wide enough that COPY sends them as they come.
  const query = `SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 600) g WHERE pg_sleep(0.01) IS NOT NULL`;
  const { jobId, handle } = await startExtraction(s, { query, compression: 'none' });
  const done = await finished(handle);
  expect(done.state).toBe('Completed');
  expect(done.manifest!.parts).toHaveLength(600 / PART_ROWS);
  const parts = await expectPartsReady(jobId, done.manifest!);
  // Ready while the job ran, not all at its end.
  expect(Date.parse(parts[0].timestamp)).toBeLessThan(Date.parse(parts[parts.length - 1].timestamp) - 2000);

  const progress = eventsAt('/progress', jobId).sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  expect(progress.length).toBeGreaterThanOrEqual(2);
  for (const [i, e] of progress.entries()) {
    expect(e.type).toBe('job.progress');
    expect(e.data).toMatchObject({ jobId, run: 1, state: 'Running', parts: null });
    expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(Date.parse(done.finishedAt!));
    if (i === 0) continue;
    const before = progress[i - 1];
    expect(Date.parse(e.timestamp) - Date.parse(before.timestamp)).toBeGreaterThanOrEqual(1000);
    expect(e.data.rows).toBeGreaterThanOrEqual(before.data.rows);
    expect(e.data.bytes).toBeGreaterThanOrEqual(before.data.bytes);
  }
  expect(progress[progress.length - 1].data.rows).toBeGreaterThan(0);
  expect(progress[progress.length - 1].data.rows).toBeLessThanOrEqual(600);
});
