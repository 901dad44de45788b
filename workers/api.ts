// Entry script: the REST API process.
import { listen } from '../api/server';
import { connectApiClient } from '../api/temporal-client';
import { loadConfig } from './config';
import { createApiApp } from './api-app';
import { createRuntime } from './runtime';

async function main() {
  const rt = await createRuntime(loadConfig(), { migrate: true });
  const c = rt.config;
  const temporal = await connectApiClient(c.TEMPORAL_ADDRESS, c.TEMPORAL_NAMESPACE);
  const { app, pools } = createApiApp(rt, temporal);
  const server = await listen(app, c.SLUICE_API_PORT, c.SLUICE_API_HOST);
  rt.log.info(`API listening on http://${c.SLUICE_API_HOST}:${c.SLUICE_API_PORT}`);
  const stop = () => server.close(async () => {
    await pools.end();
    await temporal.connection.close();
    await rt.close();
  });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
