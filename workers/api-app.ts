import type { Client } from '@temporalio/client';
import { createApp } from '../api/app';
import { SourcePools } from '../connectors/postgres/pools';
import { extractionOptions, type Runtime } from './runtime';

// The API wired from a runtime; `pools` must be ended by the caller on shutdown.
export function createApiApp(rt: Runtime, temporal: Client) {
  const c = rt.config;
  const pools = new SourcePools(3);
  const app = createApp({
    jobs: rt.jobs, slots: rt.slots, tenants: rt.tenants, temporal, taskQueue: c.SLUICE_TASK_QUEUE, options: extractionOptions(c), pools,
    s3: rt.s3, s3Public: rt.s3Public, bucket: c.SLUICE_S3_BUCKET, linkTtlSeconds: c.SLUICE_LINK_TTL_SECONDS, log: rt.log,
  });
  return { app, pools };
}
