// A retried stream continues from its last heartbeat: it keeps the parts uploaded before and reads only the rows
// after them, and the files are the same bytes as an attempt that read everything. When the rows before that
// point changed meanwhile, it notices at the seam and reads the whole selection again. The activities run here
// in Temporal's mock activity environment (real PostgreSQL and MinIO), so each attempt's heartbeat is chosen.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Client as PgClient } from 'pg';
import { createExtractActivities, type ExtractActivities, type ExtractHeartbeat } from '../../activities/extract';
import { ResourceMeter } from '../../activities/extract/resource-meter';
import { SourcePools } from '../../connectors/postgres/pools';
import { listKeys } from '../../connectors/s3/objects';
import { runPrefix, type PlannedExtraction } from '../../domain/plan';
import type { PartResult } from '../../domain/extraction-job';
import { extractionRequestSchema } from '../../domain/extraction-request';
import { workflowIdFor } from '../../api/job-control';
import { extractionOptions } from '../../workers/runtime';
import { ndjsonLines, psqlCsv, rowToJson, verifiedFiles } from './oracle';
import { joinCsvParts, partContents } from '../support/jobs';
import { sourceClient, stackInfo, testSluice, uniqueName, type TestSluice } from '../support/stack';

const ROWS = 1000;
const PART_ROWS = 100;
let s: TestSluice;
let src: PgClient;
let pools: SourcePools;
let acts: ExtractActivities;
const table = uniqueName('resume');
// No ORDER BY: rows come in the table's physical order, the same on every read of unchanged rows. The filter
// sleeps per row so that heartbeats see the stream midway.
const query = `SELECT id, label, at FROM ${table} WHERE pg_sleep(0.003) IS NOT NULL`;

