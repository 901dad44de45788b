import express from 'express';
import { auditTrail, type AuditTrailDeps } from './audit-trail';
import { requireApiKey, type ApiKeyAuthDeps } from './auth';
import { dashboardRoutes } from './dashboard';
import { refuseNulInPath, requireJobIdShape } from './ids';
import { apiDocsRoutes } from './openapi/routes';
import { requireJsonBody } from './json-body';
import { notFound, problemHandler } from './problem';
import { adminRoutes, type AdminRouteDeps } from './routes/admin';
import { perKeyRateLimit } from './rate-limit';
import { alertRoutes, type AlertRouteDeps } from './routes/alerts';
import { auditRoutes, type AuditRouteDeps } from './routes/audit';
import { downloadRoutes, type DownloadRouteDeps } from './routes/downloads';
import { connectionRoutes, type ConnectionRouteDeps } from './routes/connections';
import { emailRecipientRoutes, type EmailRecipientRouteDeps } from './routes/email-recipients';
import { extractionRoutes, type ExtractionRouteDeps } from './routes/extractions';
import { jobActionRoutes } from './routes/job-actions';
import { jobRoutes, type JobRouteDeps } from './routes/jobs';
import { limitRoutes } from './routes/limits';
import { scheduleRoutes, type ScheduleRouteDeps } from './routes/schedules';
import { syncRoutes, type SyncRouteDeps } from './routes/syncs';
import { webhookRoutes, type WebhookRouteDeps } from './routes/webhooks';

export type ApiDeps = ExtractionRouteDeps & JobRouteDeps & ScheduleRouteDeps & ConnectionRouteDeps & SyncRouteDeps & WebhookRouteDeps & EmailRecipientRouteDeps & AlertRouteDeps & ApiKeyAuthDeps & AdminRouteDeps & AuditRouteDeps & DownloadRouteDeps & {
  audit: AuditTrailDeps['audit'] & AuditRouteDeps['audit'];
  log: { error(obj: unknown, msg: string): void };
  /** Prometheus: every request timed; GET /metrics (outside /v1: it takes no tenant's key). */
  prometheus: { timeRequests: express.RequestHandler; endpoint: express.RequestHandler };
};

export function createApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(d.prometheus.timeRequests);
  app.get('/healthz', (_req, res) => res.json({ ok: true }));
  app.get('/metrics', d.prometheus.endpoint);
  app.use(dashboardRoutes()); // outside /v1: the page loads without a key and asks for one
  app.use(apiDocsRoutes()); // GET /openapi.json and /docs, without a key
  // Before the key is checked: a request refused for its key is audited too.
  app.use(['/v1', '/admin'], auditTrail(d));
  app.use(downloadRoutes(d)); // its token names the key: no Authorization header
  app.use('/v1', requireApiKey(d), perKeyRateLimit(d.tenantLimits));
  // Only with SLUICE_ADMIN_TOKEN set; without it the admin API's paths are unknown (404).
  if (d.adminToken) app.use(adminRoutes(d.tenantAdmin, d.adminToken));
  app.post('/v1/extractions', requireJsonBody);
  app.post('/v1/connections', requireJsonBody);
  app.put('/v1/connections/:name', requireJsonBody);
  app.post('/v1/syncs', requireJsonBody);
  app.post('/v1/webhooks', requireJsonBody);
  app.post('/v1/email-recipients', requireJsonBody);
  app.post('/v1/schedules', requireJsonBody);
  app.patch('/v1/schedules/:id', requireJsonBody);
  app.use(express.json({ limit: '1mb' }));
  // Every /v1/jobs/:id… route, whatever file it is in: an id of another shape never reaches a query.
  app.use('/v1/jobs', requireJobIdShape);
  // Connection names and webhook, recipient and delivery ids go to queries as they are: no NUL in them.
  app.use(['/v1/connections', '/v1/webhooks', '/v1/email-recipients'], refuseNulInPath);
  app.use(extractionRoutes(d));
  app.use(jobRoutes(d));
  app.use(jobActionRoutes(d));
  app.use(connectionRoutes(d));
  app.use(syncRoutes(d));
  app.use(scheduleRoutes(d));
  app.use(webhookRoutes(d));
  app.use(emailRecipientRoutes(d));
  app.use(alertRoutes(d));
  app.use(limitRoutes(d));
  app.use(auditRoutes(d));
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(problemHandler(d.log));
  return app;
}
