// Deletes what is past its retention, hourly (and once at start): sync metrics samples, and old notifications
// (events with their deliveries, resolved alerts). Every worker does it; the deletes of several are the same
// rows, harmlessly.
import type { NotificationRetention } from '../store/notification-retention';
import type { SyncMetricsStore } from '../store/sync-metrics';

const EVERY_MS = 3600_000;
const DAY_MS = 86_400_000;

export interface PrunerDeps {
  metrics: Pick<SyncMetricsStore, 'prune'>;
  metricsRetentionDays: number;
  notifications: Pick<NotificationRetention, 'prune'>;
  notificationRetentionDays: number;
  log: { warn(obj: unknown, msg: string): void };
}

export function startPruner(d: PrunerDeps): () => void {
  const prune = () => {
    const now = Date.now();
    void d.metrics.prune(new Date(now - d.metricsRetentionDays * DAY_MS)).catch((err) => d.log.warn({ err }, 'old sync metrics not pruned'));
    void d.notifications.prune(new Date(now - d.notificationRetentionDays * DAY_MS)).catch((err) => d.log.warn({ err }, 'old notifications not pruned'));
  };
  prune();
  const timer = setInterval(prune, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
