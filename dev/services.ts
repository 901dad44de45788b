// Starts and stops the services Sluice needs, on loopback ports: PostgreSQL (wal_level=logical), the Temporal
// dev server and MinIO. Used by `npm run dev` (persistent data dir) and by the test harness (throwaway dirs).
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, readSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import type { Binaries } from './binaries';
import { StartError } from './errors';

export { StartError };

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

/** Whether nothing listens on 127.0.0.1:port yet. */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The line of a service's log that says why it stopped: its first error line, else its last line. Timestamps
// and log-level prefixes are cut so that the line reads on its own.
export function causeFromLog(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /\b(FATAL|PANIC|ERROR|Error|error|fatal)\b/.test(l)) ?? lines.at(-1);
  if (!line) return undefined;
  const cut = line
    .replace(/^\d{4}-\d\d-\d\d[ T][\d:.]+(Z| ?[A-Z]{2,5}|[+-]\d\d(:?\d\d)?)?\s*(\[\d+\]\s*)?/, '') // PostgreSQL's prefix
    .replace(/^(time|level)=\S+\s+/g, '');
  return cut.length > 300 ? `${cut.slice(0, 300)}…` : cut;
}

function readFrom(file: string, offset: number): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = statSync(file).size;
      const buf = Buffer.alloc(Math.min(Math.max(size - offset, 0), 64 * 1024));
      readSync(fd, buf, 0, buf.length, offset);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

// Waits until `ready` answers; if the process ends first or never gets ready, stops it and throws a StartError
// with the cause read from what it logged during this start.
async function waitFor(what: string, svc: Launched, ready: () => Promise<boolean>, abort?: AbortSignal, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const fail = async (reason: string) => {
    await svc.stop();
    const cause = causeFromLog(readFrom(svc.logFile, svc.logOffset));
    throw new StartError(`${what} did not start: ${cause ?? reason} (log: ${svc.logFile})`);
  };
  while (Date.now() < deadline) {
    if (stopping || abort?.aborted) return fail('stopped while starting');
    if (svc.child.exitCode !== null || svc.child.signalCode !== null) {
      return fail(`it exited with ${svc.child.exitCode !== null ? `code ${svc.child.exitCode}` : svc.child.signalCode}`);
    }
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  return fail(`not ready after ${timeoutMs / 1000} s`);
}

// Sends the signals one after the other, each after the delay given with it, until the process has exited;
// SIGKILL 15 s after the first.
function stopChild(child: ChildProcess, steps: [NodeJS.Signals, number][]): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timers = [...steps, ['SIGKILL', 15_000] as [NodeJS.Signals, number]].map(([signal, afterMs]) =>
      setTimeout(() => child.kill(signal), afterMs));
    child.once('exit', () => {
      timers.forEach(clearTimeout);
      resolve();
    });
  });
}

interface Launched {
  child: ChildProcess;
  logFile: string;
  logOffset: number;
  /** The signal that stops the service at once, cleanly (PostgreSQL: SIGINT, a fast shutdown). */
  signal: NodeJS.Signals;
  stop(): Promise<void>;
}

// Every service process we started and that is still running. They must not outlive us:
// - stopAllServices() stops them cleanly (signal handlers of `npm run dev`, the test harness);
// - on a normal exit (also process.exit() and an uncaught exception) the `exit` handler sends each its stop
//   signal (the services then stop on their own);
// - when we die without running any code (SIGKILL, or a signal nobody handles), the kernel sends each its stop
//   signal: they run under `setpriv --pdeathsig`, the parent-death signal of Linux.
const running = new Set<Launched>();
let stopping = false;
process.once('exit', () => running.forEach((s) => s.child.kill(s.signal)));

/** Stops every service this process started (and refuses to start more). */
export async function stopAllServices(): Promise<void> {
  stopping = true;
  await Promise.all([...running].map((s) => s.stop()));
}

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

