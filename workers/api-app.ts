import type { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { apiMetrics } from '../api/prometheus';
import { FleetStats } from '../store/fleet-stats';
import { TenantAdmin } from '../store/tenant-admin';
import { resolveWebhookTarget } from '../connectors/http/webhook-target';
import { startDelivery } from './event-dispatcher';
import { InlineCapacity } from '../api/inline/capacity';
import { TenantLimits } from '../api/tenant-limits';
import { DownloadTokens } from '../api/download-token';
import { AuditStore } from '../store/audit';
import { KeyRing } from '../store/secret-box';
import { SourcePools } from '../connectors/postgres/pools';
import type { InlineLimits } from '../domain/inline-decision';
import type { Config } from './config';
import { extractionOptions, syncRunOptions, tenantLimitDefaults, type Runtime } from './runtime';

const inlineLimits = (c: Config): InlineLimits => ({
  maxRows: c.SLUICE_INLINE_MAX_ROWS,
  maxBytes: c.SLUICE_INLINE_MAX_BYTES,
  maxCost: c.SLUICE_INLINE_MAX_COST,
  maxConcurrent: c.SLUICE_INLINE_MAX_CONCURRENT,
  timeoutMs: c.SLUICE_INLINE_TIMEOUT_MS,
});

// The API wired from a runtime; `pools` must be ended by the caller on shutdown.
export function createApiApp(rt: Runtime, temporal: Client) {
  const c = rt.config;
  // A connection per inline answer in progress, and a few for checking requests.
  const pools = new SourcePools(c.SLUICE_INLINE_MAX_CONCURRENT + 3);
  const prometheus = apiMetrics(new FleetStats(rt.db));
  const app = createApp({
    prometheus: { timeRequests: prometheus.timeRequests, endpoint: prometheus.endpoint(c.SLUICE_METRICS_TOKEN) },
    jobs: rt.jobs, slots: rt.slots, connections: rt.connections, progress: rt.partProgress, pools,
    control: { temporal, taskQueue: c.SLUICE_TASK_QUEUE, options: extractionOptions(c) },
    s3Public: rt.s3Public, bucket: c.SLUICE_S3_BUCKET, linkTtlSeconds: c.SLUICE_LINK_TTL_SECONDS, log: rt.log,
    inline: { limits: inlineLimits(c), capacity: new InlineCapacity(), gzipLevel: c.SLUICE_GZIP_LEVEL },
    syncs: rt.syncs, syncMetrics: rt.syncMetrics,
    schedules: rt.schedules, scheduleControl: { temporal, taskQueue: c.SLUICE_TASK_QUEUE },
    syncControl: { temporal, taskQueue: c.SLUICE_TASK_QUEUE, options: syncRunOptions(c) },
    connectionRoles: async (tenantId, name) => (await rt.connections.get(tenantId, name))?.roles ?? null,
    webhooks: rt.webhooks,
    events: rt.events,
    emails: rt.emails,
    emailConfigured: c.SLUICE_SMTP_URL !== undefined,
    alerts: rt.alerts,
    tenantLimits: new TenantLimits(rt.tenantLimits, tenantLimitDefaults(c)),
    audit: new AuditStore(rt.db),
    downloadTokens: new DownloadTokens(KeyRing.parse(c.SLUICE_SECRET_KEYS).derive('sluice download links')),
    s3: rt.s3,
    apiKeys: rt.apiKeys,
    trustedProxies: c.SLUICE_TRUSTED_PROXIES,
    tenantAdmin: new TenantAdmin(rt),
    adminToken: c.SLUICE_ADMIN_TOKEN,
    startDelivery: (ref, firstAttempt) => startDelivery({ temporal, taskQueue: c.SLUICE_TASK_QUEUE, scheduleSeconds: c.SLUICE_WEBHOOK_RETRY_SCHEDULE }, ref, firstAttempt),
    webhookSecretOverlapSeconds: c.SLUICE_WEBHOOK_SECRET_OVERLAP_SECONDS,
    webhookAddressProblem: async (url) => {
      const target = await resolveWebhookTarget(url, { allowPrivate: c.SLUICE_WEBHOOK_ALLOW_PRIVATE });
      if (target.ok) return null;
      const hint = target.code === 'address_forbidden'
        ? 'webhooks go to public addresses; an operator lets them reach loopback and private ones with SLUICE_WEBHOOK_ALLOW_PRIVATE=true'
        : 'give a URL whose name resolves, over http or https';
      return { detail: target.detail, hint };
    },
  });
  return { app, pools };
}
