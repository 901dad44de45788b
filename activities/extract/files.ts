import type { ExtractionInput, Manifest, PartFile } from '../../domain/extraction-job';
import { jobPrefix, manifestKey, type ColumnInfo } from '../../domain/plan';
import { deletePrefix, putJson } from '../../connectors/s3/objects';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';

export interface ManifestInput {
  job: Pick<ExtractionInput, 'jobId' | 'tenantId' | 'request'>;
  columns: ColumnInfo[];
  parts: PartFile[];
  complete: boolean;
  createdAt: string;
}

export const writeManifest = (deps: ExtractDeps) => async (input: ManifestInput): Promise<Manifest> => {
  const { job, parts } = input;
  const manifest: Manifest = {
    jobId: job.jobId,
    complete: input.complete,
    format: job.request.format,
    compression: job.request.compression,
    columns: input.columns,
    rows: parts.reduce((n, p) => n + p.rows, 0),
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    parts: parts.map(({ index, key, rows, bytes, sha256 }) => ({ index, key, rows, bytes, sha256 })),
    createdAt: input.createdAt,
  };
  try {
    await putJson(deps.s3, deps.bucket, manifestKey(job.tenantId, job.jobId), manifest);
  } catch (err) {
    throw toActivityFailure(err);
  }
  return manifest;
};

/** Deletes a job's files, but for the keys in `keep`, and its unfinished uploads. */
export const deleteJobFiles = (deps: ExtractDeps) => async (input: { tenantId: string; jobId: string; keep?: string[] }): Promise<number> => {
  try {
    return await deletePrefix(deps.s3, deps.bucket, jobPrefix(input.tenantId, input.jobId), new Set(input.keep));
  } catch (err) {
    throw toActivityFailure(err);
  }
};
