// Starting an extraction workflow directly and reading its files back from storage.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import type { ExtractionInput, ExtractionSnapshot, Manifest } from '../../domain/extraction-job';
import { extractionRequestSchema } from '../../domain/extraction-request';
import type { WorkflowHandle } from '@temporalio/client';
import { isEnded } from '../../domain/lifecycle';
import { extractionJob, progressQuery } from '../../workflows/extraction-job';
import { JOB_KIND_ATTRIBUTE, TENANT_ATTRIBUTE } from '../../workflows/search-attributes';
import { workflowIdFor } from '../../api/job-control';
import { extractionOptions } from '../../workers/runtime';
import type { TestSluice } from './stack';

export async function startExtraction(s: TestSluice, request: Record<string, unknown>) {
  const jobId = `job_${randomBytes(8).toString('hex')}`;
  const parsed = extractionRequestSchema.parse({ source: 'src', mode: 'job', ...request });
  const workflowId = workflowIdFor(s.tenantId, jobId);
  await s.rt.jobs.create({ id: jobId, tenantId: s.tenantId, request: parsed, workflowId });
  const input: ExtractionInput = { jobId, tenantId: s.tenantId, request: parsed, options: extractionOptions(s.config) };
  const handle = await s.temporal.workflow.start(extractionJob, {
    taskQueue: s.config.SLUICE_TASK_QUEUE, workflowId, args: [input],
    typedSearchAttributes: [{ key: TENANT_ATTRIBUTE, value: s.tenantId }, { key: JOB_KIND_ATTRIBUTE, value: 'extraction' }],
  });
  return { jobId, handle };
}

// A query waits for a worker to answer it; one just starting (or none, after a kill in a crash test) may take
// longer than the query's deadline on a loaded machine. Ask again.
export async function queryJob(handle: WorkflowHandle<typeof extractionJob>): Promise<ExtractionSnapshot> {
  for (;;) {
    try {
      return await handle.query(progressQuery);
    } catch (err) {
      if (!/query timed out|DEADLINE_EXCEEDED/i.test(`${(err as Error).message} ${(err as Error).cause}`)) throw err;
    }
  }
}

// A job's workflow ends when the job does; its query still answers then, with the final state (failed and
// cancelled runs end their execution with an error, so tests wait for the state, not the result).
export async function finished(handle: WorkflowHandle<typeof extractionJob>): Promise<ExtractionSnapshot> {
  for (;;) {
    const snapshot = await queryJob(handle);
    if (isEnded('extraction', snapshot.state)) return snapshot;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runExtraction(s: TestSluice, request: Record<string, unknown>): Promise<ExtractionSnapshot> {
  const { handle } = await startExtraction(s, request);
  return finished(handle);
}

export async function readObject(s: TestSluice, key: string): Promise<Buffer> {
  const res = await s.rt.s3.send(new GetObjectCommand({ Bucket: s.config.SLUICE_S3_BUCKET, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

/** Every part's bytes, decompressed, in part order. */
export async function partContents(s: TestSluice, manifest: Manifest): Promise<string[]> {
  return Promise.all(manifest.parts.map(async (p) => {
    const raw = await readObject(s, p.key);
    return decompressed(raw, manifest.compression).toString('utf8');
  }));
}

/** A CSV or NDJSON file's bytes as they were before compression. */
export const decompressed = (raw: Buffer, compression: string): Buffer =>
  compression === 'gzip' ? gunzipSync(raw) : compression === 'zstd' ? zstdDecompressSync(raw) : raw;

/** CSV parts joined into one file: the header once, then every part's rows. */
export const joinCsvParts = (parts: string[]): string =>
  parts.map((p, i) => (i === 0 ? p : p.slice(p.indexOf('\n') + 1))).join('');
