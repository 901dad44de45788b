// `npm run bench:extract`: how fast Sluice extracts a table to S3 compared with plain `psql COPY … TO STDOUT`,
// and how much memory the extraction worker uses. Starts a throwaway stack (PostgreSQL, Temporal, MinIO) in a
// temp dir, seeds public.orders (BENCH_ROWS, default 2,000,000), runs the extraction worker as its own process
// (so its memory is its own) and the API in this process, times jobs end to end over HTTP and the psql
// baseline in the same run, prints the figures and appends them to BENCHMARKS.md. Two more parts in the same
// run: inline answers of 50,000 rows against psql COPY of the same rows (bench/inline.ts), and tiny jobs from
// submit to Completed with a breakdown of where their time goes (bench/tiny-job.ts). Tuning knobs
// (SLUICE_PART_ROWS, SLUICE_PART_PARALLELISM, SLUICE_GZIP_LEVEL, SLUICE_INLINE_*, …) are read from the
// environment as usual.
// For experiments: BENCH_ONLY=extract,inline,tiny runs only the parts named (BENCH_ONLY=inline,tiny skips the
// long whole-table jobs; BENCH_ROWS=100000 then also seeds faster); BENCH_POLL_MS (default 100);
// BENCH_INLINE_ROWS (default 50000, at most BENCH_ROWS), BENCH_INLINE_REPEATS (default 11); BENCH_TINY_REPEATS
// (default 20), BENCH_TINY_POLL_MS (default 20); BENCH_CASES=csv-gzip,csv,csv-zstd,parquet,parquet-zstd,parquet-snappy the
// whole-table cases to run (default all); BENCH_BIG_ROWS (default 10,000,000; 0 skips it) the rows of the one
// CSV + gzip job that follows them, for the worker's peak memory and CPU at that size; BENCH_WORKER_CPU_PROFILE=<dir> writes a CPU profile of the
// worker (bench/cpu-profile.cjs) when the bench stops it — the profiler slows the worker, so such a run's figures
// are not comparable; BENCH_NO_APPEND=1 prints the section without appending it to BENCHMARKS.md.
import { Client, Connection } from '@temporalio/client';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client as PgClient } from 'pg';
import { ensureBinaries } from '../dev/binaries';
import type { Compression, Format } from '../domain/extraction-request';
import { seedOrders, seedTenant } from '../dev/seed';
import { newKeyRingText } from '../store/secret-box';
import { stackEnv, startStack } from '../dev/stack';
import { loadConfig } from '../workers/config';
import { createApiApp } from '../workers/api-app';
import { createRuntime } from '../workers/runtime';
import { psqlCopy, type CopyRun } from './clients';
import { SluiceHttp } from './http';
import { childrenOf, commandOf, machineCpu, processCpu, threadCpuByName, treeCpuSeconds, TreeMemorySampler, workerProcess, type ProcMemory } from './proc';
import { INLINE_ROWS, inlineReport, measureInline, type InlineResult } from './inline';
import { measureTinyJobs, tinyJobReport, type TinyResult } from './tiny-job';
import { fmt, int, log, mb, median, mib, sleep, tail } from './util';

const root = resolve(__dirname, '..');
const ROWS = Number(process.env.BENCH_ROWS ?? 2_000_000);
const REPEATS = 3;
const WARMUP_ROWS = 10_000;
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 100);
const JOB_TIMEOUT_MS = Number(process.env.BENCH_JOB_TIMEOUT_MS ?? 30 * 60_000);
const PARTS = ['extract', 'inline', 'tiny'] as const;
type Part = (typeof PARTS)[number];
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((p) => p.trim())) : null;
const runs = (part: Part) => !ONLY || ONLY.has(part);
const ALL_CASES: { name: string; label: string; format: Format; compression: Compression }[] = [
  { name: 'csv-gzip', label: 'CSV + gzip', format: 'csv', compression: 'gzip' },
  { name: 'csv', label: 'CSV (no compression)', format: 'csv', compression: 'none' },
  { name: 'csv-zstd', label: 'CSV + zstd', format: 'csv', compression: 'zstd' },
  { name: 'parquet', label: 'Parquet (GZIP inside)', format: 'parquet', compression: 'gzip' },
  { name: 'parquet-zstd', label: 'Parquet (ZSTD inside)', format: 'parquet', compression: 'zstd' },
  { name: 'parquet-snappy', label: 'Parquet (SNAPPY inside)', format: 'parquet', compression: 'snappy' },
];
const CASES = process.env.BENCH_CASES ? ALL_CASES.filter((c) => process.env.BENCH_CASES!.split(',').includes(c.name)) : ALL_CASES;
// One CSV + gzip job of this many rows after the cases, for the worker's memory (flat in rows?) and CPU per row.
const BIG_ROWS = Number(process.env.BENCH_BIG_ROWS ?? 10_000_000);
// The issue's goals for the worker's CPU seconds at 2M rows (set on a day when the psql | gzip -1 pipeline took
// 2.38 CPU-s): shown with this run's baseline pipeline CPU, which says how fast the machine is today.
const WORKER_CPU_GOALS: Partial<Record<string, number>> = { 'csv-gzip': 2.4, csv: 1.0 };
const PARQUET_TIME_GOAL = 2.0; // × the gzip baseline's time

