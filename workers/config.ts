// Every setting Sluice reads, validated once at start-up. README.md documents each; keep them in step.
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { cidrSchema } from '../domain/api-key';
import { parseSchedule, STANDARD_SCHEDULE } from '../domain/delivery';
import { SSE_MODES } from '../connectors/s3/encryption';
import { KEY_RING_FORMAT, KeyRing, KeyRingError } from '../store/secret-box';

// Where `npm run build` writes the workflow bundle (dist/workflow-bundle.js), seen from the compiled workers
// (dist/workers/). Seen from the sources under tsx it names a file that is not there: they bundle their own.
export const BUILT_WORKFLOW_BUNDLE = join(__dirname, '..', 'workflow-bundle.js');

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

// Parts of a job at once: one per core, 2 to 4. Each part is a PostgreSQL backend and a COPY stream through the
// worker; on 2 cores shared with the database, 2 lanes were as fast as 4 for 2M rows and faster for 10M (19.3 s
// against 22.0 s), with 2 uploads' buffers in memory instead of 4 (BENCHMARKS.md, 28 Nov 2026).
const DEFAULT_PART_LANES = Math.min(4, Math.max(2, availableParallelism()));

export const configSchema = z.object({
  SLUICE_DATABASE_URL: z.string().url().describe("PostgreSQL URL of Sluice's own database (jobs, tenants, connections)"),
  // Kept as text (parsed again where used) so that the config stays plain data; checked here so a bad key stops
  // the process at start-up, not at the first connection.
  SLUICE_SECRET_KEYS: z
    .string({ error: (i) => (i.input === undefined ? `required: ${KEY_RING_FORMAT}` : undefined) })
    .superRefine((text, ctx) => {
      try {
        KeyRing.parse(text);
      } catch (err) {
        if (!(err instanceof KeyRingError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    })
    .describe('keys that encrypt connection URLs at rest: keyId=base64(32 bytes), comma-separated; the first encrypts, all decrypt'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233').describe('Temporal frontend host:port'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default').describe('Temporal namespace'),
  SLUICE_TASK_QUEUE: z.string().min(1).default('sluice-extraction').describe('task queue of extraction workflows and activities'),
  SLUICE_S3_ENDPOINT: z.string().url().optional().describe('S3 endpoint (MinIO etc.); unset for AWS S3'),
  SLUICE_S3_PUBLIC_ENDPOINT: z.string().url().optional().describe('endpoint written into download links, when clients reach storage by another address'),
  SLUICE_S3_REGION: z.string().min(1).default('us-east-1').describe('S3 region'),
  SLUICE_S3_BUCKET: z.string().min(3).default('sluice').describe('bucket for extraction files (created if missing)'),
  SLUICE_S3_ACCESS_KEY_ID: z.string().min(1).optional().describe('S3 access key; unset to use the AWS default credential chain'),
  SLUICE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('S3 secret key'),
  SLUICE_S3_FORCE_PATH_STYLE: bool.default(true).describe('path-style bucket addressing (needed by MinIO)'),
  // AES256 (SSE-S3) by default: AWS S3 does it always, MinIO once it has a KMS; `none` for stores without SSE.
  SLUICE_S3_SSE: z.enum(SSE_MODES).default('AES256').describe('server-side encryption of the files written: none, AES256 (SSE-S3) or aws:kms (SSE-KMS)'),
  SLUICE_S3_SSE_KMS_KEY_ID: z.string().min(1).optional().describe("with SLUICE_S3_SSE=aws:kms, the KMS key (id, ARN or alias; MinIO: the key's name); unset: the store's default key"),
  SLUICE_API_HOST: z.string().min(1).default('127.0.0.1').describe('address the API listens on'),
  SLUICE_API_PORT: int(0, 65535).default(8080).describe('port the API listens on'),
  SLUICE_METRICS_TOKEN: z.string().min(16).optional().describe('bearer token GET /metrics asks for (API and worker); unset: /metrics is open to whoever reaches the port'),
  SLUICE_ADMIN_TOKEN: z.string().min(32).optional().describe('bearer token of the admin API (/admin/v1: tenants and API keys), at least 32 characters; unset: the admin API is off (404)'),
  SLUICE_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(cidrSchema))
    .describe("proxies (comma-separated CIDRs) whose X-Forwarded-For names the client, for the keys' allowlists; default none: the peer is the client"),
  SLUICE_WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1').describe("address the worker's /metrics listens on"),
  SLUICE_WORKER_METRICS_PORT: int(0, 65535).default(9465).describe("port of the worker's /metrics (Prometheus); 0: not served"),
  SLUICE_WEBHOOK_ALLOW_PRIVATE: bool.default(false).describe('let webhooks go to loopback and private addresses (a receiver on your own network); refused by default'),
  SLUICE_ALERT_IDLE_SECONDS: int(1, 7 * 24 * 3600).default(300).describe("Idle Time above which a sync alerts, unless its options.alerts say otherwise"),
  SLUICE_ALERT_EMIT_SECONDS: int(1, 7 * 24 * 3600).default(300).describe("Emit Event Time above which a sync alerts, unless its options.alerts say otherwise"),
  SLUICE_ALERT_GRACE_SECONDS: int(0, 24 * 3600).default(120).describe('how long Idle or Emit Event Time stays above its threshold before the alert opens'),
  SLUICE_ALERT_EVALUATE_SECONDS: int(1, 3600).default(5).describe("how often a worker looks at the syncs' alert rules"),
  SLUICE_WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default(STANDARD_SCHEDULE)
    .refine((v) => parseSchedule(v) !== null, 'seconds before each attempt, comma-separated whole numbers (0 … 604800)')
    .transform((v) => parseSchedule(v)!)
    .describe('seconds before each attempt of a webhook delivery (default: Standard Webhooks\' schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)'),
  SLUICE_WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000).describe('longest wait for a webhook receiver to answer, connecting included'),
  SLUICE_WEBHOOK_DISABLE_AFTER: int(1, 1000).default(5).describe('failed webhook deliveries in a row (each after its whole schedule) after which the endpoint is disabled'),
  SLUICE_WEBHOOK_SECRET_OVERLAP_SECONDS: int(0, 30 * 24 * 3600).default(24 * 3600).describe("how long a webhook's rotated-out secret keeps signing beside the new one"),
  SLUICE_SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'an SMTP URL: smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (TLS from the start)' })
    .optional()
    .describe('SMTP server email notifications go through, smtp://user:pass@host:port; unset: no email (recipients are refused, deliveries fail)'),
  SLUICE_EMAIL_FROM: z.string().min(3).default('Sluice <sluice@localhost>').describe('From: of notification mails'),
  SLUICE_EMAIL_MAX_ATTEMPTS: int(1, 20).default(5).describe('attempts of an email delivery the server answers 4xx or does not answer; a 5xx ends it at once'),
  SLUICE_EMAIL_RETRY_INITIAL_SECONDS: int(1, 3600).default(30).describe('wait before the second attempt of an email delivery, doubling after each (at most 10 min)'),
  SLUICE_PROGRESS_EVENT_SECONDS: int(1, 24 * 3600).default(30).describe('a running job writes at most one job.progress event this often'),
  SLUICE_PART_ROWS: int(1, 100_000_000).default(1_000_000).describe('target rows per part file'),
  // About six history events per part: 1000 parts stay well inside one workflow history (no continue-as-new).
  SLUICE_MAX_PARTS: int(1, 1000).default(1000).describe('most parts one job is split into (at most 1000)'),
  SLUICE_PART_PARALLELISM: int(1, 64).default(DEFAULT_PART_LANES).describe('parts of one job extracted at once (default: the cores, 2 to 4)'),
  SLUICE_MAX_RUNNING_JOBS: int(1, 10_000).default(16).describe('jobs running at once, all tenants together; more wait Queued in order'),
  SLUICE_TENANT_MAX_RUNNING_JOBS: int(1, 10_000).default(4).describe("jobs one tenant runs at once; its further jobs wait Queued without holding up other tenants'"),
  SLUICE_TENANT_INLINE_MAX_CONCURRENT: int(0, 1000).default(2).describe("inline answers one tenant has in progress at once, per API process; more become jobs (mode auto) or a 429 (mode inline)"),
  SLUICE_TENANT_DAILY_ROWS: int(0, Number.MAX_SAFE_INTEGER).optional().describe('rows one tenant may extract per UTC day (jobs and inline answers); unset: no quota'),
  SLUICE_TENANT_DAILY_BYTES: int(0, Number.MAX_SAFE_INTEGER).optional().describe('bytes one tenant may extract per UTC day; unset: no quota'),
  SLUICE_KEY_REQUESTS_PER_MINUTE: int(1, 1_000_000).default(600).describe('API requests one key may send per minute, per API process; more get 429 with Retry-After'),
  SLUICE_SLOT_SWEEP_SECONDS: int(1, 3600).default(60).describe('how often a worker looks for slots held by jobs whose workflow was terminated, and frees them'),
  SLUICE_WORKFLOW_BUNDLE: z
    .string()
    .min(1)
    .refine((path) => statSync(path, { throwIfNoEntry: false })?.isFile(), 'no such file (npm run build writes dist/workflow-bundle.js)')
    .optional()
    .transform((path) => (path ? resolve(path) : existsSync(BUILT_WORKFLOW_BUNDLE) ? BUILT_WORKFLOW_BUNDLE : undefined))
    .describe("prebuilt workflow bundle the worker loads; unset: the build's dist/workflow-bundle.js when the worker runs compiled, else the worker bundles workflows/ at start"),
  SLUICE_WORKER_ACTIVITY_SLOTS: int(1, 256).default(8).describe('activities one worker process runs at once'),
  SLUICE_GZIP_LEVEL: int(1, 9).default(1).describe('gzip level of compressed parts and inline answers, and of the GZIP pages inside Parquet parts'),
  SLUICE_PARQUET_ROW_GROUP_ROWS: int(1, 10_000_000).default(100_000).describe('most rows in one row group of a Parquet part (a row group also ends at about 32 MiB of COPY text)'),
  SLUICE_FILE_TTL_SECONDS: int(1, 366 * 24 * 3600).default(12 * 3600).describe("how long a completed job's files are kept before they are deleted"),
  SLUICE_LINK_TTL_SECONDS: int(60, 7 * 24 * 3600).default(12 * 3600).describe('lifetime of presigned download links'),
  // One hour. A part's COPY (SLUICE_PART_ROWS, 1,000,000 rows) takes seconds, but a stream (a query, or an order
  // on other columns) is one COPY of the whole selection: at the ~670,000 rows/s of CSV in BENCHMARKS.md an hour
  // holds over 2 billion rows, and ~350 million as Parquet, with room for a query that sorts or joins for a while
  // before its first row. A statement that never ends (a runaway join, a wait on something that never comes)
  // is stopped after an hour instead of holding a source connection and its snapshot (which keeps VACUUM from
  // cleaning up behind it) indefinitely.
  SLUICE_STATEMENT_TIMEOUT_MS: int(0, 2_147_483_647).default(3_600_000).describe('statement_timeout of extraction queries (0: none)'),
  // A minute: long enough to wait out a short DDL or a VACUUM's brief exclusive lock, short enough that a job stuck
  // behind a migration fails with lock_timeout and says so (it shows waiting: lock meanwhile).
  SLUICE_LOCK_TIMEOUT_MS: int(0, 2_147_483_647).default(60_000).describe('lock_timeout of extraction queries: longest wait for a lock on what they read (0: none)'),
  SLUICE_INLINE_MAX_ROWS: int(0, 100_000_000).default(100_000).describe('most rows answered inline; more become a job (mode auto) or a 413 (mode inline)'),
  SLUICE_INLINE_MAX_BYTES: int(0, 1 << 30).default(50_000_000).describe('most bytes (before compression) answered inline; an answer is held in memory up to this until it is complete'),
  SLUICE_INLINE_MAX_COST: z.coerce.number().min(0).default(500_000).describe("highest planner cost (EXPLAIN's total cost) answered inline"),
  SLUICE_INLINE_MAX_CONCURRENT: int(0, 1000).default(4).describe('inline answers in progress at once per API process (0: never inline)'),
  SLUICE_INLINE_TIMEOUT_MS: int(1, 3_600_000).default(10_000).describe('longest an inline answer may take; then it becomes a job (auto) or a 504 (inline)'),
  // Parts heartbeat every second and the worker sends at most one heartbeat every 2 s (its throttle), so a live
  // part is heard from at least every 2 s, and 10 s leaves room for four lost or late ones (a GC pause, a slow
  // network to Temporal). A dead worker's part is then retried on another worker within about 10 s (plus the
  // retry's backoff of 1 s); a stream resumes after its last uploaded part. Lower values notice faster but risk
  // retrying parts that are alive; each heartbeat is an RPC to Temporal, not a history event, so the rate is cheap.
  SLUICE_HEARTBEAT_TIMEOUT_SECONDS: int(2, 600).default(10).describe('an activity silent this long is retried elsewhere (a dead worker is noticed this fast)'),
  // Temporal warns at 10,000 events; 4,000 leaves a run's parts (about six events each) and pause/resume cycles
  // room, and a continued execution carries only the plan and the finished parts.
  SLUICE_HISTORY_EVENTS_LIMIT: int(200, 9000).default(4000).describe("a job's workflow execution continues as new past this many history events (at a pause, in the queue, or between parts)"),
  SLUICE_ACTIVITY_MAX_ATTEMPTS: int(1, 100).default(5).describe('attempts of a failing activity before the job fails'),
  // With backoff doubling from 1 s to at most a minute, 20 attempts ride out about a quarter of an hour of a
  // source or target being away (a restart, a failover) before the sync fails; a stream spell that ran starts
  // counting afresh.
  SLUICE_SYNC_MAX_ATTEMPTS: int(1, 1000).default(20).describe('attempts of a failing sync activity (initialize, a snapshot range, a stream spell) before the sync fails'),
  SLUICE_SYNC_STREAM_SPELL_SECONDS: int(10, 7 * 24 * 3600).default(3600).describe("a sync's stream activity hands over to a fresh one after this long (bounded attempts and history; no pause in applying)"),
  SLUICE_SYNC_PAUSED_SAMPLE_SECONDS: int(1, 3600).default(30).describe("how often a paused sync samples its slot's retained WAL"),
  SLUICE_SYNC_METRICS_SECONDS: int(1, 3600).default(5).describe('resolution of the sync metrics time series: a running stream records a sample this often'),
  SLUICE_SYNC_METRICS_RETENTION_DAYS: int(1, 3650).default(14).describe('sync metrics samples older than this are deleted'),
  SLUICE_NOTIFICATION_RETENTION_DAYS: int(1, 3650).default(30).describe('events (with their delivery logs) and resolved alerts older than this are deleted; pending deliveries and open alerts stay'),
  SLUICE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('log level'),
}).superRefine((c, ctx) => {
  // A key given with another mode would be ignored in silence: files the operator means to be under it would not be.
  if (c.SLUICE_S3_SSE_KMS_KEY_ID && c.SLUICE_S3_SSE !== 'aws:kms') {
    ctx.addIssue({ code: 'custom', path: ['SLUICE_S3_SSE_KMS_KEY_ID'], message: `applies only with SLUICE_S3_SSE=aws:kms (it is ${c.SLUICE_S3_SSE})` });
  }
});

export type Config = z.infer<typeof configSchema>;

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => parseSettings(configSchema, env);

// The admin commands (cli/) need Sluice's database alone, checked as every process checks it.
const adminConfigSchema = z.object({ SLUICE_DATABASE_URL: configSchema.shape.SLUICE_DATABASE_URL });
export const loadAdminConfig = (env: NodeJS.ProcessEnv = process.env) => parseSettings(adminConfigSchema, env);

function parseSettings<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
