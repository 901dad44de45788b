// `npm run dev`: Sluice with everything embedded. Starts PostgreSQL, Temporal (with its Web UI) and MinIO,
// seeds a demo tenant and source, runs the worker and the API in this process, and stops it all on Ctrl-C.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../workers/config';
import { createExtractionWorker } from '../workers/extraction-worker';
import { createApiApp } from '../workers/api-app';
import { createRuntime } from '../workers/runtime';
import { seedOrders, seedTenant } from './seed';
import { stackEnv, startStack } from './stack';

const root = resolve(__dirname, '..', '.sluice');
const dataDir = join(root, 'dev');
const infoFile = join(root, 'dev.json');
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const log = (line: string) => console.log(`[sluice] ${line}`);

async function main() {
  mkdirSync(dataDir, { recursive: true });
  const previous = existsSync(infoFile) ? JSON.parse(readFileSync(infoFile, 'utf8')) : {};
  const stack = await startStack(dataDir, {
    postgres: port('SLUICE_DEV_POSTGRES_PORT', 55432),
    temporal: port('SLUICE_DEV_TEMPORAL_PORT', 7233),
    temporalUi: port('SLUICE_DEV_TEMPORAL_UI_PORT', 8233),
    minio: port('SLUICE_DEV_MINIO_PORT', 9000),
    minioConsole: port('SLUICE_DEV_MINIO_CONSOLE_PORT', 9001),
  }, log);
  const config = loadConfig({ ...stackEnv(stack.info), ...process.env });
  const rt = await createRuntime(config); // startStack has migrated Sluice's database
  const stopping: (() => Promise<void>)[] = [() => stack.stop(), () => rt.close()];
  const shutdown = async () => {
    log('stopping…');
    for (const stop of stopping.reverse()) await stop().catch((err) => console.error(err));
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  const orders = Number(process.env.SLUICE_DEV_ORDERS ?? 1_000_000);
  log(`seeding demo data (public.orders, ${orders.toLocaleString('en-US')} rows, once)…`);
  await seedOrders(stack.info.sourceUrl, orders);
  const apiKey = await seedTenant(rt.db, { tenantId: 'demo', apiKey: previous.apiKey, sourceName: 'demo', sourceUrl: stack.info.sourceUrl });

  const native = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const { worker, pools, run } = await createExtractionWorker(rt, native);
  const running = run();
  stopping.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown(); // the SDK drains it itself on SIGINT
    await running;
    await pools.end();
    await native.close();
  });

  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const { app, pools: apiPools } = createApiApp(rt, temporal);
  const server = await new Promise<ReturnType<typeof app.listen>>((ok) => {
    const s = app.listen(config.SLUICE_API_PORT, config.SLUICE_API_HOST, () => ok(s));
  });
  stopping.push(async () => {
    await new Promise((ok) => server.close(ok));
    await apiPools.end();
    await connection.close();
  });

  const apiUrl = `http://${config.SLUICE_API_HOST}:${config.SLUICE_API_PORT}`;
  const info = {
    apiUrl, apiKey,
    temporalUiUrl: stack.info.temporalUiUrl,
    temporalAddress: stack.info.temporalAddress,
    databaseUrl: stack.info.databaseUrl,
    demoSourceUrl: stack.info.sourceUrl,
    s3Endpoint: stack.info.s3Endpoint,
  };
  writeFileSync(infoFile, JSON.stringify(info, null, 2) + '\n');
  const body = JSON.stringify({ source: 'demo', table: 'public.orders', format: 'csv', compression: 'gzip', mode: 'job' });
  console.log(`
Sluice is running (Ctrl-C stops everything).

  API            ${apiUrl}
  API key        ${apiKey}
  Temporal UI    ${stack.info.temporalUiUrl}
  Temporal       ${stack.info.temporalAddress}
  Sluice DB      ${stack.info.databaseUrl}
  Demo source    ${stack.info.sourceUrl}
  S3 (MinIO)     ${stack.info.s3Endpoint}
  (also written to ${infoFile})

Start an extraction of the demo table:

  curl -s -X POST ${apiUrl}/v1/extractions -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' -d '${body}'
`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
