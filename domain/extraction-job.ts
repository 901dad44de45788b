// The shapes an extraction job has in workflow state, in Sluice's database and in the manifest.
import type { JobError } from './errors';
import type { Compression, ExtractionRequest, Format } from './extraction-request';
import type { ExtractionState } from './extraction-states';
import type { ColumnInfo, SplitStrategy } from './plan';
import type { ExtractionProgress } from './progress';

export interface ExtractionOptions {
  partRows: number;
  maxParts: number;
  parallelism: number;
  maxAttempts: number;
  heartbeatTimeoutSeconds: number;
  fileTtlSeconds: number;
}

export interface ExtractionInput {
  jobId: string;
  tenantId: string;
  request: ExtractionRequest;
  options: ExtractionOptions;
}

export interface PartFile {
  index: number;
  key: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface WorkerUsage {
  /** CPU time of the worker processes while the job's parts ran, shared among the parts running at once. */
  cpuMs: number;
  /** The largest worker process RSS seen while one of the job's parts ran. */
  peakRssBytes: number;
}

export interface PartResult extends PartFile, WorkerUsage {
  attempt: number;
}

export interface Manifest {
  jobId: string;
  complete: boolean;
  format: Format;
  compression: Compression;
  columns: ColumnInfo[];
  rows: number;
  bytes: number;
  parts: PartFile[];
  createdAt: string;
}

export interface PlanSummary {
  strategy: SplitStrategy;
  estimatedRows: number;
  estimatedBytes: number;
  parts: number;
}

// Everything the workflow mirrors to the database on each transition, and answers to the progress query.
export interface ExtractionSnapshot {
  jobId: string;
  state: ExtractionState;
  progress: ExtractionProgress;
  plan: PlanSummary | null;
  error: JobError | null;
  attempts: number;
  worker: WorkerUsage;
  startedAt: string | null;
  finishedAt: string | null;
  manifest: Manifest | null;
  /** When a completed job's files are deleted. */
  filesExpireAt: string | null;
  /** When they were deleted; the job's record stays. */
  filesExpiredAt: string | null;
}
