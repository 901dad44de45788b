// What processes use, read from /proc (Linux): memory of a process tree — each process's resident set (VmRSS)
// and its peak (VmHWM), plus the sampled peak of the tree's total — and CPU time of process trees and of the
// whole machine. `tsx script.ts` is a small launcher that runs the script in a child node process, so the
// process that does the work is a descendant of the pid we spawned.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export interface ProcMemory {
  pid: number;
  ppid: number;
  cmd: string;
  rssKb: number;
  hwmKb: number;
}

const field = (status: string, name: string): number => {
  const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
};

export function readProcMemory(pid: number): ProcMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid: field(status, 'PPid'), cmd, rssKb: field(status, 'VmRSS'), hwmKb: field(status, 'VmHWM') };
  } catch {
    return null; // gone
  }
}

// Fields of /proc/<pid>/stat after the command name: [0] is `state` (field 3 of proc(5)).
function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited while we looked
  }
}

function childrenMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  return children;
}

/** Direct children of a process. */
export const childrenOf = (pid: number): number[] => childrenMap().get(pid) ?? [];

export const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
};

/** The pid and all its descendants, root first. */
export function processTree(root: number): number[] {
  const children = childrenMap();
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

/** Samples a process tree's memory until stopped. A window starts at `reset()`. */
export class TreeMemorySampler {
  /** Highest sampled sum of VmRSS over the tree since the window started, in kB. */
  peakTreeRssKb = 0;
  private pids: number[] = [];
  private sincePeaks = new Map<number, number>();
  private scannedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly root: number, private readonly intervalMs = 50) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): ProcMemory[] {
    if (Date.now() - this.scannedAt > 1000 || !this.pids.length) {
      this.pids = processTree(this.root);
      this.scannedAt = Date.now();
    }
    const procs = this.pids.map(readProcMemory).filter((p): p is ProcMemory => p !== null);
    const total = procs.reduce((n, p) => n + p.rssKb, 0);
    if (total > this.peakTreeRssKb) this.peakTreeRssKb = total;
    for (const p of procs) this.sincePeaks.set(p.pid, Math.max(this.sincePeaks.get(p.pid) ?? 0, p.rssKb));
    return procs;
  }

  /** Highest sampled VmRSS of a process since the last call (kB), e.g. during one job. */
  takePeak(pid: number): number {
    this.sample();
    const peak = this.sincePeaks.get(pid) ?? 0;
    this.sincePeaks.clear();
    return peak;
  }

  /** Starts a new window: resets each process's VmHWM to its current RSS (clear_refs "5"). False if the kernel refused. */
  reset(): boolean {
    this.pids = processTree(this.root);
    this.scannedAt = Date.now();
    let ok = true;
    for (const pid of this.pids) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        ok = false;
      }
    }
    this.peakTreeRssKb = 0;
    this.sample();
    return ok;
  }
}

/** The process in the tree (root first) that runs `script`: the deepest that names it, below any launcher, and
 * not a process the script started of its own (DuckDB's). */
export function workerProcess(procs: ProcMemory[], script: string): ProcMemory | undefined {
  return procs.filter((p) => p.cmd.includes(script)).at(-1);
}

// ---- CPU time ------------------------------------------------------------------------------------------

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds of one process: its own user+system time, and what its reaped (waited-for) children used. */
export function processCpu(pid: number): { own: number; reaped: number } {
  const f = statFields(pid === process.pid ? 'self' : pid);
  if (!f) return { own: 0, reaped: 0 };
  // utime, stime, cutime, cstime are fields 14–17 of proc(5); f[0] is field 3.
  const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number);
  return { own: (utime + stime) / CLK_TCK, reaped: (cutime + cstime) / CLK_TCK };
}

/** CPU seconds a process tree has used, including processes of it that came and went (PostgreSQL backends). */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((n, pid) => {
    const c = processCpu(pid);
    return n + c.own + c.reaped;
  }, 0);
}

/** CPU seconds the machine's CPUs spent busy since boot, and stolen by the hypervisor. */
export function machineCpu(): { busy: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]; // cpu  user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / CLK_TCK, steal: (steal ?? 0) / CLK_TCK };
}

/** CPU seconds of a process's threads, summed by thread name (comm), the main thread as "main". In Node, the
 * pool that runs zlib is "libuv-worker", V8's helper threads (GC, compilers) are "node" like the main thread, and
 * other names are native libraries' own. */
export function threadCpuByName(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName; // gone
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / CLK_TCK);
    } catch {
      // the thread ended while we looked
    }
  }
  return byName;
}
