// `npm run dev`: Sluice with everything embedded. Starts PostgreSQL, Temporal (with its Web UI), MinIO and an
// SMTP sink (every notification mail written to <state dir>/mail as an .eml file), seeds a demo tenant with a source and a target connection, runs the worker and the API in this process, and
// stops it all on Ctrl-C, SIGTERM or SIGHUP (and the services stop with this process even when it is killed: see
// dev/services.ts).
// package.json runs it as `exec node --import tsx dev/start.ts`: `exec`, so that npm passes its signals to this
// process and not to a shell; not through tsx's CLI, which relays a signal and SIGKILLs its child when the
// child has not answered within 30 ms, as happens when running jobs keep the event loop busy.
import { listen } from '../api/server';
import { connectApiClient } from '../api/temporal-client';
import { NativeConnection, Runtime as TemporalRuntime } from '@temporalio/worker';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newKeyRingText } from '../store/secret-box';
import { loadConfig } from '../workers/config';
import { createExtractionWorker } from '../workers/extraction-worker';
import { createApiApp } from '../workers/api-app';
import { createRuntime } from '../workers/runtime';
import { ensureDemoRoles } from './demo-roles';
import { seedOrders, seedTenant } from './seed';
import { portIsFree, StartError, stopAllServices } from './services';
import { mailToDir, startSmtpSink } from './smtp-sink';
import { stackEnv, startStack } from './stack';

const MIN_NODE_MAJOR = 22;
// State (data of the services, dev.json) lives in the checkout unless SLUICE_DEV_STATE_DIR says otherwise.
const root = resolve(process.env.SLUICE_DEV_STATE_DIR ?? join(__dirname, '..', '.sluice'));
const dataDir = join(root, 'dev');
const infoFile = join(root, 'dev.json');
// Notification mails as the SMTP sink took them, one .eml file each.
const mailDir = join(root, 'mail');
// The key that encrypts the demo tenant's connection URLs: made once, kept beside the data it opens.
const secretKeysFile = join(root, 'secret-keys');
const log = (line: string) => console.log(`[sluice] ${line}`);

const PORTS = {
  postgres: ['SLUICE_DEV_POSTGRES_PORT', 55432],
  temporal: ['SLUICE_DEV_TEMPORAL_PORT', 7233],
  temporalUi: ['SLUICE_DEV_TEMPORAL_UI_PORT', 8233],
  minio: ['SLUICE_DEV_MINIO_PORT', 9000],
  minioConsole: ['SLUICE_DEV_MINIO_CONSOLE_PORT', 9001],
  api: ['SLUICE_API_PORT', 8080],
  smtp: ['SLUICE_DEV_SMTP_PORT', 0], // 0: any free port (dev.json says which)
} as const;
const port = (name: keyof typeof PORTS) => Number(process.env[PORTS[name][0]] ?? PORTS[name][1]);

// What to stop, in the order it was started; shutdown() stops it in reverse, then every service.
const stopping: { name: string; stop: () => Promise<void>; timeoutMs: number }[] = [];
let shuttingDown = false;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not stop within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

// `reason` undefined: a start that failed, stopped without more words than its error line.
async function shutdown(reason: string | undefined, code: number): Promise<never> {
  shuttingDown = true;
  if (reason) log(`${reason}: stopping…`);
  // A last resort: the `exit` handler of dev/services.ts still sends every service its stop signal.
  setTimeout(() => {
    log('stopping takes too long; exiting (the services get their stop signal)');
    process.exit(1);
  }, 90_000).unref();
  for (const step of stopping.reverse()) {
    await withTimeout(step.stop(), step.timeoutMs, step.name).catch((err: Error) => {
      log(`${step.name}: ${err.message}`);
    });
  }
  await stopAllServices();
  if (reason) log('stopped');
  process.exit(code);
}

