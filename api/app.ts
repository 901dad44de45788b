import express from 'express';
import { requireApiKey } from './auth';
import { notFound, problemHandler } from './problem';
import { extractionRoutes, type ExtractionRouteDeps } from './routes/extractions';
import { jobActionRoutes, type JobActionDeps } from './routes/job-actions';
import { jobRoutes, type JobRouteDeps } from './routes/jobs';

export type ApiDeps = ExtractionRouteDeps & JobRouteDeps & JobActionDeps & { log: { error(obj: unknown, msg: string): void } };

export function createApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => res.json({ ok: true }));
  app.use(express.json({ limit: '1mb' }));
  app.use('/v1', requireApiKey(d.tenants));
  app.use(extractionRoutes(d));
  app.use(jobRoutes(d));
  app.use(jobActionRoutes(d));
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(problemHandler(d.log));
  return app;
}
