// `npm run bench:sync`: Sluice's PostgreSQL → PostgreSQL sync against native logical replication, in one run on
// one machine. Starts a throwaway stack (one PostgreSQL cluster holding Sluice's database, the source and the
// targets; Temporal; MinIO), seeds public.orders (BENCH_SYNC_ROWS, default 2,000,000), runs the worker as its
// own process and the API in this process, and measures three things (bench/sync-native.ts has the baselines):
//   snapshot — a `full` sync of public.orders, POST → Succeeded, against a native subscription's initial copy
//     (slot + CREATE SUBSCRIPTION … copy_data = true → every table `r`) and `psql COPY | psql COPY`;
//   apply — one UPDATE of BENCH_SYNC_UPDATE_ROWS rows (default 1,000,000) in one transaction, from its commit
//     until the consumer has passed its commit LSN: an `incremental` sync (its watermark), a native
//     subscription (its replication origin's remote_lsn) and pg_recvlogical decoding to /dev/null;
//   latency — commit → visible on the target at BENCH_SYNC_RATE inserts/s for BENCH_SYNC_SECONDS
//     (bench/sync-latency.ts), for Sluice and for the native subscription.
// Each consumer is measured alone (the others stopped), so none competes with another for the 2 CPUs.
// Prints the figures and appends them to BENCHMARKS.md (BENCH_NO_APPEND=1: print only). Other knobs:
// BENCH_SYNC_ONLY=snapshot,apply,latency, BENCH_SYNC_REPEATS (snapshot runs of each, default 3),
// BENCH_SYNC_POLL_MS (latency poll, default 5), BENCH_WORKER_CPU_PROFILE=<dir> (a CPU profile of the worker,
// bench/cpu-profile.cjs; such a run is slower and never appended).
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureBinaries } from '../dev/binaries';
import { seedOrders, seedTenant } from '../dev/seed';
import { ensureDatabase, stackEnv, startStack } from '../dev/stack';
import { newKeyRingText } from '../store/secret-box';
import { createApiApp } from '../workers/api-app';
import { loadConfig } from '../workers/config';
import { createRuntime } from '../workers/runtime';
import { SluiceHttp } from './http';
import { syncCpuLine, syncCpuMeter, type SyncCpuMeter } from './sync-cpu';
import { measureLatency, TICKS_DDL } from './sync-latency';
import {
  commitBig, dropSlot, expectSameRows, psqlPipe, recvLogicalLive, recvLogicalTo, SENT_SQL, sh, subscribe, waitAll, waitReady, withPg,
  type Committed, type Recvlogical,
} from './sync-native';
import { syncReport, type Figures } from './sync-report';
import { fmt, int, log, shq, sleep, tail } from './util';

const root = resolve(__dirname, '..');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROWS = env('BENCH_SYNC_ROWS', 2_000_000);
const UPDATE_ROWS = Math.min(env('BENCH_SYNC_UPDATE_ROWS', 1_000_000), ROWS);
const REPEATS = env('BENCH_SYNC_REPEATS', 3);
const RATE = env('BENCH_SYNC_RATE', 1000);
const SECONDS = env('BENCH_SYNC_SECONDS', 20);
const LATENCY_POLL_MS = env('BENCH_SYNC_POLL_MS', 5);
const APPLY_POLL_MS = 10;
const STATE_POLL_MS = 100;
const TIMEOUT_MS = 30 * 60_000;
const ONLY = process.env.BENCH_SYNC_ONLY ? new Set(process.env.BENCH_SYNC_ONLY.split(',').map((p) => p.trim())) : null;
const runs = (part: 'snapshot' | 'apply' | 'latency') => !ONLY || ONLY.has(part);
const PUB_SNAPSHOT = 'bench_snapshot'; // public.orders: what the snapshot copies
const PUB_STREAM = 'bench_stream'; // public.orders and public.ticks: what the stream carries

// Everything started is stopped in reverse order: on success, on failure and on a signal.
const stops: { name: string; run: () => unknown }[] = [];
let stopping: Promise<void> | undefined;
const stopAll = () => (stopping ??= (async () => {
  for (const s of stops.reverse()) await Promise.resolve().then(s.run).catch((err) => console.error(`[bench] stopping ${s.name} failed:`, err));
})());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));