// Each service gets its own process group (`detached`), so a Ctrl-C in the terminal reaches only us and we stop
// the services after the worker and API that use them.
// `stopSteps` are how stop() ends it (default: `signal` at once).
function launch(cmd: string, args: string[], logFile: string, signal: NodeJS.Signals,
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string; stopSteps?: [NodeJS.Signals, number][] } = {}): Launched {
  if (stopping) throw new StartError('not starting services: shutting down');
  const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
  const out = openSync(logFile, 'a');
  // setpriv runs after the switch to `uid` (which would clear the setting) and execs the service.
  const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', signal, '--', cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, {
    stdio: ['ignore', out, out], env: { ...process.env, ...options.env }, uid: options.uid, gid: options.gid, cwd: options.cwd, detached: true,
  });
  closeSync(out);
  const svc: Launched = { child, logFile, logOffset, signal, stop: () => stopChild(child, options.stopSteps ?? [[signal, 0]]) };
  running.add(svc);
  child.once('exit', () => running.delete(svc));
  child.once('error', () => running.delete(svc)); // e.g. ENOENT; the exit code check in waitFor reports it
  return svc;
}

// initdb and postgres refuse to run as root; CI runs as root, so run them as the `postgres` user then.
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { stdio: 'pipe' }).toString().trim());
    return { uid, gid };
  } catch {
    throw new StartError('PostgreSQL did not start: we run as root and there is no user "postgres" to run it as');
  }
}

// Where PostgreSQL keeps its data (and its socket). Normally `dir`. As root PostgreSQL runs as `postgres`,
// which cannot enter a checkout under a private home (/root is 0700): then the data lives in a directory of
// its own under /var/tmp, named after a hash of `dir`, so each checkout keeps its data across runs.
export function postgresDataDir(dir: string): string {
  return join('/var/tmp', `sluice-postgres-${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16)}`);
}

function reachable(dir: string, user: { uid?: number; gid?: number }): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd "$1" && test -w . -a -x .', 'sh', dir], { ...user, stdio: 'ignore' }).status === 0;
}

function ownedDir(dir: string, user: { uid?: number; gid?: number }): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (st.uid !== 0 && st.uid !== user.uid)) {
    throw new StartError(`PostgreSQL did not start: ${dir} is not a directory of root or postgres`);
  }
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
}

function placePostgres(dir: string, user: { uid?: number; gid?: number }, log: (l: string) => void): string {
  mkdirSync(dir, { recursive: true });
  if (user.uid === undefined) return dir;
  ownedDir(dir, user);
  if (reachable(dir, user)) return dir;
  const elsewhere = postgresDataDir(dir);
  ownedDir(elsewhere, user);
  // A pointer for people looking for the data; nothing reads it.
  const link = join(dir, 'pgdata');
  try {
    if (!existsSync(link) || readlinkSync(link) !== join(elsewhere, 'pgdata')) symlinkSync(join(elsewhere, 'pgdata'), link);
  } catch {
    // an old pgdata directory, or a link we cannot make: the log line below says where the data is
  }
  log(`PostgreSQL's data is in ${elsewhere} (user postgres cannot enter ${dir})`);
  return elsewhere;
}

