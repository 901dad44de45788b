import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import express from 'express';
import type { SourcePools } from '../connectors/postgres/pools';
import type { ExtractionOptions } from '../domain/extraction-job';
import type { JobStore } from '../store/jobs';
import type { TenantStore } from '../store/tenants';
import { requireApiKey } from './auth';
import { notFound, problemHandler } from './problem';
import { extractionRoutes } from './routes/extractions';
import { jobRoutes } from './routes/jobs';

export interface ApiDeps {
  jobs: JobStore;
  tenants: TenantStore;
  temporal: Client;
  taskQueue: string;
  options: ExtractionOptions;
  /** Connections to sources, for checking requests against their catalogs. */
  pools: SourcePools;
  s3: S3Client;
  s3Public: S3Client;
  bucket: string;
  linkTtlSeconds: number;
  log: { error(obj: unknown, msg: string): void };
}

export function createApp(d: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => res.json({ ok: true }));
  app.use(express.json({ limit: '1mb' }));
  app.use('/v1', requireApiKey(d.tenants));
  app.use(extractionRoutes(d));
  app.use(jobRoutes(d));
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(problemHandler(d.log));
  return app;
}
