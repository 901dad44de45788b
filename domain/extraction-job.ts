// The shapes an extraction job has in workflow state, in Sluice's database and in the manifest. The job's state
// is defined once, here, as a schema: the workflow holds it, the database mirrors it whole (records written
// before a field existed read back with the field's default), and the API view is derived from it.
import { z } from 'zod';
import type { JobError } from './errors';
import type { Compression, ExtractionRequest, Format } from './extraction-request';
import { EXTRACTION_STATES } from './lifecycle';
import { emptyProgress } from './new-run';
import type { ColumnInfo, SplitStrategy } from './plan';

export interface ExtractionOptions {
  partRows: number;
  maxParts: number;
  parallelism: number;
  maxAttempts: number;
  heartbeatTimeoutSeconds: number;
  fileTtlSeconds: number;
  /** A workflow execution continues as new past this many history events (or when the server suggests it). */
  historyEventsLimit: number;
}

/** The id of a job's workflow: the tenant's and the job's, so operators can find it in the Web UI. */
export const workflowIdFor = (tenantId: string, jobId: string) => `sluice/${tenantId}/extraction/${jobId}`;

export interface ExtractionInput {
  jobId: string;
  tenantId: string;
  request: ExtractionRequest;
  options: ExtractionOptions;
}

const rateSampleSchema = z.object({
  activeMs: z.number(), // running time when the sample was taken
  rows: z.number(),
});
export type RateSample = z.infer<typeof rateSampleSchema>;

const progressSchema = z.object({
  rowsDone: z.number(),
  rowsEstimated: z.number().nullable(),
  bytesDone: z.number(),
  partsDone: z.number(),
  partsTotal: z.number().nullable(),
  /** Running time of finished Running stretches; queueing and pauses do not count. */
  activeMs: z.number(),
  /** Start of the current Running stretch, or null when not running. */
  runningSince: z.string().nullable(),
  /** The last few (running time, rows) points, for throughput over a recent window. */
  samples: z.array(rateSampleSchema),
});
export type ExtractionProgress = z.infer<typeof progressSchema>;

const partFileSchema = z.object({
  index: z.number(),
  key: z.string(),
  rows: z.number(),
  bytes: z.number(),
  sha256: z.string(),
});
export type PartFile = z.infer<typeof partFileSchema>;

const workerUsageSchema = z.object({
  /** CPU time of the worker processes while the job's parts ran, shared among the parts running at once. */
  cpuMs: z.number(),
  /** The largest worker process RSS seen while one of the job's parts ran. */
  peakRssBytes: z.number(),
});
export type WorkerUsage = z.infer<typeof workerUsageSchema>;

export interface PartResult extends PartFile, WorkerUsage {
  attempt: number;
}

const manifestSchema = z.object({
  jobId: z.string(),
  complete: z.boolean(),
  format: z.custom<Format>((v) => typeof v === 'string'),
  compression: z.custom<Compression>((v) => typeof v === 'string'),
  columns: z.array(z.custom<ColumnInfo>((v) => typeof v === 'object' && v !== null)),
  rows: z.number(),
  bytes: z.number(),
  parts: z.array(partFileSchema),
  createdAt: z.string(),
});
export type Manifest = z.infer<typeof manifestSchema>;

const planSummarySchema = z.object({
  strategy: z.custom<SplitStrategy>((v) => typeof v === 'string'),
  estimatedRows: z.number(),
  estimatedBytes: z.number(),
  parts: z.number(),
});
export type PlanSummary = z.infer<typeof planSummarySchema>;

const isoTime = z.string().nullable().default(null);

// Everything the workflow holds of a job and mirrors to the database on each transition.
export const extractionSnapshotSchema = z.object({
  jobId: z.string(),
  state: z.enum(EXTRACTION_STATES),
  /** The run (instance) this is: 1 for the first, one more for each restart. */
  run: z.number().int().min(1).default(1),
  /** When this run began: the job was made, or restarted. */
  runStartedAt: isoTime,
  progress: progressSchema.default(() => emptyProgress()),
  plan: planSummarySchema.nullable().default(null),
  error: z.custom<JobError>((v) => typeof v === 'object' && v !== null).nullable().default(null),
  attempts: z.number().default(0),
  worker: workerUsageSchema.default({ cpuMs: 0, peakRssBytes: 0 }),
  /** When the run first ran (left the queue). */
  startedAt: isoTime,
  finishedAt: isoTime,
  manifest: manifestSchema.nullable().default(null),
  /** When a finished run's files are deleted. */
  filesExpireAt: isoTime,
  /** When they were deleted; the job's record stays. */
  filesExpiredAt: isoTime,
});
export type ExtractionSnapshot = z.infer<typeof extractionSnapshotSchema>;