function run(cmd: string, args: string[], options: { uid?: number; gid?: number; cwd?: string }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', (err) => resolve({ code: null, output: err.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

export interface PostgresService extends Service {
  port: number;
  /** Where its data directory and socket are (see postgresDataDir). */
  dir: string;
  url(database?: string): string;
}

/** `settings` override the defaults below (a test may want wal_level=replica, or a single replication slot). */
export async function startPostgres(bins: Binaries, dataDir: string, port: number, log: (l: string) => void = () => undefined,
  abort?: AbortSignal, settings: Record<string, string> = {}): Promise<PostgresService> {
  const user = postgresUser();
  const dir = placePostgres(dataDir, user, log);
  const pgdata = join(dir, 'pgdata');
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    const initdb = await run(join(bins.pgBinDir, 'initdb'), ['-D', pgdata, '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], { ...user, cwd: dir });
    if (initdb.code !== 0) {
      throw new StartError(`PostgreSQL did not start: initdb failed: ${causeFromLog(initdb.output) ?? `exit code ${initdb.code}`}`);
    }
  }
  if (!(await portIsFree(port))) throw new StartError(`PostgreSQL did not start: port ${port} is in use`);
  const args = ['-D', pgdata, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'wal_level=logical',
    '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20', '-c', 'max_connections=200', '-c', 'fsync=off',
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const logFile = join(dataDir, 'postgres.log'); // opened by us: PostgreSQL writes to the descriptor
  // Stopped with a smart shutdown first (SIGTERM: it waits for the sessions still closing, which then end
  // quietly), a fast one (SIGINT) if sessions are left after 3 s.
  const svc = launch(join(bins.pgBinDir, 'postgres'), args, logFile, 'SIGINT', { ...user, cwd: dir, stopSteps: [['SIGTERM', 0], ['SIGINT', 3_000]] });
  const url = (database = 'postgres') => `postgres://sluice@127.0.0.1:${port}/${database}`;
  await waitFor('PostgreSQL', svc, async () => {
    execFileSync(join(bins.pgBinDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q'], { stdio: 'ignore' });
    return true;
  }, abort);
  return { name: 'postgres', port, dir, url, stop: svc.stop };
}

export interface TemporalService extends Service {
  address: string;
  uiUrl?: string;
}

// The dev server registers the workflows' typed keys, so the names are written once.
export const SEARCH_ATTRIBUTES = SEARCH_ATTRIBUTE_KEYS.map((k) => `${k.name}=Keyword`);

export async function startTemporal(bins: Binaries, dataDir: string, port: number, uiPort?: number, abort?: AbortSignal): Promise<TemporalService> {
  mkdirSync(dataDir, { recursive: true });
  for (const p of uiPort ? [port, uiPort] : [port]) {
    if (!(await portIsFree(p))) throw new StartError(`Temporal did not start: port ${p} is in use`);
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', join(dataDir, 'temporal.db'),
    '--log-level', 'warn', ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', a])];
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  const svc = launch(bins.temporal, args, join(dataDir, 'temporal.log'), 'SIGTERM');
  const address = `127.0.0.1:${port}`;
  await waitFor('Temporal', svc, async () => {
    execFileSync(bins.temporal, ['operator', 'namespace', 'describe', '--address', address, '-n', 'default'], { stdio: 'ignore' });
    return true;
  }, abort);
  return { name: 'temporal', address, uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, stop: svc.stop };
}

export interface MinioService extends Service {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The name of MinIO's KMS key: SSEKMSKeyId for aws:kms (AES256 uses it too). */
  kmsKeyId: string;
}

const KMS_KEY_NAME = 'sluice';

// MinIO's static KMS key (what SSE-S3 and SSE-KMS need there), made on the first start and kept beside the data:
// objects and MinIO's own config encrypted under it are unreadable without it.
function minioKmsKey(dataDir: string): string {
  const file = join(dataDir, 'kms-secret-key');
  if (!existsSync(file)) writeFileSync(file, `${KMS_KEY_NAME}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export async function startMinio(bins: Binaries, dataDir: string, port: number, consolePort: number, abort?: AbortSignal): Promise<MinioService> {
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  for (const p of [port, consolePort]) {
    if (!(await portIsFree(p))) throw new StartError(`MinIO did not start: port ${p} is in use`);
  }
  const accessKeyId = 'sluice';
  const secretAccessKey = 'sluice-dev-secret';
  const svc = launch(bins.minio, ['server', join(dataDir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    join(dataDir, 'minio.log'), 'SIGTERM', {
      env: { MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off', MINIO_KMS_SECRET_KEY: minioKmsKey(dataDir) },
    });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor('MinIO', svc, async () => (await fetch(`${endpoint}/minio/health/live`)).status === 200, abort);
  return { name: 'minio', endpoint, accessKeyId, secretAccessKey, kmsKeyId: KMS_KEY_NAME, stop: svc.stop };
}