beforeAll(async () => {
  s = await testSluice();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int, label text, at timestamptz)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'row ' || g || CASE WHEN g % 7 = 0 THEN E'\\nwith, "quotes"' ELSE '' END, timestamptz '2025-01-01 00:00+00' + g * interval '1 minute' FROM generate_series(1, ${ROWS}) g ORDER BY random()`);
  pools = new SourcePools();
  acts = createExtractActivities({
    s3: s.rt.s3, bucket: s.config.SLUICE_S3_BUCKET, encryption: { mode: s.config.SLUICE_S3_SSE }, pools, source: async () => ({ url: stackInfo().sourceUrl, queryRole: null }),
    plans: s.rt.plans, progress: s.rt.partProgress, jobs: s.rt.jobs, progressEventSeconds: 30, gzipLevel: 1, parquetRowGroupRows: 50,
    statementTimeoutMs: 60_000, lockTimeoutMs: 10_000, meter: new ResourceMeter(),
  });
});

afterAll(async () => {
  await pools?.end();
  await src?.end();
  await s?.close();
});

async function plannedJob(request: Record<string, unknown>) {
  const jobId = `job_${randomBytes(8).toString('hex')}`;
  const parsed = extractionRequestSchema.parse({ source: 'src', mode: 'job', ...request });
  await s.rt.jobs.create({ id: jobId, tenantId: s.tenantId, request: parsed, workflowId: workflowIdFor(s.tenantId, jobId) });
  const ref = { jobId, tenantId: s.tenantId, run: 1 };
  const plan = (await new MockActivityEnvironment().run(acts.planExtraction, { ...ref, request: parsed, options: extractionOptions(s.config) })) as PlannedExtraction;
  expect(plan.strategy).toBe('single-stream');
  return ref;
}

/** One attempt of the stream, resuming from `heartbeat`; returns its parts and the heartbeats it sent. */
async function attempt(ref: { jobId: string; tenantId: string; run: number }, n: number, heartbeat?: ExtractHeartbeat) {
  const env = new MockActivityEnvironment({ attempt: n, heartbeatDetails: heartbeat, scheduledTimestampMs: 1 });
  const beats: ExtractHeartbeat[] = [];
  env.on('heartbeat', (d: ExtractHeartbeat) => beats.push(d));
  const parts = (await env.run(acts.extractRun, { ...ref, firstIndex: 0, partRows: PART_ROWS })) as PartResult[];
  return { parts, beats };
}

/** A heartbeat sent midway: some parts uploaded, some still to come. */
function midway(beats: ExtractHeartbeat[], total: number): ExtractHeartbeat {
  const beat = beats.find((b) => b.parts.length >= 2 && b.parts.length <= total - 2);
  if (!beat) throw new Error(`no heartbeat midway: ${beats.map((b) => b.parts.length).join(', ')}`);
  return beat;
}

async function lastModified(keys: string[]): Promise<Map<string, string>> {
  const heads = await Promise.all(keys.map((Key) => s.rt.s3.send(new HeadObjectCommand({ Bucket: s.config.SLUICE_S3_BUCKET, Key }))));
  return new Map(keys.map((k, i) => [k, `${heads[i].LastModified!.toISOString()} ${heads[i].ETag}`]));
}

const asManifest = (parts: PartResult[], format: 'csv' | 'ndjson' | 'parquet', compression: 'gzip' | 'none') => ({
  jobId: 'j', complete: true, format, compression, columns: [], createdAt: '', parts,
  rows: parts.reduce((n, p) => n + p.rows, 0), bytes: parts.reduce((n, p) => n + p.bytes, 0),
});

describe.each([
  ['csv', 'none'],
  ['ndjson', 'gzip'],
  ['parquet', 'gzip'],
] as const)('%s, %s', (format, compression) => {
  test('a retried attempt keeps the parts of its last heartbeat, rewrites none of them, and ends with the same bytes', async () => {
    const ref = await plannedJob({ query, format, compression });
    const first = await attempt(ref, 1);
    expect(first.parts).toHaveLength(ROWS / PART_ROWS);
    const beat = midway(first.beats, first.parts.length);
    const kept = beat.parts.length;
    const before = await lastModified(first.parts.map((p) => p.key));
    await new Promise((r) => setTimeout(r, 1100)); // S3 times are in whole seconds

    const second = await attempt(ref, 2, beat);
    const fields = (ps: PartResult[]) => ps.map(({ index, key, rows, bytes, sha256 }) => ({ index, key, rows, bytes, sha256 }));
    expect(fields(second.parts)).toEqual(fields(first.parts)); // the same cut, the same bytes, part by part
    expect(second.parts.map((p) => p.attempt)).toEqual(first.parts.map((_, i) => (i < kept ? 1 : 2)));
    const after = await lastModified(second.parts.map((p) => p.key));
    second.parts.forEach((p, i) => (i < kept ? expect(after.get(p.key)).toBe(before.get(p.key)) : expect(after.get(p.key)).not.toBe(before.get(p.key))));
    // The first heartbeat of the retry already carries what it kept.
    expect(second.beats[0].parts).toHaveLength(kept);
    expect(second.beats[0].rows).toBe(kept * PART_ROWS);
    await verifiedFiles(s, asManifest(second.parts, format, compression));
    expect(await s.rt.partProgress.totals(ref.jobId, 1)).toMatchObject({ rows: ROWS, partsDone: 1, retry: null });
    // Each file told of once, by the attempt that wrote it first.
    const ready = await s.rt.db.query(`SELECT payload FROM events WHERE subject = $1 AND type = 'job.part_ready' ORDER BY (payload->>'part')::int`, [ref.jobId]);
    expect(ready.rows.map((r) => [r.payload.part, r.payload.rows, r.payload.sha256])).toEqual(first.parts.map((p) => [p.index, p.rows, p.sha256]));
  });
});

test('CSV: every resumed part starts with the header, and the parts joined are what psql COPY writes', async () => {
  const ref = await plannedJob({ query, format: 'csv', compression: 'gzip' });
  const first = await attempt(ref, 1);
  const second = await attempt(ref, 2, midway(first.beats, first.parts.length));
  const parts = await partContents(s, asManifest(second.parts, 'csv', 'gzip'));
  const header = 'id,label,at\n';
  parts.forEach((p) => expect(p.startsWith(header)).toBe(true));
  expect(joinCsvParts(parts)).toBe(psqlCsv(query));
});

test('rows deleted before the resume point move the seam: the attempt reads everything again, exactly', async () => {
  const victim = uniqueName('resume_seam');
  await src.query(`CREATE TABLE ${victim} AS SELECT * FROM ${table}`);
  const q = `SELECT id, label, at FROM ${victim} WHERE pg_sleep(0.003) IS NOT NULL`;
  const ref = await plannedJob({ query: q, format: 'ndjson', compression: 'gzip' });
  const first = await attempt(ref, 1);
  const beat = midway(first.beats, first.parts.length);
  const before = await lastModified(first.parts.map((p) => p.key));
  await new Promise((r) => setTimeout(r, 1100));
  // The first 150 rows of the table go: every later row moves up, the seam among them.
  await src.query(`DELETE FROM ${victim} WHERE ctid IN (SELECT ctid FROM ${victim} LIMIT 150)`);

  const second = await attempt(ref, 2, beat);
  expect(second.parts.reduce((n, p) => n + p.rows, 0)).toBe(ROWS - 150);
  expect(second.parts.every((p) => p.attempt === 2)).toBe(true); // nothing kept
  const after = await lastModified(second.parts.map((p) => p.key));
  second.parts.forEach((p) => expect(after.get(p.key)).not.toBe(before.get(p.key)));
  const files = await verifiedFiles(s, asManifest(second.parts, 'ndjson', 'gzip'));
  expect(ndjsonLines(files.map((f) => gunzipSync(f).toString('utf8')))).toEqual(await rowToJson(src, `SELECT id, label, at FROM ${victim}`));
  // The run holds no file beyond the new last part: the first attempt's tenth is gone.
  expect(second.parts).toHaveLength(9);
  expect((await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, runPrefix(ref.tenantId, ref.jobId, 1))).sort()).toEqual(second.parts.map((p) => p.key).sort());
});
