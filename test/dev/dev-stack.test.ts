// `npm run dev` as a user runs it: real PostgreSQL, Temporal, MinIO, worker and API in child processes. Every
// way of stopping it — Ctrl-C twice while jobs run, SIGTERM, SIGKILL — leaves no process of the stack behind,
// and a service that cannot start is one line naming it. The state dir is a fresh mkdtemp (mode 0700), so as
// root PostgreSQL's data goes to its own directory (postgresDataDir) and a second run reuses it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, postgresDataDir } from '../../dev/services';

const repo = resolve(__dirname, '..', '..');
const stateDir = mkdtempSync(join(tmpdir(), 'sluice-devstack-'));
const pgDir = join(stateDir, 'dev', 'postgres');

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function ports(): Promise<Record<string, string>> {
  const names = ['SLUICE_DEV_POSTGRES_PORT', 'SLUICE_DEV_TEMPORAL_PORT', 'SLUICE_DEV_TEMPORAL_UI_PORT', 'SLUICE_DEV_MINIO_PORT',
    'SLUICE_DEV_MINIO_CONSOLE_PORT', 'SLUICE_API_PORT'];
  // Distinct: a port just closed can be handed out again, and MinIO given the same port twice (its API and its
  // console) fails with "port already in use".
  const taken = new Set<number>();
  while (taken.size < names.length) taken.add(await freePort());
  const distinct = [...taken];
  return Object.fromEntries(names.map((name, i) => [name, String(distinct[i])]));
}

// `npm`: `npm run dev` in a process group of its own, as a terminal runs it (Ctrl-C reaches the whole group);
// its script execs the main process (node with tsx's loader running dev/start.ts).
// `node`: the main process itself, started directly.
async function launch(how: 'npm' | 'node', extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(SLUICE_|TEMPORAL_|npm_lifecycle_)/.test(k)) env[k] = v;
  Object.assign(env, await ports(), { SLUICE_DEV_STATE_DIR: stateDir, SLUICE_DEV_ORDERS: '500000', SLUICE_LOG_LEVEL: 'warn' }, extraEnv);
  const [cmd, args] = how === 'npm' ? ['npm', ['run', 'dev']] : [process.execPath, ['--import', 'tsx', 'dev/start.ts']];
  const child = spawn(cmd, args, { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  return { child, output: () => out, exited };
}

async function until(ok: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not so after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function untilRunning(run: Run, timeoutMs = 100_000) {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes('Sluice is running')) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`npm run dev ended early:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`npm run dev not ready after ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return JSON.parse(readFileSync(join(stateDir, 'dev.json'), 'utf8'));
}

// Processes as /proc shows them: parent, state and command line.
function processes(): Map<number, { ppid: number; state: string; cmdline: string }> {
  const all = new Map<number, { ppid: number; state: string; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      all.set(Number(entry), { ppid: Number(ppid), state, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

function descendants(pid: number): number[] {
  const all = processes();
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [p, info] of all) {
      if (info.ppid === parent && !found.includes(p)) {
        found.push(p);
        walk(p);
      }
    }
  };
  walk(pid);
  return found;
}

// What is still alive (zombies waiting to be reaped do not count) of `pids` and of anything using the state.
function leftovers(pids: number[]): string[] {
  const all = processes();
  const pgElsewhere = postgresDataDir(pgDir);
  return [...all]
    .filter(([pid, p]) => p.state !== 'Z' && (pids.includes(pid) || p.cmdline.includes(stateDir) || p.cmdline.includes(pgElsewhere)))
    .map(([pid, p]) => `${pid} ${p.cmdline}`);
}

async function noLeftovers(pids: number[], withinMs = 10_000) {
  const deadline = Date.now() + withinMs;
  while (leftovers(pids).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(leftovers(pids)).toEqual([]);
}

// The stack's own processes: PostgreSQL (and its backends), Temporal, MinIO.
function servicePids(mainPid: number): number[] {
  const all = processes();
  return descendants(mainPid).filter((p) => /postgres|temporal|minio/.test(all.get(p)?.cmdline ?? ''));
}

async function submitJobs(info: { apiUrl: string; apiKey: string }, n: number): Promise<string[]> {
  const ids: string[] = [];
  const formats = ['csv', 'ndjson', 'parquet'];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${info.apiUrl}/v1/extractions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'demo', table: 'public.orders', format: formats[i % formats.length], compression: 'gzip', mode: 'job' }),
    });
    expect(res.status).toBe(202);
    await res.body?.cancel();
    ids.push(res.headers.get('location')!.split('/').pop()!);
  }
  return ids;
}

async function untilAJobRuns(info: { apiUrl: string; apiKey: string }, ids: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const id of ids) {
      const job = (await (await fetch(`${info.apiUrl}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${info.apiKey}` } })).json()) as { state: string; progress?: { rowsDone?: number } };
      if (job.state === 'Running' && (job.progress?.rowsDone ?? 0) > 0) return job;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no job got to Running with rows done');
}

