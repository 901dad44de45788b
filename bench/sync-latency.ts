// Commit → visible on the target, under a steady stream of small transactions: pgbench inserts rows into
// public.ticks on the source at a fixed rate (-R), each row stamped with clock_timestamp() by the INSERT itself
// (changed_at), autocommitted at once; meanwhile one session on the target polls for rows it has not seen yet
// and notes each row's statement_timestamp() of the first poll whose snapshot holds it. Latency = that time −
// changed_at; one clock (source and target are databases of one cluster). The poll's snapshot is taken when
// its statement starts, so the figure is at most one poll interval (plus a poll's run time) late.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, withPg } from './sync-native';
import { percentile, shq, sleep } from './util';

export const TICKS_DDL = `CREATE TABLE IF NOT EXISTS public.ticks (
  id bigserial PRIMARY KEY, changed_at timestamptz NOT NULL DEFAULT clock_timestamp(), note text)`;

export interface LatencyRun {
  rows: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** pgbench's own report: transactions per second and its schedule lag (ms) behind the -R timetable. */
  tps: number;
  scheduleLagMs: number | null;
  polls: number;
  pollMs: number;
}

export async function measureLatency(o: { pgbench: string; dir: string; sourceUrl: string; targetUrl: string; rate: number; seconds: number; pollMs: number }): Promise<LatencyRun> {
  const from = await withPg(o.sourceUrl, async (c) => Number((await c.query<{ m: string }>('SELECT coalesce(max(id), 0) AS m FROM public.ticks')).rows[0].m));
  const script = join(o.dir, 'ticks.sql');
  writeFileSync(script, "INSERT INTO public.ticks (note) VALUES ('tick');\n");
  const target = await connect(o.targetUrl);
  const latencies: number[] = [];
  const seen = new Set<number>();
  let low = from; // every id up to here has been seen
  let polls = 0;
  const poll = async () => {
    const r = await target.query<{ id: string; ms: string }>(
      `SELECT id, (extract(epoch FROM statement_timestamp()) - extract(epoch FROM changed_at)) * 1000 AS ms FROM public.ticks WHERE id > $1`, [low]);
    polls++;
    for (const row of r.rows) {
      const id = Number(row.id);
      if (seen.has(id)) continue;
      seen.add(id);
      latencies.push(Number(row.ms));
    }
    while (seen.has(low + 1)) seen.delete(++low);
  };
  try {
    // Clients enough that one slow transaction does not hold the schedule back; -n: no vacuum of pgbench's tables.
    const args = ['-n', '-f', script, '-R', String(o.rate), '-T', String(o.seconds), '-c', '4', '-j', '2', o.sourceUrl];
    const child = spawn(o.pgbench, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((ok, fail) => {
      child.once('error', fail);
      child.once('close', ok);
    });
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      await poll();
      await sleep(o.pollMs);
    }
    if ((await exited) !== 0) throw new Error(`${o.pgbench} ${args.map(shq).join(' ')} failed: ${out}`);
    const total = await withPg(o.sourceUrl, async (c) => Number((await c.query<{ m: string }>('SELECT coalesce(max(id), 0) AS m FROM public.ticks')).rows[0].m));
    const deadline = performance.now() + 60_000;
    while (low < total) {
      if (performance.now() > deadline) throw new Error(`rows ${low + 1}…${total} of public.ticks did not reach the target within 60 s after pgbench ended`);
      await poll();
      await sleep(o.pollMs);
    }
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
    const lag = /rate limit schedule lag: avg ([\d.]+)/.exec(out);
    return {
      rows: latencies.length, p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: Math.max(...latencies),
      tps, scheduleLagMs: lag ? Number(lag[1]) : null, polls, pollMs: o.pollMs,
    };
  } finally {
    await target.end();
  }
}
