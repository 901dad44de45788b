import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createExtractActivities } from '../activities/extract';
import { ResourceMeter } from '../activities/extract/resource-meter';
import { createSlotActivities } from '../activities/slots';
import { wakeGranted } from '../activities/slots/wake';
import { createStatusActivities } from '../activities/status';
import { createSyncActivities } from '../activities/sync';
import { createSyncStatusActivities } from '../activities/sync/status';
import { createNotifyActivities } from '../activities/notify';
import { createEmailActivities } from '../activities/notify/email';
import { createScheduleActivities } from '../activities/schedule';
import { createMailer } from '../connectors/smtp/mailer';
import { SourcePools } from '../connectors/postgres/pools';
import { extractionOptions, quotaSpent, type Runtime } from './runtime';
import { startSlotSweeper } from './slot-sweeper';
import { startAlertEvaluator } from './alert-evaluator';
import { startEventDispatcher } from './event-dispatcher';
import { startPruner } from './pruner';
import { createWorkerMetrics, serveWorkerMetrics } from './worker-metrics';

// The worker for extraction, sync, webhook and email delivery workflows and their activities, with the loops
// beside them: the sweeper of abandoned job slots, the dispatcher of events to webhooks and email recipients,
// the evaluator of sync alerts, the pruner of old sync metrics, and its Prometheus /metrics. `run()` runs them
// until the worker shuts down.
// Workflow code comes from a prebuilt bundle when there is one: the one tests pass in `extra`, else
// SLUICE_WORKFLOW_BUNDLE (by default the one `npm run build` wrote beside the compiled worker). Without one the
// worker bundles workflows/ itself, which costs seconds of CPU and, for webpack, memory the process keeps.
export async function createExtractionWorker(rt: Runtime, connection: NativeConnection, extra: Partial<WorkerOptions> = {}) {
  const pools = new SourcePools();
  const c = rt.config;
  const workflows = workflowSource(extra, c.SLUICE_WORKFLOW_BUNDLE);
  rt.log.info(workflows.said);
  const temporal = new Client({ connection, namespace: c.TEMPORAL_NAMESPACE });
  const wake = wakeGranted(temporal);
  const metrics = createWorkerMetrics();
  const mailer = c.SLUICE_SMTP_URL ? createMailer(c.SLUICE_SMTP_URL, c.SLUICE_EMAIL_FROM) : null;
  const files = { s3Public: rt.s3Public, bucket: c.SLUICE_S3_BUCKET, linkTtlSeconds: c.SLUICE_LINK_TTL_SECONDS };
  const worker = await Worker.create({
    connection,
    namespace: c.TEMPORAL_NAMESPACE,
    taskQueue: c.SLUICE_TASK_QUEUE,
    ...workflows.options,
    activities: {
      ...createExtractActivities({
        s3: rt.s3, bucket: c.SLUICE_S3_BUCKET, encryption: { mode: c.SLUICE_S3_SSE, kmsKeyId: c.SLUICE_S3_SSE_KMS_KEY_ID }, pools, source: (t, n) => rt.connections.source(t, n),
        plans: rt.plans, progress: rt.partProgress, jobs: rt.jobs, progressEventSeconds: c.SLUICE_PROGRESS_EVENT_SECONDS,
        gzipLevel: c.SLUICE_GZIP_LEVEL, parquetRowGroupRows: c.SLUICE_PARQUET_ROW_GROUP_ROWS,
        statementTimeoutMs: c.SLUICE_STATEMENT_TIMEOUT_MS, lockTimeoutMs: c.SLUICE_LOCK_TIMEOUT_MS, meter: new ResourceMeter(),
      }),
      ...createStatusActivities(rt.jobs, temporal, (snapshot) => metrics.jobRecorded(snapshot)),
      ...createSlotActivities(rt.slots, wake),
      ...createSyncActivities({
        pools, connectionUrl: (t, n, role) => rt.connections.url(t, n, role),
        metrics: {
          record: async (sample) => {
            await rt.syncMetrics.record(sample);
            metrics.syncSampled(sample);
          },
          latest: (jobId) => rt.syncMetrics.latest(jobId),
        },
        metricsIntervalMs: c.SLUICE_SYNC_METRICS_SECONDS * 1000, log: rt.log,
      }),
      ...createSyncStatusActivities(rt.syncs),
      ...createNotifyActivities({
        events: rt.events, webhooks: rt.webhooks, jobs: rt.jobs, files,
        allowPrivate: c.SLUICE_WEBHOOK_ALLOW_PRIVATE, timeoutMs: c.SLUICE_WEBHOOK_TIMEOUT_MS, disableAfter: c.SLUICE_WEBHOOK_DISABLE_AFTER,
        attempted: (outcome) => metrics.webhookAttempted(outcome),
      }),
      ...createEmailActivities({ emails: rt.emails, jobs: rt.jobs, files, mailer }),
      ...createScheduleActivities({ schedules: rt.schedules, jobs: rt.jobs, quotaSpent: quotaSpent(rt), options: extractionOptions(c) }),
    },
    maxConcurrentActivityTaskExecutions: c.SLUICE_WORKER_ACTIVITY_SLOTS,
    // Progress in heartbeats is read by the API, and a stream resumes from its last one: send them often
    // (heartbeats are RPCs, not history events). See SLUICE_HEARTBEAT_TIMEOUT_SECONDS.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
    ...extra,
  });
  const run = async () => {
    const stopSweeper = startSlotSweeper({ slots: rt.slots, jobs: rt.jobs, temporal, wake, intervalSeconds: c.SLUICE_SLOT_SWEEP_SECONDS, log: rt.log });
    const stopDispatcher = startEventDispatcher({
      events: rt.events, temporal, taskQueue: c.SLUICE_TASK_QUEUE, scheduleSeconds: c.SLUICE_WEBHOOK_RETRY_SCHEDULE, intervalMs: 1000, log: rt.log,
      email: { maxAttempts: c.SLUICE_EMAIL_MAX_ATTEMPTS, retryInitialSeconds: c.SLUICE_EMAIL_RETRY_INITIAL_SECONDS },
    });
    const stopAlerts = startAlertEvaluator({
      alerts: rt.alerts, metrics: rt.syncMetrics, intervalMs: c.SLUICE_ALERT_EVALUATE_SECONDS * 1000, sampleSeconds: c.SLUICE_SYNC_METRICS_SECONDS, log: rt.log,
      defaults: { idleTimeSeconds: c.SLUICE_ALERT_IDLE_SECONDS, emitEventTimeSeconds: c.SLUICE_ALERT_EMIT_SECONDS, graceSeconds: c.SLUICE_ALERT_GRACE_SECONDS },
    });
    const stopPruner = startPruner({
      metrics: rt.syncMetrics, metricsRetentionDays: c.SLUICE_SYNC_METRICS_RETENTION_DAYS,
      notifications: rt.notificationRetention, notificationRetentionDays: c.SLUICE_NOTIFICATION_RETENTION_DAYS, log: rt.log,
    });
    // Figures are a help, not a duty: a port in use costs the worker its /metrics, not its work.
    const stopMetrics = c.SLUICE_WORKER_METRICS_PORT
      ? await serveWorkerMetrics(metrics.registry, c.SLUICE_WORKER_METRICS_HOST, c.SLUICE_WORKER_METRICS_PORT, c.SLUICE_METRICS_TOKEN).catch((err) => {
          rt.log.warn({ err }, `worker /metrics not served on ${c.SLUICE_WORKER_METRICS_HOST}:${c.SLUICE_WORKER_METRICS_PORT}`);
          return null;
        })
      : null;
    try {
      await worker.run();
    } finally {
      stopSweeper();
      stopDispatcher();
      stopAlerts();
      stopPruner();
      await stopMetrics?.();
      mailer?.close();
    }
  };
  return { worker, pools, run, metrics };
}

// Where the worker's workflow code comes from, and the log line that says so.
function workflowSource(extra: Partial<WorkerOptions>, bundlePath: string | undefined): { options: Partial<WorkerOptions>; said: string } {
  if (extra.workflowBundle) {
    const given = extra.workflowBundle;
    return { options: {}, said: `workflows from the prebuilt bundle ${'codePath' in given ? given.codePath : 'passed in'}` };
  }
  if (bundlePath) return { options: { workflowBundle: { codePath: bundlePath } }, said: `workflows from the prebuilt bundle ${bundlePath}` };
  const workflowsPath = require.resolve('../workflows');
  return { options: { workflowsPath }, said: `workflows bundled at start from ${workflowsPath} (no prebuilt bundle: see SLUICE_WORKFLOW_BUNDLE)` };
}