// After a failed test: whatever is left of the run (its process group; the services have groups of their own
// and stop by their parent-death signal).
function killGroup(run: Run) {
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(postgresDataDir(pgDir), { recursive: true, force: true });
});

// dev.json names the target database, and the demo tenant has its connections, the sources reachable as narrow
// roles: demo reads (no superuser, no privileged role), demo-sync may replicate.
async function connectionsRegistered(info: { apiUrl: string; apiKey: string; demoTargetUrl: string }) {
  expect(info.demoTargetUrl).toMatch(/^postgres(ql)?:\/\/.+\/target$/);
  const headers = { authorization: `Bearer ${info.apiKey}` };
  const list = (await (await fetch(`${info.apiUrl}/v1/connections`, { headers })).json()) as { connections: { name: string; roles: string[]; database: string; user: string }[] };
  expect(list.connections.map((c) => [c.name, c.roles, c.database, c.user])).toEqual([
    ['demo', ['source'], 'source', 'sluice_demo_reader'], ['demo-sync', ['source'], 'source', 'sluice_demo_sync'], ['demo-target', ['target'], 'target', 'sluice'],
  ]);
  type Report = { reachable: boolean; walLevel: string; superuser: boolean; replication: boolean; checks: { name: string; ok: boolean }[] };
  const test = async (name: string) => (await (await fetch(`${info.apiUrl}/v1/connections/${name}/test`, { method: 'POST', headers })).json()) as Report;
  const [reader, sync] = [await test('demo'), await test('demo-sync')];
  expect(reader).toMatchObject({ reachable: true, walLevel: 'logical', superuser: false, replication: false });
  expect(sync).toMatchObject({ reachable: true, superuser: false, replication: true });
  for (const report of [reader, sync]) expect(report.checks.find((c) => c.name === 'privileged_role')).toEqual({ name: 'privileged_role', ok: true, hint: null });
}

