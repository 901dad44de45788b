// Builds the clients and stores every Sluice process shares, from validated config.
import type { S3Client } from '@aws-sdk/client-s3';
import { Pool } from 'pg';
import pino from 'pino';
import { createS3Client, ensureBucket } from '../connectors/s3/client';
import type { ExtractionOptions } from '../domain/extraction-job';
import type { QueueLimits } from '../domain/job-queue';
import type { SyncRunOptions } from '../domain/sync-job';
import { effectiveLimits, spentQuota, utcDay, type Limits } from '../domain/tenant-limits';
import { ConnectionStore } from '../store/connections';
import { JobPlanStore } from '../store/job-plans';
import { SlotStore } from '../store/job-slots';
import { JobStore } from '../store/jobs';
import { PartProgressStore } from '../store/part-progress';
import { KeyRing } from '../store/secret-box';
import { SyncMetricsStore } from '../store/sync-metrics';
import { WebhookStore } from '../store/webhooks';
import { EventStore } from '../store/events';
import { NotificationRetention } from '../store/notification-retention';
import { EmailStore } from '../store/email';
import { AlertStore } from '../store/alerts';
import { ScheduleStore } from '../store/schedules';
import { SyncStore } from '../store/syncs';
import { TenantLimitStore } from '../store/tenant-limits';
import { TenantStore } from '../store/tenants';
import { ApiKeyStore } from '../store/api-keys';
import type { Config } from './config';

export interface Runtime {
  config: Config;
  db: Pool;
  jobs: JobStore;
  tenants: TenantStore;
  apiKeys: ApiKeyStore;
  tenantLimits: TenantLimitStore;
  /** The tenants' PostgreSQL connections, their URLs encrypted with SLUICE_SECRET_KEYS. */
  connections: ConnectionStore;
  slots: SlotStore;
  /** The read spec of each planned run. */
  plans: JobPlanStore;
  /** Live progress of the parts in flight. */
  partProgress: PartProgressStore;
  syncs: SyncStore;
  /** The six metrics and slot health of every sync, over time. */
  syncMetrics: SyncMetricsStore;
  webhooks: WebhookStore;
  events: EventStore;
  notificationRetention: NotificationRetention;
  /** Email recipients and their deliveries. */
  emails: EmailStore;
  alerts: AlertStore;
  /** Schedules of recurring extractions and each time they fired. */
  schedules: ScheduleStore;
  s3: S3Client;
  /** Signs download links with the address clients use. */
  s3Public: S3Client;
  log: pino.Logger;
  close(): Promise<void>;
}

// Loaded only by a process that migrates (the API, the dev stack): node-pg-migrate is 140 files the worker would
// load for nothing (on top of the compiled worker, on Node 22: ~2 MiB of heap, ~1.4 MiB resident). require(), not
// import(): the compiled code is CommonJS, and Jest runs it without ES modules in its VM.
const loadMigrate = (): typeof import('../store/migrate') => require('../store/migrate');

export async function createRuntime(config: Config, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const log = pino({ level: config.SLUICE_LOG_LEVEL });
  const db = new Pool({ connectionString: config.SLUICE_DATABASE_URL, max: 10, application_name: 'sluice' });
  db.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
  const keys = KeyRing.parse(config.SLUICE_SECRET_KEYS);
  if (opts.migrate) await loadMigrate().migrate(config.SLUICE_DATABASE_URL, (m) => log.debug(m), keys);
  const s3Settings = {
    region: config.SLUICE_S3_REGION,
    accessKeyId: config.SLUICE_S3_ACCESS_KEY_ID,
    secretAccessKey: config.SLUICE_S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.SLUICE_S3_FORCE_PATH_STYLE,
  };
  const s3 = createS3Client({ ...s3Settings, endpoint: config.SLUICE_S3_ENDPOINT });
  const s3Public = config.SLUICE_S3_PUBLIC_ENDPOINT ? createS3Client({ ...s3Settings, endpoint: config.SLUICE_S3_PUBLIC_ENDPOINT }) : s3;
  await ensureBucket(s3, config.SLUICE_S3_BUCKET);
  return {
    config, db, s3, s3Public, log,
    jobs: new JobStore(db),
    tenants: new TenantStore(db),
    apiKeys: new ApiKeyStore(db),
    tenantLimits: new TenantLimitStore(db),
    connections: new ConnectionStore(db, keys),
    slots: new SlotStore(db, queueLimits(config)),
    plans: new JobPlanStore(db),
    partProgress: new PartProgressStore(db),
    syncs: new SyncStore(db),
    syncMetrics: new SyncMetricsStore(db),
    webhooks: new WebhookStore(db, keys),
    events: new EventStore(db),
    notificationRetention: new NotificationRetention(db),
    emails: new EmailStore(db),
    alerts: new AlertStore(db),
    schedules: new ScheduleStore(db),
    async close() {
      s3.destroy();
      if (s3Public !== s3) s3Public.destroy();
      await db.end();
    },
  };
}

export const syncRunOptions = (c: Config): SyncRunOptions => ({
  maxAttempts: c.SLUICE_SYNC_MAX_ATTEMPTS,
  heartbeatTimeoutSeconds: c.SLUICE_HEARTBEAT_TIMEOUT_SECONDS,
  historyEventsLimit: c.SLUICE_HISTORY_EVENTS_LIMIT,
  pausedSampleSeconds: c.SLUICE_SYNC_PAUSED_SAMPLE_SECONDS,
  streamSpellSeconds: c.SLUICE_SYNC_STREAM_SPELL_SECONDS,
});

export const extractionOptions = (c: Config): ExtractionOptions => ({
  partRows: c.SLUICE_PART_ROWS,
  maxParts: c.SLUICE_MAX_PARTS,
  parallelism: c.SLUICE_PART_PARALLELISM,
  maxAttempts: c.SLUICE_ACTIVITY_MAX_ATTEMPTS,
  heartbeatTimeoutSeconds: c.SLUICE_HEARTBEAT_TIMEOUT_SECONDS,
  fileTtlSeconds: c.SLUICE_FILE_TTL_SECONDS,
  historyEventsLimit: c.SLUICE_HISTORY_EVENTS_LIMIT,
});

/** The operator's defaults of every tenant's limits (a tenant's own values override them). */
export const tenantLimitDefaults = (c: Config): Limits => ({
  runningJobs: c.SLUICE_TENANT_MAX_RUNNING_JOBS, inlineConcurrent: c.SLUICE_TENANT_INLINE_MAX_CONCURRENT,
  dailyRows: c.SLUICE_TENANT_DAILY_ROWS ?? null, dailyBytes: c.SLUICE_TENANT_DAILY_BYTES ?? null, requestsPerMinute: c.SLUICE_KEY_REQUESTS_PER_MINUTE,
});

/** Whether a tenant has used up a daily quota today (UTC): a scheduled run is skipped then. */
export const quotaSpent = (rt: Runtime) => async (tenantId: string): Promise<boolean> => {
  const limits = effectiveLimits(await rt.tenantLimits.get(tenantId), tenantLimitDefaults(rt.config));
  if (limits.dailyRows === null && limits.dailyBytes === null) return false;
  return spentQuota(limits, await rt.tenantLimits.usedSince(tenantId, utcDay(new Date()).start)) !== null;
};

const queueLimits = (c: Config): QueueLimits => ({ global: c.SLUICE_MAX_RUNNING_JOBS, perTenant: c.SLUICE_TENANT_MAX_RUNNING_JOBS });
