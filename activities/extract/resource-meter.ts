// CPU time and memory of this worker process, attributed to the parts that run in it. One process runs several
// parts at once and Node cannot tell whose work a CPU second was, so each sample's CPU time is shared equally
// among the parts running then. Peak memory is the process's RSS, the most seen while the part ran.
export interface ResourceShare {
  cpuMicros: number;
  peakRssBytes: number;
}

export class ResourceMeter {
  private readonly running = new Set<ResourceShare>();
  private last = process.cpuUsage();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 250) {}

  start(): ResourceShare {
    this.sample(); // what came before belongs to the parts already running
    const share = { cpuMicros: 0, peakRssBytes: process.memoryUsage.rss() };
    this.running.add(share);
    this.timer ??= setInterval(() => this.sample(), this.intervalMs).unref();
    return share;
  }

  stop(share: ResourceShare): { cpuMs: number; peakRssBytes: number } {
    this.sample();
    this.running.delete(share);
    if (!this.running.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return { cpuMs: Math.round(share.cpuMicros / 1000), peakRssBytes: share.peakRssBytes };
  }

  private sample(): void {
    const now = process.cpuUsage();
    const micros = now.user - this.last.user + (now.system - this.last.system);
    this.last = now;
    if (!this.running.size) return;
    const rss = process.memoryUsage.rss();
    for (const share of this.running) {
      share.cpuMicros += micros / this.running.size;
      share.peakRssBytes = Math.max(share.peakRssBytes, rss);
    }
  }
}
