import type { Manifest, PartFile } from '../../domain/extraction-job';
import { jobPrefix, manifestKey, runPrefix } from '../../domain/plan';
import { deletePrefix, putJson } from '../../connectors/s3/objects';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import type { SpecCache } from './spec';

export interface ManifestInput {
  jobId: string;
  tenantId: string;
  run: number;
  parts: PartFile[];
  complete: boolean;
  createdAt: string;
}

/** Writes the run's manifest.json; its columns, format and compression are the run's read spec's. */
export const writeManifest = (deps: ExtractDeps, specs: SpecCache) => async (input: ManifestInput): Promise<Manifest> => {
  const { parts } = input;
  try {
    const spec = await specs.get(input.jobId, input.run);
    const manifest: Manifest = {
      jobId: input.jobId,
      complete: input.complete,
      format: spec.format,
      compression: spec.compression,
      columns: spec.select.columns,
      rows: parts.reduce((n, p) => n + p.rows, 0),
      bytes: parts.reduce((n, p) => n + p.bytes, 0),
      parts: parts.map(({ index, key, rows, bytes, sha256 }) => ({ index, key, rows, bytes, sha256 })),
      createdAt: input.createdAt,
    };
    await putJson(deps.s3, deps.bucket, manifestKey(input.tenantId, input.jobId, input.run), manifest, deps.encryption);
    return manifest;
  } catch (err) {
    throw toActivityFailure(err);
  }
};

export interface DeleteFilesInput {
  tenantId: string;
  jobId: string;
  /** That run's files only; absent: every run's, and anything else under the job's prefix. */
  run?: number;
  /** Keys to leave. */
  keep?: string[];
}

/** Deletes a run's (or a job's) files, but for the keys in `keep`, and their unfinished uploads. Idempotent. */
export const deleteJobFiles = (deps: ExtractDeps) => async (input: DeleteFilesInput): Promise<number> => {
  const prefix = input.run === undefined ? jobPrefix(input.tenantId, input.jobId) : runPrefix(input.tenantId, input.jobId, input.run);
  try {
    return await deletePrefix(deps.s3, deps.bucket, prefix, new Set(input.keep));
  } catch (err) {
    throw toActivityFailure(err);
  }
};
