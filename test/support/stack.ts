// Helpers for tests on the real stack: config, a worker on its own task queue, the API on a free port,
// a fresh tenant, and a client for the source database.
import type { Client } from '@temporalio/client';
import { connectApiClient } from '../../api/temporal-client';
import { NativeConnection, Runtime as TemporalRuntime, DefaultLogger } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { ensureDatabase, stackEnv, type StackInfo } from '../../dev/stack';
import { migrate } from '../../store/migrate';
import { seedTenant } from '../../dev/seed';
import { loadConfig, type Config } from '../../workers/config';
import { createExtractionWorker } from '../../workers/extraction-worker';
import { listen } from '../../api/server';
import { createApiApp } from '../../workers/api-app';
import { createRuntime, type Runtime } from '../../workers/runtime';

let runtimeInstalled = false;
function quietTemporal() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  TemporalRuntime.install({ logger: new DefaultLogger('WARN') });
}

export const stackInfo = (): StackInfo => JSON.parse(process.env.SLUICE_TEST_STACK!);

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

// One key ring for every test process of a run, as every process of a deployment shares one: connections
// registered by one test's Sluice decrypt in another's.
export const TEST_SECRET_KEYS = `test=${Buffer.alloc(32, 7).toString('base64')}`;

export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return stackEnv(stackInfo(), {
    SLUICE_S3_BUCKET: 'sluice-test', SLUICE_LOG_LEVEL: 'warn', SLUICE_TASK_QUEUE: uniqueName('tq'), SLUICE_SECRET_KEYS: TEST_SECRET_KEYS,
    SLUICE_WORKER_METRICS_PORT: '0', // many workers share the machine; a test that scrapes one gives it a port
    SLUICE_KEY_REQUESTS_PER_MINUTE: '1000000', // tests poll in bursts; tenant-limits.test.ts sets the limit it tests
    ...extra,
  });
}

/** A Sluice database of its own (migrated), for tests that count every job in it, such as the slot queue. */
export async function ownSluiceDatabase(): Promise<string> {
  const name = uniqueName('sluice');
  const url = new URL(stackInfo().databaseUrl);
  await ensureDatabase(url.toString(), name);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}

export async function sourceClient(): Promise<PgClient> {
  const client = new PgClient({ connectionString: stackInfo().sourceUrl });
  await client.connect();
  return client;
}

export interface TestSluice {
  config: Config;
  rt: Runtime;
  temporal: Client;
  tenantId: string;
  apiKey: string;
  /** Starts a worker in this process; resolves to a function that stops it. */
  startWorker(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// A Sluice on the shared stack with its own task queue and tenant (connection `src`, role source = the stack's
// source DB).
export async function testSluice(extra: Record<string, string> = {}): Promise<TestSluice> {
  quietTemporal();
  const config = loadConfig(testEnv(extra));
  const rt = await createRuntime(config);
  const tenantId = uniqueName('tenant');
  const apiKey = await seedTenant(rt, { tenantId, sourceName: 'src', sourceUrl: stackInfo().sourceUrl });
  const temporal = await connectApiClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE); // the API's client, as in production
  const stops: (() => Promise<void>)[] = [];
  return {
    config, rt, temporal, tenantId, apiKey,
    async startWorker() {
      const native = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
      const { worker, pools, run } = await createExtractionWorker(rt, native, { workflowBundle: { codePath: process.env.SLUICE_TEST_WORKFLOW_BUNDLE! } });
      const running = run();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await pools.end();
        await native.close();
      };
      stops.push(stop);
      return stop;
    },
    async close() {
      for (const stop of stops.reverse()) await stop();
      await temporal.connection.close();
      await rt.close();
    },
  };
}

// Test code reads API bodies loosely and asserts on them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface TestApi {
  url: string;
  /** fetch with the tenant's API key. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  close(): Promise<void>;
}

/** The API of `s`, on a free port; `config` overrides settings of this API alone (e.g. inline limits). */
export async function startApi(s: TestSluice, config: Partial<Config> = {}): Promise<TestApi> {
  const { app, pools } = createApiApp({ ...s.rt, config: { ...s.rt.config, ...config } }, s.temporal);
  const server = await listen(app, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    call: (method, path, body, headers = {}) =>
      fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${s.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      await pools.end();
    },
  };
}
