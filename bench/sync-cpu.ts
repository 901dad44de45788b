// Where a sync measurement's CPU goes, by process: the Sluice worker, PostgreSQL split by role (walsenders
// decode the WAL, backends run queries such as Sluice's apply and COPY, logical replication workers are the
// native subscription's apply and table sync; the rest is the checkpointer, WAL writer, autovacuum…), this
// process (API, polling), its reaped children (psql, pgbench, pg_recvlogical) and everything else on the machine.
import { childrenOf, commandOf, machineCpu, processCpu, processTree, treeCpuSeconds } from './proc';
import { fmt } from './util';

export const SYNC_CPU_PARTS = ['worker', 'walsender', 'backends', 'replWorkers', 'pgOther', 'bench', 'tools', 'others'] as const;
export type SyncCpuPart = (typeof SYNC_CPU_PARTS)[number];
export type SyncCpu = Record<SyncCpuPart, number>;
export const SYNC_CPU_LABELS: Record<SyncCpuPart, string> = {
  worker: 'Sluice worker', walsender: 'PG walsenders (decoding)', backends: 'PG backends (queries, COPY, Sluice\'s apply)',
  replWorkers: 'PG logical replication workers (native apply, table sync)', pgOther: 'PG other (checkpointer, WAL writer, autovacuum…)',
  bench: 'API+bench', tools: 'psql / pgbench / pg_recvlogical', others: 'other processes',
};

function roleOf(cmd: string): SyncCpuPart {
  if (/walsender/.test(cmd)) return 'walsender';
  if (/logical replication (apply|tablesync) worker|logical replication worker/.test(cmd)) return 'replWorkers';
  if (/^postgres: (checkpointer|background writer|walwriter|autovacuum|logical replication launcher|stats|archiver)/.test(cmd)) return 'pgOther';
  return 'backends';
}

/** Starts a measurement; the function it returns ends it and gives the CPU seconds used meanwhile. */
export type SyncCpuMeter = () => () => SyncCpu;

// PostgreSQL's processes are sampled every 100 ms while a measurement runs: one that exits meanwhile (a
// walsender, a table sync worker, a pool's idle session) keeps what it used until its last sample, and one that
// started meanwhile counts from zero. (The postmaster's reaped time would count whole lives, not the window.)
export function syncCpuMeter(workerPid: number): SyncCpuMeter {
  const postmaster = childrenOf(process.pid).find((pid) => /\/postgres( |$)/.test(commandOf(pid)));
  const totals = () => {
    const self = processCpu(process.pid);
    return { worker: treeCpuSeconds(workerPid), bench: self.own, tools: self.reaped, busy: machineCpu().busy };
  };
  return () => {
    const seen = new Map<number, { role: SyncCpuPart; first: number; last: number }>();
    const sample = (starting: boolean) => {
      for (const pid of postmaster ? processTree(postmaster).slice(1) : []) {
        const own = processCpu(pid).own;
        const p = seen.get(pid);
        if (p) p.last = own;
        else seen.set(pid, { role: roleOf(commandOf(pid)), first: starting ? own : 0, last: own });
      }
    };
    sample(true);
    const a = totals();
    const timer = setInterval(() => sample(false), 100);
    return () => {
      clearInterval(timer);
      sample(false);
      const b = totals();
      const cpu = Object.fromEntries(SYNC_CPU_PARTS.map((k) => [k, 0])) as SyncCpu;
      for (const p of seen.values()) cpu[p.role] += Math.max(0, p.last - p.first);
      cpu.worker = Math.max(0, b.worker - a.worker);
      cpu.bench = Math.max(0, b.bench - a.bench);
      cpu.tools = Math.max(0, b.tools - a.tools);
      const ours = SYNC_CPU_PARTS.filter((k) => k !== 'others').reduce((n, k) => n + cpu[k], 0);
      cpu.others = Math.max(0, b.busy - a.busy - ours);
      return cpu;
    };
  };
}

export const syncCpuLine = (c: SyncCpu) => SYNC_CPU_PARTS.map((k) => `${k} ${fmt(c[k], 2)}`).join(', ');