// ---- cleanup: everything started is stopped, in reverse order, on success, failure or a signal ----------
const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (err) {
        console.error(`[bench] stopping ${c.name} failed:`, err);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- the worker process ---------------------------------------------------------------------------------
interface WorkerProc {
  child: ChildProcess;
  /** The shell command it was started with. */
  command: string;
  logFile: string;
  exited(): string | null;
  stop(): Promise<void>;
}

// The worker as production runs it: package.json's start:worker (the compiled code with its prebuilt workflow
// bundle and the worker's memory settings), built now from this checkout (npm run build), on this process's Node.
function startWorker(env: NodeJS.ProcessEnv, logFile: string): WorkerProc {
  log('npm run build…');
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build failed\n${stdout ?? ''}${stderr ?? ''}`);
  }
  const out = openSync(logFile, 'a');
  // Its own process group, so stopping it reaches whatever it starts as well.
  // The script ends in `exec node …`: the pid spawned is the worker's own.
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:worker'];
  const path = `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}`;
  log(`worker: ${script}`);
  const child = spawn('sh', ['-c', script], { cwd: root, env: { ...env, PATH: path }, stdio: ['ignore', out, out], detached: true });
  const pid = child.pid!;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  let exit: string | null = null;
  const exitedP = new Promise<void>((ok) => child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `code ${code}`;
    ok();
  }));
  return {
    child, command: script, logFile,
    exited: () => exit,
    async stop() {
      if (exit === null) {
        killGroup('SIGTERM'); // the Temporal worker shuts down gracefully on SIGTERM
        const timer = setTimeout(() => killGroup('SIGKILL'), 20_000);
        await exitedP;
        clearTimeout(timer);
      }
      killGroup('SIGKILL'); // anything left in the group
      process.off('exit', onExit);
    },
  };
}

// ---- CPU time per component -------------------------------------------------------------------------------
// Where a run's CPU goes: each stack service's process tree (PostgreSQL counts its backends), the worker, this
// process (API, polling, sampling), the psql | gzip pipeline (this process's reaped children), and whatever
// else ran on the machine meanwhile (its busy time minus ours) — other work competes for the same CPUs.
const CPU_PARTS = ['worker', 'postgres', 'minio', 'temporal', 'bench', 'pipeline', 'others', 'steal'] as const;
type CpuPart = (typeof CPU_PARTS)[number];
// The worker's CPU by thread: its main thread (JavaScript, socket reads and writes), libuv's pool (zlib), V8's
// helpers (GC, compilers) and the rest (the Temporal core's runtime); and its child processes (DuckDB's).
const THREAD_PARTS = ['main', 'pool', 'v8', 'other', 'children'] as const;
type ThreadPart = (typeof THREAD_PARTS)[number];
const THREAD_LABELS: Record<ThreadPart, string> = { main: 'main thread', pool: 'libuv pool (zlib)', v8: 'V8 helpers (GC)', other: 'other threads (Temporal core)', children: "DuckDB's process" };
const threadPart = (name: string): ThreadPart => (name === 'main' ? 'main' : name === 'libuv-worker' ? 'pool' : name === 'node' ? 'v8' : 'other');
type Cpu = Record<CpuPart, number> & { threads: Record<ThreadPart, number> };
const CPU_LABELS: Record<CpuPart, string> = {
  worker: 'worker', postgres: 'PostgreSQL', minio: 'MinIO', temporal: 'Temporal', bench: 'API+bench', pipeline: 'psql + gzip',
  others: 'other processes', steal: 'stolen (VM)',
};

type CpuMeter = () => () => Cpu;
const cpuLine = (c: Cpu) => `${CPU_PARTS.map((k) => `${k} ${fmt(c[k], 2)}`).join(', ')} (worker: ${THREAD_PARTS.map((k) => `${k} ${fmt(c.threads[k], 2)}`).join(', ')})`;

function cpuMeter(workerPid: number): CpuMeter {
  const roots: Partial<Record<'postgres' | 'minio' | 'temporal', number>> = {};
  for (const pid of childrenOf(process.pid)) {
    const cmd = commandOf(pid);
    if (/\/postgres( |$)/.test(cmd)) roots.postgres = pid;
    else if (/minio server/.test(cmd)) roots.minio = pid;
    else if (/temporal\S* server start-dev/.test(cmd)) roots.temporal = pid;
  }
  for (const name of ['postgres', 'minio', 'temporal'] as const) if (!roots[name]) log(`warning: no ${name} process found; its CPU time reads 0`);
  const read = () => {
    const self = processCpu(process.pid);
    const m = machineCpu();
    const tree = (pid?: number) => (pid ? treeCpuSeconds(pid) : 0);
    const threads: Record<ThreadPart, number> = { main: 0, pool: 0, v8: 0, other: 0, children: 0 };
    for (const [name, seconds] of threadCpuByName(workerPid)) threads[threadPart(name)] += seconds;
    const worker = tree(workerPid);
    threads.children = worker - processCpu(workerPid).own;
    return {
      worker, postgres: tree(roots.postgres), minio: tree(roots.minio), temporal: tree(roots.temporal),
      bench: self.own, pipeline: self.reaped, busy: m.busy, steal: m.steal, threads,
    };
  };
  return () => {
    const a = read();
    return () => {
      const b = read();
      const d = (k: Exclude<keyof typeof a, 'threads'>) => Math.max(0, b[k] - a[k]);
      const threads = Object.fromEntries(THREAD_PARTS.map((k) => [k, Math.max(0, b.threads[k] - a.threads[k])])) as Record<ThreadPart, number>;
      const ours = d('worker') + d('postgres') + d('minio') + d('temporal') + d('bench') + d('pipeline');
      return {
        worker: d('worker'), postgres: d('postgres'), minio: d('minio'), temporal: d('temporal'), bench: d('bench'), pipeline: d('pipeline'),
        others: Math.max(0, d('busy') - ours), steal: d('steal'), threads,
      };
    };
  };
}

// ---- Sluice jobs over HTTP --------------------------------------------------------------------------------
interface JobView {
  id: string;
  state: string;
  progress: { rowsDone: number; bytesDone: number; partsDone: number; partsTotal: number | null };
  plan: { strategy: string; parts: number } | null;
  timings: { queuedMs: number; runningMs: number | null };
  error: unknown;
}

interface SluiceRun {
  seconds: number;
  rows: number;
  bytes: number;
  strategy: string;
  parts: number;
  queuedMs: number;
  runningMs: number;
  cpu: Cpu;
  /** Highest sampled RSS of the worker's node process during this job, kB. */
  workerRssKb: number;
}

class Api {
  constructor(private readonly http: SluiceHttp, private readonly worker: WorkerProc, private readonly meter: CpuMeter,
    private readonly workerPeak: () => number) {}

  /** Submit → Completed, timed end to end; the job and its files are deleted afterwards (not timed). */
  async extract(table: string, format: Format, compression: Compression, expectRows: number): Promise<SluiceRun> {
    const stopCpu = this.meter();
    const t0 = performance.now();
    const { id } = await this.http.json<{ id: string }>('POST', '/v1/extractions', 202, { source: 'bench', table, format, compression, mode: 'job' });
    let job: JobView;
    for (;;) {
      await sleep(POLL_MS);
      job = await this.http.json<JobView>('GET', `/v1/jobs/${id}`, 200);
      if (job.state === 'Completed') break;
      if (job.state === 'Failed' || job.state === 'Cancelled') {
        throw new Error(`job ${id} ${job.state}: ${JSON.stringify(job.error)}\n--- worker log (tail) ---\n${tail(this.worker.logFile)}`);
      }
      const exit = this.worker.exited();
      if (exit) throw new Error(`the worker exited (${exit}) while job ${id} was ${job.state}\n--- worker log (tail) ---\n${tail(this.worker.logFile)}`);
      if (performance.now() - t0 > JOB_TIMEOUT_MS) throw new Error(`job ${id} still ${job.state} after ${JOB_TIMEOUT_MS} ms`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = stopCpu();
    const workerRssKb = this.workerPeak();
    if (job.progress.rowsDone !== expectRows) throw new Error(`job ${id} completed with ${job.progress.rowsDone} rows, expected ${expectRows}`);
    await this.http.json('DELETE', `/v1/jobs/${id}`, 204);
    return {
      seconds, rows: job.progress.rowsDone, bytes: job.progress.bytesDone,
      strategy: job.plan?.strategy ?? '?', parts: job.plan?.parts ?? job.progress.partsTotal ?? 0,
      queuedMs: job.timings.queuedMs, runningMs: job.timings.runningMs ?? 0, cpu, workerRssKb,
    };
  }
}

// ---- the psql baseline -----------------------------------------------------------------------------------
interface BaselineRun extends CopyRun {
  cpu: Cpu;
}

async function baseline(meter: CpuMeter, psql: string, sourceUrl: string, table: string, gzip: boolean, file: string): Promise<BaselineRun> {
  const stopCpu = meter();
  const run = await psqlCopy({ psql, sourceUrl, copy: `COPY (SELECT * FROM ${table}) TO STDOUT CSV`, gzip, file });
  // psql's backend exits when psql does; until PostgreSQL reaps it, its CPU time shows nowhere in /proc.
  await sleep(300);
  const cpu = stopCpu();
  rmSync(file, { force: true });
  return { ...run, cpu };
}

// ---- jobs of the whole table against psql COPY -------------------------------------------------------------
interface ExtractionSetup {
  http: SluiceHttp;
  worker: WorkerProc;
  meter: CpuMeter;
  psql: string;
  sourceUrl: string;
  dir: string;
}

// Samples the worker's memory while this part runs, and not after: the sampler runs in this process, which is
// also the API that answers inline.
async function measureExtraction({ http, worker, meter, psql, sourceUrl, dir }: ExtractionSetup): Promise<Extraction> {
  const sampler = new TreeMemorySampler(worker.child.pid!);
  sampler.start();
  cleanups.push({ name: 'sampler', run: () => sampler.stop() });
  let workerPid: number | undefined; // the node process under the tsx launcher, known after the warm-up
  const api = new Api(http, worker, meter, () => (workerPid ? sampler.takePeak(workerPid) : 0));

  log('warm-up jobs (discarded)…');
  const warmStart = performance.now();
  await api.extract('public.orders_warmup', 'csv', 'gzip', WARMUP_ROWS);
  await api.extract('public.orders_warmup', 'csv', 'none', WARMUP_ROWS);
  await api.extract('public.orders_warmup', 'parquet', 'gzip', WARMUP_ROWS);
  log(`warm-up done in ${fmt((performance.now() - warmStart) / 1000)} s (includes the worker's start-up)`);

  const afterWarmup = sampler.sample();
  const workerProc = workerProcess(afterWarmup, 'workers/extraction');
  for (const p of afterWarmup) log(`  worker tree: pid ${p.pid} (parent ${p.ppid}) rss ${fmt(mib(p.rssKb), 0)} MiB, peak ${fmt(mib(p.hwmKb), 0)} MiB: ${p.cmd.slice(0, 140)}`);
  if (!workerProc) throw new Error('could not find the worker process under /proc');
  const lifetimeHwmKb = workerProc.hwmKb;
  workerPid = workerProc.pid;
  const resetOk = sampler.reset();

  const cases: CaseResult[] = CASES.map((c) => ({ ...c, sluice: [], base: [] }));
  for (const c of cases) {
    for (let i = 1; i <= REPEATS; i++) {
      const s = await api.extract('public.orders', c.format, c.compression, ROWS);
      c.sluice.push(s);
      log(`${c.label} #${i}: Sluice ${fmt(s.seconds, 2)} s (queued ${fmt(s.queuedMs / 1000, 2)} s, running ${fmt(s.runningMs / 1000, 2)} s; ${s.strategy}, ${s.parts} parts, ${fmt(mb(s.bytes))} MB; worker RSS ≤ ${fmt(mib(s.workerRssKb), 0)} MiB) cpu ${cpuLine(s.cpu)}`);
      const b = await baseline(meter, psql, sourceUrl, 'public.orders', c.compression !== 'none', join(dir, `baseline.csv${c.compression !== 'none' ? '.gz' : ''}`));
      c.base.push(b);
      log(`${c.label} #${i}: baseline ${fmt(b.seconds, 2)} s (${fmt(mb(b.bytes))} MB) cpu ${cpuLine(b.cpu)}`);
    }
  }

  const end = sampler.sample();
  const workerAtEnd = end.find((p) => p.pid === workerProc.pid);
  if (!workerAtEnd) throw new Error(`the worker process ${workerProc.pid} is gone\n${tail(worker.logFile)}`);
  const memory: Memory = {
    worker: workerAtEnd,
    startupHwmKb: lifetimeHwmKb,
    lifetimeHwmKb: Math.max(lifetimeHwmKb, workerAtEnd.hwmKb),
    timedHwmKb: resetOk ? workerAtEnd.hwmKb : null,
    timedTreePeakKb: sampler.peakTreeRssKb,
    treeAtEnd: end,
  };
  // After the cases' memory is read: it resets the worker's VmHWM for a window of its own.
  const big = BIG_ROWS > 0 ? await measureBig({ api, meter, psql, sourceUrl, dir, sampler, workerPid: workerProc.pid }) : undefined;
  sampler.stop();
  return { cases, memory, big };
}

// One CSV + gzip job of BIG_ROWS rows and its baseline, with the worker's VmHWM reset just before the job: its
// peak memory at that size, against the 2M-row jobs'.
async function measureBig(o: { api: Api; meter: CpuMeter; psql: string; sourceUrl: string; dir: string; sampler: TreeMemorySampler; workerPid: number }): Promise<BigRun> {
  log(`seeding public.orders_big with ${int(BIG_ROWS)} rows…`);
  await seedOrders(o.sourceUrl, BIG_ROWS, 'orders_big');
  const pg = new PgClient({ connectionString: o.sourceUrl });
  await pg.connect();
  try {
    await pg.query('VACUUM (ANALYZE) public.orders_big');
    const resetOk = o.sampler.reset();
    const startRssKb = o.sampler.sample().find((p) => p.pid === o.workerPid)?.rssKb ?? null;
    const sluice = await o.api.extract('public.orders_big', 'csv', 'gzip', BIG_ROWS);
    const hwmKb = resetOk ? o.sampler.sample().find((p) => p.pid === o.workerPid)?.hwmKb ?? null : null;
    const treePeakKb = o.sampler.peakTreeRssKb;
    log(`CSV + gzip, ${int(BIG_ROWS)} rows: Sluice ${fmt(sluice.seconds, 2)} s (${sluice.parts} parts), worker peak ${hwmKb === null ? 'n/a' : fmt(mib(hwmKb), 0)} MiB, cpu ${cpuLine(sluice.cpu)}`);
    const base = await baseline(o.meter, o.psql, o.sourceUrl, 'public.orders_big', true, join(o.dir, 'baseline-big.csv.gz'));
    log(`CSV + gzip, ${int(BIG_ROWS)} rows: baseline ${fmt(base.seconds, 2)} s, cpu ${cpuLine(base.cpu)}`);
    return { sluice, base, hwmKb, startRssKb, treePeakKb };
  } finally {
    await pg.query('DROP TABLE public.orders_big').catch(() => undefined);
    await pg.end();
  }
}

// The code measured: commit, and whether tracked files differed from it (other work in progress).
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
    return `git ${git('rev-parse', '--short', 'HEAD')}${changed ? ` + uncommitted changes in ${changed} tracked file(s)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

// ---- report ----------------------------------------------------------------------------------------------
interface CaseResult {
  name: string;
  label: string;
  format: Format;
  compression: Compression;
  sluice: SluiceRun[];
  base: BaselineRun[];
}

interface Memory {
  worker: ProcMemory | undefined;
  startupHwmKb: number;
  lifetimeHwmKb: number;
  timedHwmKb: number | null;
  timedTreePeakKb: number;
  treeAtEnd: ProcMemory[];
}

interface BigRun {
  sluice: SluiceRun;
  base: BaselineRun;
  /** The worker's VmHWM over the big job alone, kB (null when it could not be reset). */
  hwmKb: number | null;
  /** The worker's RSS as the job began, kB: what the jobs before it left. */
  startRssKb: number | null;
  /** The worker's process tree (DuckDB's process, if one was running), sampled peak over the job, kB. */
  treePeakKb: number;
}

interface Extraction {
  cases: CaseResult[];
  memory: Memory;
  big?: BigRun;
}

function report(o: {
  date: Date; code: string; rows: number; settings: Record<string, number>; workerCommand: string; pgVersion: string; seedSeconds: number; totalSeconds: number; load: [number, number];
  extraction?: Extraction; inline?: InlineResult; tiny?: TinyResult;
}): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const lines: string[] = [];
  lines.push(`## ${o.date.toISOString().slice(0, 16).replace('T', ' ')} UTC — extraction, ${int(o.rows)} rows${ONLY ? ` (BENCH_ONLY=${[...ONLY].join(',')})` : ''}`, '');
  lines.push(`- Machine: ${os.availableParallelism()} CPUs (${cpu}), ${fmt(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${o.pgVersion}, Linux ${os.release()}`);
  lines.push(`- Load average (1 min) at start ${fmt(o.load[0], 2)}, at end ${fmt(o.load[1], 2)} (other processes on the machine compete for the same CPUs)`);
  lines.push(`- Code: ${o.code}`);
  lines.push(`- Settings: ${Object.entries(o.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  lines.push(`- Worker: \`${o.workerCommand}\` (package.json start:worker)`);
  const first = o.extraction?.cases[0]?.sluice[0];
  lines.push(`- Table: public.orders (dev/seed.ts), ${int(o.rows)} rows;${first ? ` plan: ${first.strategy}, ${first.parts} parts;` : ''} seeding took ${fmt(o.seedSeconds)} s; whole bench ${fmt(o.totalSeconds, 0)} s`);
  if (o.extraction) lines.push(...extractionLines(o.rows, o.extraction));
  if (o.inline) lines.push('', ...inlineReport(o.inline));
  if (o.tiny) lines.push('', ...tinyJobReport(o.tiny));
  return lines.join('\n') + '\n';
}