/** The worker in its own process group (tsx starts node under it): stopped with SIGTERM, then SIGKILL. */
function startWorker(baseEnv: NodeJS.ProcessEnv, logFile: string, profileDir?: string): { child: ChildProcess; logFile: string; stop(): Promise<void> } {
  // bench/cpu-profile.cjs, preloaded, writes the profile when the worker exits.
  const profiling = profileDir && { NODE_OPTIONS: `${baseEnv.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'cpu-profile.cjs')}`.trim(), BENCH_CPU_PROFILE_DIR: resolve(profileDir) };
  const workerEnv = { ...baseEnv, ...profiling };
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['workers/extraction.ts'], { cwd: root, env: workerEnv, stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')], detached: true });
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // gone
    }
  };
  process.once('exit', () => group('SIGKILL'));
  const exited = new Promise<string>((ok) => child.once('exit', (code, signal) => ok(signal ?? `code ${code}`)));
  return {
    child, logFile,
    stop: async () => {
      const t0 = performance.now();
      group('SIGTERM');
      const timer = setTimeout(() => group('SIGKILL'), 20_000);
      const how = await exited;
      clearTimeout(timer);
      group('SIGKILL');
      log(`worker stopped in ${fmt((performance.now() - t0) / 1000)} s (${how})${how === 'code 0' ? '' : `\n${tail(logFile)}`}`);
    },
  };
}

interface SyncView {
  id: string;
  state: string;
  phase: string;
  error: unknown;
  slot: { name: string } | null;
  snapshot: { rowsCopied: number } | null;
}

class Syncs {
  constructor(private readonly http: SluiceHttp, private readonly workerLog: string) {}

  async create(mode: 'full' | 'incremental', tables: string[]): Promise<SyncView> {
    return this.http.json<SyncView>('POST', '/v1/syncs', 201, { source: 'bench', target: 'bench-target', tables, mode, start: true });
  }

  /** Polls until `ready` says so; a Failed sync throws with the worker's log. */
  async until(id: string, ready: (v: SyncView) => boolean | Promise<boolean>, what: string): Promise<SyncView> {
    const t0 = performance.now();
    for (;;) {
      const v = await this.http.json<SyncView>('GET', `/v1/syncs/${id}`, 200);
      if (await ready(v)) return v;
      if (v.state === 'Failed') throw new Error(`sync ${id} Failed: ${JSON.stringify(v.error)}\n--- worker log ---\n${tail(this.workerLog)}`);
      if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`sync ${id} not ${what} after ${TIMEOUT_MS} ms (state ${v.state}, phase ${v.phase})`);
      await sleep(STATE_POLL_MS);
    }
  }

  /** Pauses an active sync and deletes it (its slot and publication go with it). */
  async remove(v: SyncView, sourceUrl: string): Promise<void> {
    if (v.state !== 'Succeeded' && v.state !== 'Failed' && v.state !== 'Paused') {
      await this.http.json('POST', `/v1/syncs/${v.id}/pause`, 200);
      await this.until(v.id, (s) => s.state === 'Paused', 'Paused');
    }
    const res = await fetch(`${this.http.url}/v1/syncs/${v.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${this.http.apiKey}` } });
    if (res.status !== 204 && res.status !== 202) throw new Error(`DELETE /v1/syncs/${v.id} answered ${res.status}: ${await res.text()}`);
    if (v.slot) await waitSlotGone(sourceUrl, v.slot.name);
  }
}

async function waitSlotGone(sourceUrl: string, slot: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const left = await withPg(sourceUrl, (c) => c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]));
    if (!left.rowCount) return;
    await sleep(100);
  }
  throw new Error(`slot ${slot} still exists 60 s after its sync was deleted`);
}