// Signals are handled from the first line on, and for good: a second Ctrl-C (or the copy of the first that
// npm passes on) must not end the process before the services are stopped.
let lastSignalAt = 0;
function onSignal(signal: NodeJS.Signals) {
  const now = Date.now();
  const copy = now - lastSignalAt < 200; // npm's copy of a Ctrl-C the terminal sent us too
  lastSignalAt = now;
  if (shuttingDown) {
    if (!copy) log(`${signal}: still stopping…`);
    return;
  }
  void shutdown(signal, 0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
// A closed terminal (SIGHUP) must not turn our log lines into a crash.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
// Run by npm (`npm run dev`, whose script execs us), npm is our parent and passes SIGINT and SIGTERM on. If it
// dies without doing so (kill -9 of npm), we are re-parented: stop as if it had passed us a SIGTERM.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !shuttingDown) void shutdown('npm (our parent) is gone', 0);
  }, 1_000).unref();
}
process.on('uncaughtException', (err) => {
  if (shuttingDown) return;
  console.error(err);
  void shutdown('unexpected error', 1);
});

// A service that could not start is one line; anything else shows its stack.
function describe(err: unknown): string {
  if (!(err instanceof StartError)) return err instanceof Error ? (err.stack ?? err.message) : String(err);
  const busy = /port (\d+) is in use/.exec(err.message);
  const setting = busy && Object.values(PORTS).find(([name, fallback]) => Number(process.env[name] ?? fallback) === Number(busy[1]));
  return setting ? `${err.message}; set ${setting[0]} to use another` : err.message;
}

function devSecretKeys(): string {
  if (!existsSync(secretKeysFile)) writeFileSync(secretKeysFile, newKeyRingText('dev') + '\n', { mode: 0o600 });
  return readFileSync(secretKeysFile, 'utf8').trim();
}

