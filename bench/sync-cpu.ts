// Where a sync measurement's CPU goes, by process: the Sluice worker, PostgreSQL split by role (walsenders
// decode the WAL, backends run queries such as Sluice's apply and COPY, logical replication workers are the
// native subscription's apply and table sync; the rest is the checkpointer, WAL writer, autovacuum…), this
// process (API, polling), its reaped children (psql, pgbench, pg_recvlogical) and everything else on the machine.
import { childrenOf, commandOf, machineCpu, processCpu, processTree, treeCpuSeconds } from './proc';
import { fmt } from './util';

export const SYNC_CPU_PARTS = ['worker', 'walsender', 'backends', 'replWorkers', 'pgOther', 'pgExited', 'bench', 'tools', 'others'] as const;
export type SyncCpuPart = (typeof SYNC_CPU_PARTS)[number];
export type SyncCpu = Record<SyncCpuPart, number>;
export const SYNC_CPU_LABELS: Record<SyncCpuPart, string> = {
  worker: 'Sluice worker', walsender: 'PG walsenders (decoding)', backends: 'PG backends (queries, COPY, apply)',
  replWorkers: 'PG logical replication workers', pgOther: 'PG other (checkpointer, WAL writer, autovacuum…)',
  pgExited: 'PG backends that exited meanwhile (whole life) + postmaster', bench: 'API+bench', tools: 'psql / pgbench / pg_recvlogical', others: 'other processes',
};

function roleOf(cmd: string): SyncCpuPart {
  if (/walsender/.test(cmd)) return 'walsender';
  if (/logical replication (apply|tablesync) worker|logical replication worker/.test(cmd)) return 'replWorkers';
  if (/^postgres: (checkpointer|background writer|walwriter|autovacuum|logical replication launcher|stats|archiver)/.test(cmd)) return 'pgOther';
  return 'backends';
}

/** Starts a measurement; the function it returns ends it and gives the CPU seconds used meanwhile. */
export type SyncCpuMeter = () => () => SyncCpu;

export function syncCpuMeter(workerPid: number): SyncCpuMeter {
  const postmaster = childrenOf(process.pid).find((pid) => /\/postgres( |$)/.test(commandOf(pid)));
  const read = () => {
    const perPid = new Map<number, { role: SyncCpuPart; seconds: number }>();
    for (const pid of postmaster ? processTree(postmaster).slice(1) : []) {
      const c = processCpu(pid);
      perPid.set(pid, { role: roleOf(commandOf(pid)), seconds: c.own });
    }
    const self = processCpu(process.pid);
    return {
      perPid, exited: postmaster ? processCpu(postmaster).reaped + processCpu(postmaster).own : 0,
      worker: treeCpuSeconds(workerPid), bench: self.own, tools: self.reaped, busy: machineCpu().busy,
    };
  };
  return () => {
    const a = read();
    return () => {
      const b = read();
      const cpu = Object.fromEntries(SYNC_CPU_PARTS.map((k) => [k, 0])) as SyncCpu;
      for (const [pid, p] of b.perPid) cpu[p.role] += Math.max(0, p.seconds - (a.perPid.get(pid)?.seconds ?? 0));
      cpu.pgExited = Math.max(0, b.exited - a.exited);
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
