import type { SyncMetricsStore } from '../store/sync-metrics';

const EVERY_MS = 3600_000;

// Deletes sync metrics samples past their retention, hourly (and once at start). Every worker does it; the
// deletes of several are the same rows, harmlessly.
export function startMetricsPruner(o: { metrics: Pick<SyncMetricsStore, 'prune'>; retentionDays: number; log: { warn(obj: unknown, msg: string): void } }): () => void {
  const prune = () => void o.metrics.prune(new Date(Date.now() - o.retentionDays * 86_400_000)).catch((err) => o.log.warn({ err }, 'old sync metrics not pruned'));
  prune();
  const timer = setInterval(prune, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