async function main() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE_MAJOR) {
    throw new StartError(`Sluice needs Node.js ${MIN_NODE_MAJOR} or newer, this is ${process.version}: start it with \`npm run dev\`, ` +
      `which runs the Node ${MIN_NODE_MAJOR} that \`npm install\` puts in node_modules/.bin (Linux x64 and arm64), or install Node ${MIN_NODE_MAJOR}`);
  }
  // The worker and the API stop when we say so, not on the Temporal SDK's own signal handlers.
  TemporalRuntime.install({ shutdownSignals: [] });
  mkdirSync(dataDir, { recursive: true });
  const previous = existsSync(infoFile) ? JSON.parse(readFileSync(infoFile, 'utf8')) : {};
  if (!(await portIsFree(port('api')))) throw new StartError(`the API did not start: port ${port('api')} is in use`);
  const stack = await startStack(dataDir, {
    postgres: port('postgres'),
    temporal: port('temporal'),
    temporalUi: port('temporalUi'),
    minio: port('minio'),
    minioConsole: port('minioConsole'),
  }, log);
  stopping.push({ name: 'PostgreSQL, Temporal and MinIO', stop: () => stack.stop(), timeoutMs: 30_000 });
  if (shuttingDown) return;
  mkdirSync(mailDir, { recursive: true });
  const smtp = await startSmtpSink({ port: port('smtp'), onMail: mailToDir(mailDir) }).catch((err: NodeJS.ErrnoException) => {
    throw new StartError(`the SMTP sink did not start: ${err.code === 'EADDRINUSE' ? `port ${port('smtp')} is in use` : err.message}`);
  });
  stopping.push({ name: 'the SMTP sink', stop: () => smtp.close(), timeoutMs: 5_000 });
  if (shuttingDown) return;
  // SLUICE_SMTP_URL in the environment sends through a real server instead.
  const devEnv = stackEnv(stack.info, { SLUICE_SECRET_KEYS: devSecretKeys(), SLUICE_SMTP_URL: smtp.url });
  const config = loadConfig({ ...devEnv, ...process.env });
  const mailTo = config.SLUICE_SMTP_URL === smtp.url ? `${mailDir}  (SMTP sink ${smtp.url}, one .eml file per mail)` : 'sent through SLUICE_SMTP_URL';
  // startStack has migrated Sluice's database; this migration moves the sources of an older run into connections
  // (it needs the key).
  const rt = await createRuntime(config, { migrate: true });
  stopping.push({ name: "Sluice's database pool and S3 client", stop: () => rt.close(), timeoutMs: 5_000 });
  if (shuttingDown) return;

  const orders = Number(process.env.SLUICE_DEV_ORDERS ?? 1_000_000);
  log(`seeding demo data (public.orders, ${orders.toLocaleString('en-US')} rows, once)…`);
  await seedOrders(stack.info.sourceUrl, orders);
  // The demo's connections read as narrow roles, not as the superuser that owns Sluice's database.
  const demo = await ensureDemoRoles(stack.info.sourceUrl, ['orders']);
  const apiKey = await seedTenant(rt, {
    tenantId: 'demo', apiKey: previous.apiKey, sourceName: 'demo', sourceUrl: demo.readerUrl,
    target: { name: 'demo-target', url: stack.info.targetUrl },
  });
  await rt.connections.put('demo', { name: 'demo-sync', roles: ['source'], url: demo.syncUrl });
  if (shuttingDown) return;

  const native = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const { worker, pools, run } = await createExtractionWorker(rt, native);
  const running = run();
  // Running activities are cancelled and the worker waits for them to end; the services stop after it.
  stopping.push({
    name: 'the worker',
    timeoutMs: 20_000,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await pools.end();
      await native.close();
    },
  });
  if (shuttingDown) return;

  const temporal = await connectApiClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const { app, pools: apiPools } = createApiApp(rt, temporal);
  const server = await listen(app, config.SLUICE_API_PORT, config.SLUICE_API_HOST).catch((err: Error) => {
    throw new StartError(`the API did not start: ${err.message}`);
  });
  stopping.push({
    name: 'the API',
    timeoutMs: 5_000,
    stop: async () => {
      const closed = new Promise((ok) => server.close(ok));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2_000).unref(); // answers in flight get 2 s
      await closed;
      await apiPools.end();
      await temporal.connection.close();
    },
  });
  if (shuttingDown) return;

  const apiUrl = `http://${config.SLUICE_API_HOST}:${config.SLUICE_API_PORT}`;
  const dashboardUrl = `${apiUrl}/ui/`;
  const info = {
    apiUrl, apiKey, dashboardUrl,
    temporalUiUrl: stack.info.temporalUiUrl,
    temporalAddress: stack.info.temporalAddress,
    databaseUrl: stack.info.databaseUrl,
    demoSourceUrl: stack.info.sourceUrl,
    demoTargetUrl: stack.info.targetUrl,
    s3Endpoint: stack.info.s3Endpoint,
    mailDir,
    smtpPort: smtp.port,
    pid: process.pid,
  };
  writeFileSync(infoFile, JSON.stringify(info, null, 2) + '\n');
  const body = JSON.stringify({ source: 'demo', table: 'public.orders', format: 'csv', compression: 'gzip', mode: 'job' });
  const sync = JSON.stringify({ source: 'demo-sync', target: 'demo-target', tables: ['public.orders'], mode: 'full+incremental', start: true });
  const recipient = JSON.stringify({ address: 'you@example.com', events: ['job.completed', 'job.failed', 'sync.alert'] });
  const post = (path: string, json: string) =>
    `curl -s -X POST ${apiUrl}${path} -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' -d '${json}'`;
  console.log(`
Sluice is running (Ctrl-C stops everything).

  API            ${apiUrl}
  API key        ${apiKey}
  Dashboard      ${dashboardUrl}  (sign in with the API key)
  Temporal UI    ${stack.info.temporalUiUrl}
  Temporal       ${stack.info.temporalAddress}
  Sluice DB      ${stack.info.databaseUrl}
  Demo source    ${demo.readerUrl}  (connection demo: SELECT only)
                 ${demo.syncUrl}  (connection demo-sync, for syncs: REPLICATION, owns the tables)
  Demo target    ${stack.info.targetUrl}  (connection demo-target)
  S3 (MinIO)     ${stack.info.s3Endpoint}
  Mail           ${mailTo}
  Prometheus     ${apiUrl}/metrics${config.SLUICE_WORKER_METRICS_PORT ? `  ·  worker http://${config.SLUICE_WORKER_METRICS_HOST}:${config.SLUICE_WORKER_METRICS_PORT}/metrics` : ''}
  (also written to ${infoFile})

Be mailed when a job ends or a sync alerts (the mails land in ${mailDir} while the SMTP sink takes them):

  ${post('/v1/email-recipients', recipient)}

Start an extraction of the demo table:

  ${post('/v1/extractions', body)}

Sync it into demo-target, then keep writing to it (npm run dev:writes, in another terminal):

  ${post('/v1/syncs', sync)}
`);
}

main().catch(async (err) => {
  if (shuttingDown) return; // a step cut short by the shutdown in progress
  console.error(`[sluice] ${describe(err)}`);
  await shutdown(undefined, 1);
});