function extractionLines(rows: number, { cases, memory: m, big }: Extraction): string[] {
  const lines: string[] = [];
  lines.push(`- Sluice: POST /v1/extractions (the case's format) → GET /v1/jobs/:id polled every ${POLL_MS} ms until Completed; worker in its own process, everything on this machine (PostgreSQL, Temporal dev server, MinIO)`);
  lines.push(`- Baseline: \`psql <source> -X -c "COPY (SELECT * FROM public.orders) TO STDOUT CSV" [| gzip -1] > file\`, same run, same database (\`| gzip -1\` for every compressed case: zstd and Parquet are measured against it)`);
  lines.push(`- Median of ${REPEATS} runs each (runs interleaved Sluice/baseline); MB = 10^6 bytes of output (compressed size for gzip)`, '');
  lines.push('| Case | Sluice s | Sluice rows/s | Sluice MB/s | Baseline s | Baseline rows/s | Baseline MB/s | Sluice time / baseline | Sluice throughput vs baseline | Goal |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of cases) {
    const s = median(c.sluice.map((r) => r.seconds));
    const b = median(c.base.map((r) => r.seconds));
    const sBytes = median(c.sluice.map((r) => r.bytes));
    const bBytes = median(c.base.map((r) => r.bytes));
    const ratio = s / b;
    const goal = c.format === 'parquet'
      ? `time ≤ ${PARQUET_TIME_GOAL}× gzip's: ${ratio <= PARQUET_TIME_GOAL ? 'met' : 'NOT met'}`
      : c.compression === 'gzip'
        ? `time ≤ 1.0×: ${ratio <= 1 ? 'met' : 'NOT met'}`
        : c.compression === 'none' ? `throughput ≥ 70% of plain COPY: ${1 / ratio >= 0.7 ? 'met' : 'NOT met'}` : '—';
    lines.push(`| ${c.label} | ${fmt(s, 2)} | ${int(rows / s)} | ${fmt(mb(sBytes) / s)} | ${fmt(b, 2)} | ${int(rows / b)} | ${fmt(mb(bBytes) / b)} | ${fmt(ratio, 2)}× | ${fmt(100 / ratio, 0)}% | ${goal} |`);
  }
  lines.push('');
  const timed = m.timedHwmKb !== null ? `${fmt(mib(m.timedHwmKb), 0)} MiB during the timed jobs (VmHWM, reset after the warm-up)` : 'n/a (VmHWM could not be reset)';
  lines.push(`- Worker peak RSS: ${timed}; ${fmt(mib(m.startupHwmKb), 0)} MiB after start-up and the warm-up; ${fmt(mib(m.lifetimeHwmKb), 0)} MiB over its whole life; ` +
    `whole process tree peak ${fmt(mib(m.timedTreePeakKb), 0)} MiB sampled every 50 ms during the timed jobs`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const c of cases) {
    const goal = WORKER_CPU_GOALS[c.name];
    if (goal === undefined || rows !== 2_000_000) continue;
    const worker = mean(c.sluice.map((r) => r.cpu.worker));
    const pipeline = mean(c.base.map((r) => r.cpu.pipeline));
    lines.push(`- Worker CPU, ${c.label}: ${fmt(worker, 2)} s per job (goal ≤ ${fmt(goal, 1)} s: ${worker <= goal ? 'met' : 'NOT met'}); this run's baseline psql${c.compression === 'none' ? '' : ' + gzip'} took ${fmt(pipeline, 2)} CPU-s (the worker: ${fmt(worker / pipeline, 2)}× that)`);
  }
  if (big) {
    const ratio = big.sluice.seconds / big.base.seconds;
    lines.push(`- ${int(BIG_ROWS)} rows, CSV + gzip, one run: Sluice ${fmt(big.sluice.seconds, 2)} s (${big.sluice.strategy}, ${big.sluice.parts} parts, ${fmt(mb(big.sluice.bytes), 0)} MB), baseline ${fmt(big.base.seconds, 2)} s (${fmt(ratio, 2)}×); ` +
      `worker peak RSS during it ${big.hwmKb === null ? 'n/a' : `${fmt(mib(big.hwmKb), 0)} MiB`} (VmHWM reset before it${big.startRssKb === null ? '' : `, when the worker held ${fmt(mib(big.startRssKb), 0)} MiB`}; its process tree ${fmt(mib(big.treePeakKb), 0)} MiB sampled; goal ≤ 300 MiB: ${big.hwmKb !== null && mib(big.hwmKb) <= 300 ? 'met' : 'NOT met'}); worker CPU ${fmt(big.sluice.cpu.worker, 2)} s (${fmt((big.sluice.cpu.worker / BIG_ROWS) * 1e6, 2)} µs per row)`);
  }
  lines.push('- Runs (s, in order):');
  for (const c of cases) {
    const runs = c.sluice.map((r) => `${fmt(r.seconds, 2)} (queued ${fmt(r.queuedMs / 1000, 2)} + running ${fmt(r.runningMs / 1000, 2)}, ${fmt(mb(r.bytes), 0)} MB, worker RSS ≤ ${fmt(mib(r.workerRssKb), 0)} MiB)`).join('; ');
    lines.push(`  - ${c.label}: Sluice ${runs}; baseline ${c.base.map((r) => `${fmt(r.seconds, 2)} (${fmt(mb(r.bytes), 0)} MB)`).join('; ')}`);
  }
  lines.push('', `CPU seconds per run (mean of ${REPEATS}), by process; "use" is our processes' CPU time / (wall time × ${os.availableParallelism()} CPUs):`, '');
  lines.push(`| Run | wall s | ${CPU_PARTS.map((k) => CPU_LABELS[k]).join(' | ')} | ours total | use |`);
  lines.push(`|---|---:|${CPU_PARTS.map(() => '---:|').join('')}---:|---:|`);
  const cpuRow = (label: string, runs: { seconds: number; cpu: Cpu }[]) => {
    const wall = mean(runs.map((r) => r.seconds));
    const part = (k: CpuPart) => mean(runs.map((r) => r.cpu[k]));
    const ours = (['worker', 'postgres', 'minio', 'temporal', 'bench', 'pipeline'] as const).reduce((n, k) => n + part(k), 0);
    lines.push(`| ${label} | ${fmt(wall, 2)} | ${CPU_PARTS.map((k) => fmt(part(k), 2)).join(' | ')} | ${fmt(ours, 2)} | ${fmt((100 * ours) / (wall * os.availableParallelism()), 0)}% |`);
  };
  for (const c of cases) {
    cpuRow(`Sluice ${c.label}`, c.sluice);
    cpuRow(`baseline ${c.label}`, c.base);
  }
  if (big) {
    cpuRow(`Sluice CSV + gzip, ${int(BIG_ROWS)} rows`, [big.sluice]);
    cpuRow(`baseline CSV + gzip, ${int(BIG_ROWS)} rows`, [big.base]);
  }
  lines.push('', `The worker's CPU seconds per Sluice run (mean of ${REPEATS}), by thread:`, '');
  lines.push(`| Run | worker | ${THREAD_PARTS.map((k) => THREAD_LABELS[k]).join(' | ')} |`);
  lines.push(`|---|---:|${THREAD_PARTS.map(() => '---:|').join('')}`);
  const threadRow = (label: string, runs: { cpu: Cpu }[]) =>
    lines.push(`| ${label} | ${fmt(mean(runs.map((r) => r.cpu.worker)), 2)} | ${THREAD_PARTS.map((k) => fmt(mean(runs.map((r) => r.cpu.threads[k])), 2)).join(' | ')} |`);
  for (const c of cases) threadRow(c.label, c.sluice);
  if (big) threadRow(`CSV + gzip, ${int(BIG_ROWS)} rows`, [big.sluice]);
  return lines;
}

