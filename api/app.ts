import express from 'express';
import { requireApiKey } from './auth';
import { dashboardRoutes } from './dashboard';
import { requireJobIdShape } from './ids';
import { fieldProblem, notFound, problemHandler } from './problem';
import { alertRoutes, type AlertRouteDeps } from './routes/alerts';
import { connectionRoutes, type ConnectionRouteDeps } from './routes/connections';
import { emailRecipientRoutes, type EmailRecipientRouteDeps } from './routes/email-recipients';
import { extractionRoutes, type ExtractionRouteDeps } from './routes/extractions';
import { jobActionRoutes } from './routes/job-actions';
import { jobRoutes, type JobRouteDeps } from './routes/jobs';
import { syncRoutes, type SyncRouteDeps } from './routes/syncs';
import { webhookRoutes, type WebhookRouteDeps } from './routes/webhooks';
import type { TenantStore } from '../store/tenants';

export type ApiDeps = ExtractionRouteDeps & JobRouteDeps & ConnectionRouteDeps & SyncRouteDeps & WebhookRouteDeps & EmailRecipientRouteDeps & AlertRouteDeps & {
  tenants: TenantStore;
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
  app.use('/v1', requireApiKey(d.tenants));
  app.post('/v1/extractions', requireJsonBody);
  app.post('/v1/connections', requireJsonBody);
  app.put('/v1/connections/:name', requireJsonBody);
  app.post('/v1/syncs', requireJsonBody);
  app.post('/v1/webhooks', requireJsonBody);
  app.post('/v1/email-recipients', requireJsonBody);
  app.use(express.json({ limit: '1mb' }));
  // Every /v1/jobs/:id… route, whatever file it is in: an id of another shape never reaches a query.
  app.use('/v1/jobs', requireJobIdShape);
  app.use(extractionRoutes(d));
  app.use(jobRoutes(d));
  app.use(jobActionRoutes(d));
  app.use(connectionRoutes(d));
  app.use(syncRoutes(d));
  app.use(webhookRoutes(d));
  app.use(emailRecipientRoutes(d));
  app.use(alertRoutes(d));
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(problemHandler(d.log));
  return app;
}

// A body that is not JSON would otherwise go unread and be refused field by field as if it were empty. A request
// without a Content-Type and without a body (Content-Length 0, or a chunked body, as some clients send) goes on.
const requireJsonBody: express.RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  const notJson = type === undefined ? Number(req.headers['content-length'] ?? 0) > 0 : req.is('application/json') === false;
  if (notJson) {
    return next(fieldProblem(415, 'Unsupported media type', 'body', `the body is ${type ? `of type "${type}"` : 'of no stated type'}, not JSON`,
      'send a JSON object with Content-Type: application/json'));
  }
  next();
};