// The sync curl npm run dev prints: the sync gets past Initializing (publication and slot made as demo-sync's role).
async function printedSyncStarts(info: { apiUrl: string; apiKey: string }, output: string) {
  const line = output.split('\n').find((l) => l.includes(`${info.apiUrl}/v1/syncs`))!;
  const body = JSON.parse(/-d '(.*)'\s*$/.exec(line)![1]) as Record<string, unknown>;
  const headers = { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' };
  const created = await fetch(`${info.apiUrl}/v1/syncs`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(created.status).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  let sync: { state: string; phase?: string; error?: unknown } = { state: 'Created' };
  const deadline = Date.now() + 60_000;
  while (!(sync.state === 'Running' && sync.phase !== 'initializing') && sync.state !== 'Failed' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    sync = (await (await fetch(`${info.apiUrl}/v1/syncs/${id}`, { headers })).json()) as typeof sync;
  }
  expect(sync).toMatchObject({ state: 'Running', phase: expect.stringMatching(/snapshot|streaming/) });
}

// A notification mail lands as an .eml file in dev.json's mailDir (the SMTP sink npm run dev starts).
async function mailArrives(info: { apiUrl: string; apiKey: string; mailDir: string }) {
  expect(info.mailDir).toBe(join(stateDir, 'mail'));
  const post = (path: string, body: unknown) => fetch(`${info.apiUrl}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  expect((await post('/v1/email-recipients', { address: 'dev@example.com', events: ['job.completed'] })).status).toBe(201);
  const job = await post('/v1/extractions', { source: 'demo', query: 'SELECT 1 AS x', mode: 'job' });
  expect(job.status).toBe(202);
  const jobId = job.headers.get('location')!.split('/').pop()!;
  // This job's mail: a run before this one left its own mails in the same directory.
  const mailOfJob = () => readdirSync(info.mailDir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(info.mailDir, f), 'utf8')).find((m) => m.includes(jobId));
  await until(() => mailOfJob() !== undefined, 30_000);
  expect(mailOfJob()).toContain('To: dev@example.com');
}

// `npm run dev:writes` against the running stack: it writes, says so every 5 s, and stops on Ctrl-C.
async function writesRun() {
  const env = { ...process.env, SLUICE_DEV_STATE_DIR: stateDir };
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/writes.ts', '--rate', '20'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  try {
    await until(() => /last 5 s: [1-9]\d* inserted, [1-9]\d* updated, [1-9]\d* deleted/.test(out), 15_000).catch(() => {
      throw new Error(`npm run dev:writes did not report writes within 15 s:\n${out}`);
    });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped: [1-9]\d* inserted/);
  } finally {
    child.kill('SIGKILL');
  }
}

describe('npm run dev stops everything it started', () => {
  let apiKey: string;
  let secretKeys: string;

  test('Ctrl-C twice while jobs run: the second is absorbed, every service is stopped', async () => {
    const run = await launch('npm');
    try {
      const info = await untilRunning(run);
      apiKey = info.apiKey;
      await connectionsRegistered(info);
      expect(run.output()).toContain(`${info.apiUrl}/v1/syncs`);
      expect(info.dashboardUrl).toBe(`${info.apiUrl}/ui/`);
      expect(run.output()).toContain(info.dashboardUrl);
      expect((await fetch(info.dashboardUrl)).status).toBe(200); // the page loads without a key
      secretKeys = readFileSync(join(stateDir, 'secret-keys'), 'utf8');
      expect(statSync(join(stateDir, 'secret-keys')).mode & 0o077).toBe(0); // the key is for its owner alone
      const ids = await submitJobs(info, 3);
      await untilAJobRuns(info, ids);
      const pids = [run.child.pid!, ...descendants(run.child.pid!)];
      expect(servicePids(info.pid).length).toBeGreaterThanOrEqual(3);

      // An inline answer in flight (a 4 s query): the API gives answers in flight 2 s when it stops, so the stop
      // lasts long enough for the second Ctrl-C to land in it.
      const inFlight = fetch(`${info.apiUrl}/v1/extractions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'demo', query: 'SELECT pg_sleep(4)', format: 'csv', mode: 'inline' }),
      }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));

      process.kill(-run.child.pid!, 'SIGINT'); // the terminal's Ctrl-C: every process of the foreground group
      await until(() => run.output().includes('[sluice] SIGINT: stopping'), 20_000);
      await new Promise((r) => setTimeout(r, 300)); // a second Ctrl-C, not npm's copy of the first
      expect(run.output()).not.toContain('[sluice] stopped');
      process.kill(-run.child.pid!, 'SIGINT');
      await inFlight;
      const { code, signal } = await run.exited;
      expect(run.output()).toContain('still stopping');
      expect(run.output()).toContain('[sluice] stopped');
      // npm ends the way the signal asked (after its script has), as it does for any script
      expect(code === 0 || signal === 'SIGINT').toBe(true);
      await noLeftovers(pids);
    } finally {
      killGroup(run);
    }
  }, 180_000);

  test('kill <pid> (SIGTERM) of npm stops every service (npm passes it on); the data and the key are reused', async () => {
    const run = await launch('npm');
    try {
      const info = await untilRunning(run);
      expect(processes().get(info.pid)?.ppid).toBe(run.child.pid); // the script execs the main process
      expect(info.apiKey).toBe(apiKey);
      expect(readFileSync(join(stateDir, 'secret-keys'), 'utf8')).toBe(secretKeys);
      await connectionsRegistered(info);
      await mailArrives(info);
      await writesRun();
      await printedSyncStarts(info, run.output());
      expect(run.output()).not.toContain('initdb');
      // The state dir is a mkdtemp (mode 0700): as root, PostgreSQL kept its data in a directory of its own.
      if (process.getuid?.() === 0) expect(existsSync(join(postgresDataDir(pgDir), 'pgdata', 'PG_VERSION'))).toBe(true);
      const pids = [run.child.pid!, ...descendants(run.child.pid!)];
      expect(servicePids(info.pid).length).toBeGreaterThanOrEqual(3);
      process.kill(run.child.pid!, 'SIGTERM'); // `npm run dev & … kill $!`
      const { code } = await run.exited;
      expect(code).toBe(0);
      expect(run.output()).toContain('[sluice] SIGTERM: stopping');
      await noLeftovers(pids);
    } finally {
      killGroup(run);
    }
  }, 120_000);

  test('SIGKILL of the main process: the services stop on their own (parent-death signal)', async () => {
    const run = await launch('node');
    try {
      const info = await untilRunning(run);
      expect(info.pid).toBe(run.child.pid);
      const pids = servicePids(info.pid);
      expect(pids.length).toBeGreaterThanOrEqual(3);
      process.kill(info.pid, 'SIGKILL');
      await run.exited;
      await noLeftovers(pids, 20_000);
    } finally {
      killGroup(run);
    }
  }, 120_000);

  test('a service that cannot start is one line naming it and the cause, and nothing is left running', async () => {
    const busy: Server = createServer();
    const port = await new Promise<number>((ok) => busy.listen(0, '127.0.0.1', () => ok((busy.address() as { port: number }).port)));
    try {
      const run = await launch('node', { SLUICE_DEV_POSTGRES_PORT: String(port) });
      const { code } = await run.exited;
      expect(code).toBe(1);
      const lines = run.output().split('\n').filter((l) => l.includes('did not start'));
      expect(lines).toEqual([`[sluice] PostgreSQL did not start: port ${port} is in use; set SLUICE_DEV_POSTGRES_PORT to use another`]);
      expect(run.output()).not.toMatch(/\n\s+at |<Buffer/);
      await noLeftovers([]);
    } finally {
      busy.close();
    }
  }, 60_000);
});