const slotActive = (sourceUrl: string, slot: string) =>
  withPg(sourceUrl, async (c) => (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount === 1);

interface Ctx {
  syncs: Syncs;
  meter: SyncCpuMeter;
  bin: (name: string) => string;
  dir: string;
  sourceUrl: string;
  targets: { sluice: string; native: string; copy: string };
}

// ---- 1. snapshot ------------------------------------------------------------------------------------------
async function snapshot(x: Ctx): Promise<NonNullable<Figures['snapshot']>> {
  const out: NonNullable<Figures['snapshot']> = { sluice: [], native: [], pipe: [] };
  const empty = (url: string) => withPg(url, (c) => c.query('TRUNCATE public.orders'));
  for (let i = 1; i <= REPEATS; i++) {
    // Sluice makes its target table on the first run; later runs find it, emptied.
    await withPg(x.targets.sluice, (c) => c.query("SELECT to_regclass('public.orders') IS NOT NULL AS t")).then((r) => (r.rows[0].t ? empty(x.targets.sluice) : undefined));
    let stop = x.meter();
    let t0 = performance.now();
    const created = await x.syncs.create('full', ['public.orders']);
    const done = await x.syncs.until(created.id, (v) => v.state === 'Succeeded', 'Succeeded');
    let seconds = (performance.now() - t0) / 1000;
    let cpu = stop();
    const sums = await expectSameRows('Sluice snapshot', x.sourceUrl, x.targets.sluice, 'public.orders');
    await x.syncs.remove(done, x.sourceUrl);
    out.sluice.push({ seconds, cpu, detail: sums });
    log(`snapshot #${i}: Sluice ${fmt(seconds, 2)} s (${sums}) cpu ${syncCpuLine(cpu)}`);

    await empty(x.targets.native);
    stop = x.meter();
    t0 = performance.now();
    const sub = await subscribe({ sourceUrl: x.sourceUrl, targetUrl: x.targets.native, name: 'bench_copy', publication: PUB_SNAPSHOT, copyData: true });
    await waitReady(x.targets.native, sub.name, TIMEOUT_MS);
    seconds = (performance.now() - t0) / 1000;
    cpu = stop();
    await sub.drop();
    const nativeSums = await expectSameRows('native initial copy', x.sourceUrl, x.targets.native, 'public.orders');
    out.native.push({ seconds, cpu, detail: nativeSums });
    log(`snapshot #${i}: native ${fmt(seconds, 2)} s (${nativeSums}) cpu ${syncCpuLine(cpu)}`);

    await empty(x.targets.copy);
    stop = x.meter();
    const pipe = await psqlPipe(x.bin('psql'), x.sourceUrl, x.targets.copy, 'public.orders');
    await sleep(300); // the backends' CPU shows once PostgreSQL has reaped them
    cpu = stop();
    const pipeSums = await expectSameRows('psql pipe', x.sourceUrl, x.targets.copy, 'public.orders');
    out.pipe.push({ seconds: pipe.seconds, cpu, detail: pipeSums });
    log(`snapshot #${i}: psql | psql ${fmt(pipe.seconds, 2)} s (${pipeSums}) cpu ${syncCpuLine(cpu)}`);
  }
  return out;
}

// ---- 2 and 3. the stream: Sluice, then native, then pg_recvlogical, each alone ------------------------------
const UPDATE_SQL = () => `UPDATE public.orders SET amount = amount + 1, status = 'updated' WHERE id <= ${UPDATE_ROWS}`;

async function bigUpdate(x: Ctx, label: string, probes: (c: Committed) => Parameters<typeof waitAll>[0]): Promise<Figures['apply'][number]> {
  const stop = x.meter();
  const c = await commitBig(x.sourceUrl, UPDATE_SQL());
  const stopAfterCommit = x.meter();
  const times = await waitAll(probes(c), c.committedAt, APPLY_POLL_MS, TIMEOUT_MS);
  const cpuAfterCommit = stopAfterCommit();
  const cpu = stop();
  const seconds = times.applied ?? times.sent;
  log(`apply ${label}: ${fmt(seconds, 2)} s after commit (${int(UPDATE_ROWS / seconds)} rows/s; sent ${fmt(times.sent, 2)} s; UPDATE ran ${fmt(c.statementSeconds, 2)} s, commit ${c.endLsn}) cpu after commit ${syncCpuLine(cpuAfterCommit)}`);
  await withPg(x.sourceUrl, (pg) => pg.query('VACUUM public.orders')); // the next UPDATE finds the same kind of table
  return { label, seconds, sentSeconds: times.sent, updateSeconds: c.statementSeconds, cpu, cpuAfterCommit };
}

// Without the snapshot part, the targets get the source's rows here (table made from the source's DDL if missing).
async function copyOver(x: Ctx, targetUrl: string): Promise<void> {
  const has = await withPg(targetUrl, async (c) => (await c.query("SELECT to_regclass('public.orders') IS NOT NULL AS t")).rows[0].t as boolean);
  if (!has) await sh(`${shq(x.bin('pg_dump'))} -s -t public.orders ${shq(x.sourceUrl)} | ${shq(x.bin('psql'))} ${shq(targetUrl)} -X -q -v ON_ERROR_STOP=1`);
  await withPg(targetUrl, (c) => c.query('TRUNCATE public.orders'));
  await psqlPipe(x.bin('psql'), x.sourceUrl, targetUrl, 'public.orders');
}

async function stream(x: Ctx): Promise<Pick<Figures, 'apply' | 'latency'>> {
  const apply: Figures['apply'] = [];
  const latency: Figures['latency'] = [];
  const lat = async (label: string, targetUrl: string) => {
    const stop = x.meter();
    const t0 = performance.now();
    const run = await measureLatency({ pgbench: x.bin('pgbench'), dir: x.dir, sourceUrl: x.sourceUrl, targetUrl, rate: RATE, seconds: SECONDS, pollMs: LATENCY_POLL_MS });
    const cpu = stop();
    const wall = (performance.now() - t0) / 1000;
    log(`latency ${label}: p50 ${fmt(run.p50)} ms, p99 ${fmt(run.p99)} ms, max ${fmt(run.max)} ms over ${int(run.rows)} rows (pgbench ${fmt(run.tps)} tps) cpu ${syncCpuLine(cpu)}`);
    latency.push({ label, run, cpu, wall });
  };

  // Sluice: an incremental sync into the target that holds the snapshot's rows.
  if (!runs('snapshot')) await copyOver(x, x.targets.sluice);
  const created = await x.syncs.create('incremental', ['public.orders', 'public.ticks']);
  const v = await x.syncs.until(created.id, async (s) => s.state === 'Running' && s.phase === 'streaming' && !!s.slot && (await slotActive(x.sourceUrl, s.slot.name)), 'streaming');
  const slot = v.slot!.name;
  log(`Sluice sync ${v.id} streaming from slot ${slot}`);
  if (runs('apply')) {
    apply.push(await bigUpdate(x, 'Sluice', (c) => [
      { name: 'sent', url: x.sourceUrl, sql: SENT_SQL, params: [slot, c.endLsn] },
      { name: 'applied', url: x.targets.sluice, sql: 'SELECT lsn >= $2::pg_lsn AS done FROM _sluice.sync_watermarks WHERE job_id = $1', params: [v.id, c.endLsn] },
    ]));
    await expectSameRows('Sluice apply', x.sourceUrl, x.targets.sluice, 'public.orders');
  }
  if (runs('latency')) await lat('Sluice', x.targets.sluice);
  await x.syncs.remove(v, x.sourceUrl);

  // Native: a subscription without initial copy into the target that holds its own initial copy's rows.
  if (!runs('snapshot')) await copyOver(x, x.targets.native);
  const sub = await subscribe({ sourceUrl: x.sourceUrl, targetUrl: x.targets.native, name: 'bench_native', publication: PUB_STREAM, copyData: false });
  stops.push({ name: 'native subscription', run: () => sub.drop() });
  for (let i = 0; !(await slotActive(x.sourceUrl, sub.name)); i++) {
    if (i > 300) throw new Error('the native subscription did not start streaming in 30 s');
    await sleep(100);
  }
  if (runs('apply')) {
    apply.push(await bigUpdate(x, 'native subscription', (c) => [
      { name: 'sent', url: x.sourceUrl, sql: SENT_SQL, params: [sub.name, c.endLsn] },
      {
        name: 'applied', url: x.targets.native, params: [sub.name, c.endLsn],
        sql: `SELECT remote_lsn >= $2::pg_lsn AS done FROM pg_replication_origin_status
               WHERE external_id = 'pg_' || (SELECT oid FROM pg_subscription WHERE subname = $1)`,
      },
    ]));
    await expectSameRows('native apply', x.sourceUrl, x.targets.native, 'public.orders');
  }
  if (runs('latency')) await lat('native subscription', x.targets.native);
  stops.pop();
  await sub.drop();

  if (runs('apply')) {
    // pg_recvlogical: one slot streamed live (timed like the others: commit → its walsender has sent the
    // commit), one read afterwards from its start to the commit (--endpos), which also decodes what the live
    // consumers decoded while the UPDATE ran.
    const r: Recvlogical = { pg: x.bin('pg_recvlogical'), sourceUrl: x.sourceUrl, publication: PUB_STREAM };
    await withPg(x.sourceUrl, async (c) => {
      for (const s of ['bench_recv_live', 'bench_recv_after']) await c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [s]);
    });
    stops.push({ name: 'pg_recvlogical slots', run: () => Promise.all(['bench_recv_live', 'bench_recv_after'].map((s) => dropSlot(x.sourceUrl, s))) });
    const live = recvLogicalLive(r, 'bench_recv_live');
    stops.push({ name: 'pg_recvlogical', run: () => live.stop() });
    for (let i = 0; !(await slotActive(x.sourceUrl, 'bench_recv_live')); i++) {
      if (i > 300) throw new Error('pg_recvlogical did not start streaming in 30 s');
      await sleep(100);
    }
    let end = '';
    apply.push(await bigUpdate(x, 'pg_recvlogical (live, decoding only)', (c) => {
      end = c.endLsn;
      return [{ name: 'sent', url: x.sourceUrl, sql: SENT_SQL, params: ['bench_recv_live', c.endLsn] }];
    }));
    await live.stop();
    const stop = x.meter();
    const after = await recvLogicalTo(r, 'bench_recv_after', end);
    const cpu = stop();
    log(`apply pg_recvlogical --endpos: ${fmt(after.seconds, 2)} s spawn → exit cpu ${syncCpuLine(cpu)}`);
    apply.push({ label: 'pg_recvlogical --endpos (afterwards, decoding only)', seconds: after.seconds, sentSeconds: after.seconds, updateSeconds: 0, cpu, cpuAfterCommit: cpu });
  }
  return { apply, latency };
}

