// Starts and stops the services Sluice needs, on loopback ports: PostgreSQL (wal_level=logical), the Temporal
// dev server and MinIO. Used by `npm run dev` (persistent data dir) and by the test harness (throwaway dirs).
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { Binaries } from './binaries';

export interface Service {
  name: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, child: ChildProcess, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

// Children must not outlive us when the parent exits abruptly (test runner crash, Ctrl-C).
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

// Each service gets its own process group (`detached`), so a Ctrl-C in the terminal reaches only us and we stop
// the services after the worker and API that use them.
function launch(cmd: string, args: string[], logFile: string, options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}) {
  const out = openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    stdio: ['ignore', out, out], env: { ...process.env, ...options.env }, uid: options.uid, gid: options.gid, detached: true,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

// initdb and postgres refuse to run as root; CI runs as root, so run them as the `postgres` user then.
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export interface PostgresService extends Service {
  port: number;
  url(database?: string): string;
}

export async function startPostgres(bins: Binaries, dataDir: string, port: number): Promise<PostgresService> {
  const user = postgresUser();
  mkdirSync(dataDir, { recursive: true });
  if (user.uid !== undefined) chownSync(dataDir, user.uid, user.gid!);
  const pgdata = join(dataDir, 'pgdata');
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    execFileSync(join(bins.pgBinDir, 'initdb'), ['-D', pgdata, '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
      stdio: 'pipe',
      ...user,
    });
  }
  const args = ['-D', pgdata, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'wal_level=logical',
    '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20', '-c', 'max_connections=200', '-c', 'fsync=off'];
  const logFile = join(dataDir, 'postgres.log');
  const child = launch(join(bins.pgBinDir, 'postgres'), args, logFile, user);
  const url = (database = 'postgres') => `postgres://sluice@127.0.0.1:${port}/${database}`;
  await waitFor('PostgreSQL', child, async () => {
    execFileSync(join(bins.pgBinDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
    return true;
  });
  return { name: 'postgres', port, url, stop: () => stopChild(child, 'SIGINT') };
}

export interface TemporalService extends Service {
  address: string;
  uiUrl?: string;
}

// The dev server registers the workflows' typed keys, so the names are written once.
export const SEARCH_ATTRIBUTES = SEARCH_ATTRIBUTE_KEYS.map((k) => `${k.name}=Keyword`);

export async function startTemporal(bins: Binaries, dataDir: string, port: number, uiPort?: number): Promise<TemporalService> {
  mkdirSync(dataDir, { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', join(dataDir, 'temporal.db'),
    '--log-level', 'warn', ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', a])];
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  const child = launch(bins.temporal, args, join(dataDir, 'temporal.log'));
  const address = `127.0.0.1:${port}`;
  await waitFor('Temporal', child, async () => {
    execFileSync(bins.temporal, ['operator', 'namespace', 'describe', '--address', address, '-n', 'default'], { stdio: 'ignore' });
    return true;
  });
  return { name: 'temporal', address, uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, stop: () => stopChild(child, 'SIGTERM') };
}

export interface MinioService extends Service {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export async function startMinio(bins: Binaries, dataDir: string, port: number, consolePort: number): Promise<MinioService> {
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  const accessKeyId = 'sluice';
  const secretAccessKey = 'sluice-dev-secret';
  const child = launch(bins.minio, ['server', join(dataDir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    join(dataDir, 'minio.log'), { env: { MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off' } });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor('MinIO', child, async () => (await fetch(`${endpoint}/minio/health/live`)).status === 200);
  return { name: 'minio', endpoint, accessKeyId, secretAccessKey, stop: () => stopChild(child, 'SIGTERM') };
}