// ---- main ------------------------------------------------------------------------------------------------
async function main() {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0];
  const code = codeVersion(); // at start: the worker loads the code it measures now
  if (process.platform !== 'linux') throw new Error('the bench reads worker memory from /proc: Linux only');
  const unknown = [...(ONLY ?? [])].filter((p) => !PARTS.includes(p as Part));
  if (unknown.length) throw new Error(`BENCH_ONLY names no part ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}`);
  if (runs('inline') && ROWS < INLINE_ROWS) throw new Error(`the inline part reads ${INLINE_ROWS} rows of public.orders: BENCH_ROWS must be at least that`);
  const dir = mkdtempSync(join(os.tmpdir(), 'sluice-bench-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root and must reach its data dir
  cleanups.push({ name: 'temp dir', run: () => rmSync(dir, { recursive: true, force: true }) });
  log(`temp dir ${dir}`);

  const stack = await startStack(dir, undefined, log);
  cleanups.push({ name: 'stack', run: () => stack.stop() });
  const { sourceUrl } = stack.info;

  // A fresh stack: a fresh key for its connections.
  const env: NodeJS.ProcessEnv = { ...process.env, ...stackEnv(stack.info, { SLUICE_LOG_LEVEL: 'warn', SLUICE_SECRET_KEYS: newKeyRingText('bench') }) };
  const config = loadConfig(env);

  log(`seeding public.orders with ${int(ROWS)} rows…`);
  const seedStart = performance.now();
  await seedOrders(sourceUrl, ROWS, 'orders');
  await seedOrders(sourceUrl, WARMUP_ROWS, 'orders_warmup');
  const pg = new PgClient({ connectionString: sourceUrl });
  await pg.connect();
  let pgVersion: string;
  try {
    // Sets hint bits and the visibility map now, so neither the first Sluice run nor the first baseline pays for it.
    await pg.query('VACUUM (ANALYZE) public.orders');
    await pg.query('VACUUM (ANALYZE) public.orders_warmup');
    const v = await pg.query<{ v: string }>("SELECT 'PostgreSQL ' || current_setting('server_version') AS v");
    pgVersion = v.rows[0].v;
  } finally {
    await pg.end();
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  log(`seeded in ${fmt(seedSeconds)} s`);

  // The API, in this process.
  const rt = await createRuntime(config);
  cleanups.push({ name: 'runtime', run: () => rt.close() });
  const apiKey = await seedTenant(rt, { tenantId: 'bench', sourceName: 'bench', sourceUrl });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  cleanups.push({ name: 'Temporal connection', run: () => connection.close() });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const { app, pools: apiPools } = createApiApp(rt, temporal);
  cleanups.push({ name: 'API source pools', run: () => apiPools.end() });
  const server = await new Promise<Server>((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  cleanups.push({ name: 'API', run: () => new Promise<void>((ok) => server.close(() => ok())) });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The worker, as its own process.
  const profileDir = process.env.BENCH_WORKER_CPU_PROFILE;
  const workerEnv = profileDir
    ? { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'cpu-profile.cjs')}`.trim(), BENCH_CPU_PROFILE_DIR: resolve(profileDir) }
    : env;
  const worker = startWorker(workerEnv, join(dir, 'worker.log'));
  cleanups.push({ name: 'worker', run: () => worker.stop() });
  log(`worker started (pid ${worker.child.pid}, log ${worker.logFile})`);
  const meter = cpuMeter(worker.child.pid!);
  const http = new SluiceHttp(apiUrl, apiKey);
  const psqlInPg = join((await ensureBinaries(log)).pgBinDir, 'psql');
  const psql = existsSync(psqlInPg) ? psqlInPg : 'psql';

  const extraction = runs('extract') ? await measureExtraction({ http, worker, meter, psql, sourceUrl, dir }) : undefined;
  const inline = runs('inline') ? await measureInline({ apiUrl, apiKey, psql, sourceUrl, dir, config }) : undefined;
  const tiny = runs('tiny') ? await measureTinyJobs({ http, temporal, workerGone: () => worker.exited() }) : undefined;

  const settings = {
    SLUICE_PART_ROWS: config.SLUICE_PART_ROWS,
    SLUICE_PART_PARALLELISM: config.SLUICE_PART_PARALLELISM,
    SLUICE_GZIP_LEVEL: config.SLUICE_GZIP_LEVEL,
    SLUICE_PARQUET_ROW_GROUP_ROWS: config.SLUICE_PARQUET_ROW_GROUP_ROWS,
    SLUICE_WORKER_ACTIVITY_SLOTS: config.SLUICE_WORKER_ACTIVITY_SLOTS,
  };
  const section = report({ date: new Date(), code, rows: ROWS, settings, workerCommand: worker.command, extraction, inline, tiny, pgVersion, seedSeconds, totalSeconds: (performance.now() - started) / 1000, load: [loadAtStart, os.loadavg()[0]] });
  console.log('\n' + section);
  if (process.env.BENCH_NO_APPEND === '1' || profileDir) {
    log(`not appended to BENCHMARKS.md (${profileDir ? 'profiled run' : 'BENCH_NO_APPEND=1'})`);
    return;
  }
  const file = join(root, 'BENCHMARKS.md');
  if (!existsSync(file)) {
    writeFileSync(file, '# Benchmarks\n\nAppended by `npm run bench:extract` (bench/extract.ts); newest last. Each section is one run on the machine it names.\n');
  }
  appendFileSync(file, '\n' + section);
  log(`appended to ${file}`);
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (err) => {
    console.error('[bench] FAILED:', err);
    await cleanup();
    process.exit(1);
  });
