// The BENCHMARKS.md section of `npm run bench:sync` (bench/sync.ts): machine, settings, method, the three
// tables against their goals, and the CPU seconds of each measurement by process.
import os from 'node:os';
import { SYNC_CPU_LABELS, SYNC_CPU_PARTS, type SyncCpu } from './sync-cpu';
import type { LatencyRun } from './sync-latency';
import { fmt, int, median } from './util';

export interface Timed {
  seconds: number;
  cpu: SyncCpu;
  detail: string;
}

export interface ApplyRun {
  label: string;
  /** From the UPDATE's commit until the consumer passed its commit LSN (applied; for pg_recvlogical, sent). */
  seconds: number;
  /** From the commit until the consumer's walsender had decoded and sent the commit. */
  sentSeconds: number;
  updateSeconds: number;
  cpu: SyncCpu;
  cpuAfterCommit: SyncCpu;
}

export interface Figures {
  snapshot?: { sluice: Timed[]; native: Timed[]; pipe: Timed[] };
  apply: ApplyRun[];
  latency: { label: string; run: LatencyRun; cpu: SyncCpu; wall: number }[];
}

interface ReportInput {
  date: Date; code: string; rows: number; updateRows: number; rate: number; seconds: number; repeats: number; settings: Record<string, number>;
  pgVersion: string; seedSeconds: number; totalSeconds: number; load: [number, number]; only: string[] | null; figures: Figures;
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function syncReport(o: ReportInput): string {
  const f = o.figures;
  const cpus = os.availableParallelism();
  const L: string[] = [];
  L.push(`## ${o.date.toISOString().slice(0, 16).replace('T', ' ')} UTC — sync, ${int(o.rows)} rows${o.only ? ` (BENCH_SYNC_ONLY=${o.only.join(',')})` : ''}`, '');
  L.push(`- Machine: ${cpus} CPUs (${os.cpus()[0]?.model?.trim() ?? 'unknown CPU'}), ${fmt(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${o.pgVersion}, Linux ${os.release()}`);
  const others = [...(f.snapshot ? [...f.snapshot.sluice, ...f.snapshot.native, ...f.snapshot.pipe] : []), ...f.apply, ...f.latency].reduce((n, r) => n + r.cpu.others, 0);
  L.push(`- Load average (1 min) at start ${fmt(o.load[0], 2)}, at end ${fmt(o.load[1], 2)}; other processes on the machine used ${fmt(others)} CPU-seconds during the timed parts` +
    `${o.load[0] > 0.5 || others > 1 ? ' — the machine was shared (other work competed for the same CPUs)' : ''}`);
  L.push(`- Code: ${o.code}`);
  L.push(`- Settings: sync options ${Object.entries(o.settings).map(([k, v]) => `${k}=${v}`).join(', ')} (the defaults); PostgreSQL as the dev stack starts it (wal_level=logical, fsync=off, other settings default: logical_decoding_work_mem 64MB, max_sync_workers_per_subscription 2)`);
  L.push(`- Table: public.orders (dev/seed.ts), ${int(o.rows)} rows; seeding took ${fmt(o.seedSeconds)} s; whole bench ${fmt(o.totalSeconds, 0)} s`);
  L.push('- One PostgreSQL cluster holds Sluice\'s database, the source and three targets (`target` for Sluice, `target_native` for the subscription, `target_copy` for psql); ' +
    'native replication runs between two databases of that cluster (slot made with `pg_create_logical_replication_slot`, then `CREATE SUBSCRIPTION … WITH (create_slot = false, slot_name = …)`), ' +
    'so Sluice and native read the same WAL through the same kind of walsender and write into the same server. Target tables: Sluice makes its own; the others get the source\'s DDL (`pg_dump -s`), primary key included. Worker in its own process; Temporal dev server and MinIO on this machine too.');
  if (f.snapshot) L.push('', ...snapshotLines(o, f.snapshot));
  if (f.apply.length) L.push('', ...applyLines(o, f.apply));
  if (f.latency.length) L.push('', ...latencyLines(o, f.latency));
  L.push('', ...cpuLines(f, cpus));
  return L.join('\n') + '\n';
}

function snapshotLines(o: ReportInput, s: NonNullable<Figures['snapshot']>): string[] {
  const m = (xs: Timed[]) => median(xs.map((r) => r.seconds));
  const native = m(s.native);
  const L = [`### Snapshot: ${int(o.rows)} rows of public.orders into an empty table`, ''];
  L.push('- Sluice: `POST /v1/syncs {"mode": "full", "tables": ["public.orders"], "start": true}` → `GET /v1/syncs/:id` polled every 100 ms until Succeeded (initializing, planning, ranges copied `COPY … TO STDOUT` → `COPY … FROM STDIN`, workflow bookkeeping: all of it)');
  L.push('- Native: `pg_create_logical_replication_slot` + `CREATE SUBSCRIPTION … WITH (copy_data = true)` → `pg_subscription_rel` polled every 20 ms until every table is `r` (ready); dropping it is not timed');
  L.push(`- Sluice copies ${o.settings.snapshotParallelism} ranges of ${int(o.settings.rowsPerRange)} rows at a time (${Math.ceil(o.rows / o.settings.rowsPerRange)} in all); the subscription copies a table with one table sync worker (one COPY)`);
  L.push('- psql: `psql <source> -c "COPY public.orders TO STDOUT" | psql <target_copy> -c "COPY public.orders FROM STDIN"`, spawn → exit');
  L.push(`- Each target emptied (TRUNCATE) before its run; after each run, count and \`sum(hashtext(t::text))\` of the target equal the source's. Median of ${o.repeats} runs each, interleaved Sluice / native / psql`, '');
  L.push('| Method | median s | rows/s | time vs native | Goal |', '|---|---:|---:|---:|---|');
  L.push(`| Sluice full sync | ${fmt(m(s.sluice), 2)} | ${int(o.rows / m(s.sluice))} | ${fmt(m(s.sluice) / native, 2)}× | Sluice time ≤ native time: ${met(m(s.sluice) <= native)} |`);
  L.push(`| native initial copy | ${fmt(native, 2)} | ${int(o.rows / native)} | 1.00× | — |`);
  L.push(`| psql COPY \\| psql COPY | ${fmt(m(s.pipe), 2)} | ${int(o.rows / m(s.pipe))} | ${fmt(m(s.pipe) / native, 2)}× | — |`);
  L.push('', `- Runs (s, in order): Sluice ${s.sluice.map((r) => fmt(r.seconds, 2)).join('; ')}; native ${s.native.map((r) => fmt(r.seconds, 2)).join('; ')}; psql ${s.pipe.map((r) => fmt(r.seconds, 2)).join('; ')}`);
  L.push(`- Verified: ${s.sluice[0]?.detail ?? ''}`);
  return L;
}

function applyLines(o: ReportInput, runs: ApplyRun[]): string[] {
  const native = runs.find((r) => r.label.startsWith('native'));
  const L = [`### Apply rate: one UPDATE of ${int(o.updateRows)} rows in one transaction`, ''];
  L.push(`- \`UPDATE public.orders SET amount = amount + 1, status = 'updated' WHERE id <= ${o.updateRows}\` on the source, in one transaction, while the consumer streams; its exact commit LSN (the commit record's end) is read back from the WAL (pg_walinspect, by the transaction's id)`);
  L.push('- Timed from COMMIT returning to the bench until the consumer has passed that LSN, polled every 10 ms: Sluice — its watermark row `_sluice.sync_watermarks.lsn` on the target (committed with the data); native — the subscription\'s replication origin (`pg_replication_origin_status.remote_lsn`, advanced by the commit of the applied transaction); ' +
    'pg_recvlogical (pgoutput, the same publication, to /dev/null) — its walsender\'s `sent_lsn` (it only decodes). "Decoded and sent" is the same walsender figure for every consumer');
  L.push('- `pg_recvlogical --endpos`: a second slot made before the same UPDATE, read afterwards from its start to the commit LSN, spawn → exit: decoding the whole transaction from the WAL, with the part the live consumers did while the UPDATE ran');
  L.push('- Each consumer alone: Sluice\'s incremental sync (public.orders, public.ticks) into the target holding its snapshot, then paused and deleted; then the native subscription (copy_data = false) into the target holding its initial copy, then dropped; then pg_recvlogical. A new UPDATE for each (VACUUM between). Rows verified equal after Sluice\'s and native\'s', '');
  L.push('| Consumer | s after commit | rows/s | decoded and sent, s after commit | UPDATE itself s | rate vs native | Goal |', '|---|---:|---:|---:|---:|---:|---|');
  for (const r of runs) {
    const vs = native ? native.seconds / r.seconds : NaN;
    const goal = r.label === 'Sluice' ? `≥ 50% of native's rate: ${met(vs >= 0.5)}` : '—';
    L.push(`| ${r.label} | ${fmt(r.seconds, 2)} | ${int(o.updateRows / r.seconds)} | ${fmt(r.sentSeconds, 2)} | ${r.updateSeconds ? fmt(r.updateSeconds, 2) : '—'} | ${fmt(100 * vs, 0)}% | ${goal} |`);
  }
  return L;
}

function latencyLines(o: ReportInput, runs: Figures['latency']): string[] {
  const L = [`### Commit → visible: ${int(o.rate)} inserts/s for ${o.seconds} s`, ''];
  L.push(`- \`pgbench -n -R ${o.rate} -T ${o.seconds} -c 4 -j 2 -f ticks.sql\` on the source, ticks.sql: \`INSERT INTO public.ticks (note) VALUES ('tick')\` (autocommit), \`changed_at timestamptz DEFAULT clock_timestamp()\` stamped by the INSERT (its commit follows within a fraction of a millisecond)`);
  L.push(`- On the target one session polls every ${runs[0]?.run.pollMs ?? '?'} ms: \`SELECT id, statement_timestamp() − changed_at FROM public.ticks WHERE id > <all seen below>\`; a row's latency is that of the first poll whose snapshot holds it (so up to one poll interval + one poll late; never early). Same clock: source and target are databases of one cluster`);
  L.push('- Sluice: its incremental sync streaming (the same one as for the apply rate); native: the subscription; each alone', '');
  L.push('| Consumer | p50 ms | p90 ms | p99 ms | max ms | rows | pgbench tps (schedule lag ms) | Goal |', '|---|---:|---:|---:|---:|---:|---:|---|');
  for (const { label, run: r } of runs) {
    const goal = label === 'Sluice' ? `p50 ≤ 20 ms: ${met(r.p50 <= 20)}; p99 ≤ 200 ms: ${met(r.p99 <= 200)}` : '—';
    L.push(`| ${label} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${int(r.rows)} | ${fmt(r.tps, 0)} (${r.scheduleLagMs === null ? '?' : fmt(r.scheduleLagMs, 2)}) | ${goal} |`);
  }
  return L;
}

function cpuLines(f: Figures, cpus: number): string[] {
  const rows: [string, number, SyncCpu][] = [];
  const mean = (xs: Timed[]) => {
    const cpu = Object.fromEntries(SYNC_CPU_PARTS.map((k) => [k, xs.reduce((n, r) => n + r.cpu[k], 0) / xs.length])) as SyncCpu;
    return [xs.reduce((n, r) => n + r.seconds, 0) / xs.length, cpu] as const;
  };
  if (f.snapshot) {
    rows.push(['snapshot: Sluice', ...mean(f.snapshot.sluice)], ['snapshot: native', ...mean(f.snapshot.native)], ['snapshot: psql COPY \\| psql COPY', ...mean(f.snapshot.pipe)]);
  }
  for (const r of f.apply) rows.push([`apply after commit: ${r.label}`, r.seconds, r.cpuAfterCommit]);
  for (const r of f.latency) rows.push([`latency run: ${r.label}`, r.wall, r.cpu]);
  const L = [`CPU seconds by process (snapshot: mean of the runs; apply: from the commit until done; latency: the whole pgbench run and its tail; PostgreSQL's processes sampled every 100 ms from /proc, by role). "use" = all but "other processes" / (wall × ${cpus} CPUs):`, ''];
  L.push(`| Measurement | wall s | ${SYNC_CPU_PARTS.map((k) => SYNC_CPU_LABELS[k]).join(' | ')} | use |`, `|---|---:|${SYNC_CPU_PARTS.map(() => '---:|').join('')}---:|`);
  for (const [label, wall, cpu] of rows) {
    const ours = SYNC_CPU_PARTS.filter((k) => k !== 'others').reduce((n, k) => n + cpu[k], 0);
    L.push(`| ${label} | ${fmt(wall, 2)} | ${SYNC_CPU_PARTS.map((k) => fmt(cpu[k], 2)).join(' | ')} | ${fmt((100 * ours) / (wall * cpus), 0)}% |`);
  }
  return L;
}