// The code measured: its commit, marked when tracked files differed from it (others' work in progress).
function codeVersion(): string {
  try {
    return `git ${execFileSync('git', ['describe', '--always', '--dirty= + uncommitted changes'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()}`;
  } catch {
    return 'unknown (no git)';
  }
}

// ---- main ---------------------------------------------------------------------------------------------------
async function main() {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0];
  const code = codeVersion();
  const dir = mkdtempSync(join(os.tmpdir(), 'sluice-bench-sync-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root
  stops.push({ name: 'temp dir', run: () => rmSync(dir, { recursive: true, force: true }) });

  const stack = await startStack(dir, undefined, log);
  stops.push({ name: 'stack', run: () => stack.stop() });
  const { sourceUrl, targetUrl } = stack.info;
  const admin = sourceUrl.replace(/\/source$/, '/postgres');
  const targets = { sluice: targetUrl, native: sourceUrl.replace(/\/source$/, '/target_native'), copy: sourceUrl.replace(/\/source$/, '/target_copy') };
  const bins = await ensureBinaries(log);
  const bin = (name: string) => join(bins.pgBinDir, name);

  log(`seeding public.orders with ${int(ROWS)} rows…`);
  const seedStart = performance.now();
  await seedOrders(sourceUrl, ROWS, 'orders');
  const pgVersion = await withPg(sourceUrl, async (c) => {
    await c.query(TICKS_DDL);
    await c.query('VACUUM (ANALYZE) public.orders');
    await c.query(`CREATE PUBLICATION ${PUB_SNAPSHOT} FOR TABLE public.orders`);
    await c.query(`CREATE PUBLICATION ${PUB_STREAM} FOR TABLE public.orders, public.ticks`);
    return (await c.query<{ v: string }>("SELECT 'PostgreSQL ' || current_setting('server_version') AS v")).rows[0].v;
  });
  // The native and psql targets get the source's own DDL (primary key included), as a DBA would make them.
  for (const t of [targets.native, targets.copy]) {
    await ensureDatabase(admin, t.slice(t.lastIndexOf('/') + 1));
    await sh(`${shq(bin('pg_dump'))} -s -t public.orders -t public.ticks ${shq(sourceUrl)} | ${shq(bin('psql'))} ${shq(t)} -X -q -v ON_ERROR_STOP=1`);
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  log(`seeded in ${fmt(seedSeconds)} s`);

  const keyRing = newKeyRingText('bench');
  const workerEnvBase = { ...process.env, ...stackEnv(stack.info, { SLUICE_LOG_LEVEL: 'warn', SLUICE_SECRET_KEYS: keyRing }) };
  const config = loadConfig(workerEnvBase);
  const rt = await createRuntime(config);
  stops.push({ name: 'runtime', run: () => rt.close() });
  const apiKey = await seedTenant(rt, { tenantId: 'bench', sourceName: 'bench', sourceUrl, target: { name: 'bench-target', url: targetUrl } });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  stops.push({ name: 'Temporal connection', run: () => connection.close() });
  const { app, pools } = createApiApp(rt, new TemporalClient({ connection, namespace: config.TEMPORAL_NAMESPACE }));
  stops.push({ name: 'API pools', run: () => pools.end() });
  const server = await new Promise<Server>((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  stops.push({ name: 'API', run: () => new Promise<void>((ok) => server.close(() => ok())) });
  const http = new SluiceHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey);

  const profileDir = process.env.BENCH_WORKER_CPU_PROFILE;
  const worker = startWorker(workerEnvBase, join(dir, 'worker.log'), profileDir);
  stops.push({ name: 'worker', run: () => worker.stop() });
  log(`worker started (pid ${worker.child.pid}, log ${worker.logFile})`);
  const x: Ctx = { syncs: new Syncs(http, worker.logFile), meter: syncCpuMeter(worker.child.pid!), bin, dir, sourceUrl, targets };

  // A small full sync first, discarded: the worker's start-up (workflow bundle) is not in any figure.
  await seedOrders(sourceUrl, 10_000, 'orders_warmup');
  const warm = await x.syncs.create('full', ['public.orders_warmup']);
  await x.syncs.remove(await x.syncs.until(warm.id, (v) => v.state === 'Succeeded', 'Succeeded'), sourceUrl);
  log('warm-up sync done');

  const snap = runs('snapshot') ? await snapshot(x) : undefined;
  const streamed = runs('apply') || runs('latency') ? await stream(x) : { apply: [], latency: [] };

  const settings = { snapshotParallelism: 2, rowsPerRange: 250_000, batchSize: 10_000, SLUICE_WORKER_ACTIVITY_SLOTS: config.SLUICE_WORKER_ACTIVITY_SLOTS };
  const section = syncReport({
    date: new Date(), code, rows: ROWS, updateRows: UPDATE_ROWS, rate: RATE, seconds: SECONDS, repeats: REPEATS, settings, pgVersion, seedSeconds,
    totalSeconds: (performance.now() - started) / 1000, load: [loadAtStart, os.loadavg()[0]], only: ONLY ? [...ONLY] : null,
    figures: { snapshot: snap, apply: streamed.apply, latency: streamed.latency },
  });
  console.log('\n' + section);
  if (process.env.BENCH_NO_APPEND === '1' || profileDir) {
    log(`not appended to BENCHMARKS.md (${profileDir ? 'profiled run' : 'BENCH_NO_APPEND=1'})`);
    return;
  }
  appendFileSync(join(root, 'BENCHMARKS.md'), '\n' + section);
  log('appended to BENCHMARKS.md');
}

main()
  .then(() => stopAll())
  .then(() => process.exit(0))
  .catch(async (err) => {
    console.error('[bench] FAILED:', err);
    await stopAll();
    process.exit(1);
  });
