// Entry script: the REST API process.
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { loadConfig } from './config';
import { createRuntime, extractionOptions } from './runtime';

async function main() {
  const rt = await createRuntime(loadConfig(), { migrate: true });
  const c = rt.config;
  const connection = await Connection.connect({ address: c.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: c.TEMPORAL_NAMESPACE });
  const app = createApp({
    jobs: rt.jobs, tenants: rt.tenants, temporal, taskQueue: c.SLUICE_TASK_QUEUE, options: extractionOptions(c),
    s3: rt.s3, s3Public: rt.s3Public, bucket: c.SLUICE_S3_BUCKET, linkTtlSeconds: c.SLUICE_LINK_TTL_SECONDS, log: rt.log,
  });
  const server = app.listen(c.SLUICE_API_PORT, c.SLUICE_API_HOST, () => rt.log.info(`API listening on http://${c.SLUICE_API_HOST}:${c.SLUICE_API_PORT}`));
  const stop = () => server.close(async () => {
    await connection.close();
    await rt.close();
  });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
