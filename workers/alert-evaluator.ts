// Looks at every watched sync every `intervalMs`: its latest samples against its alert rules (the sync's own
// options over the defaults), opening and resolving its alerts. Several workers may do it at once: opening is
// once per sync and kind, resolving once per alert.
import type pino from 'pino';
import { firingAlerts, type AlertRules } from '../domain/sync-alerts';
import { streams } from '../domain/sync-job';
import type { AlertStore, WatchedSync } from '../store/alerts';
import type { SyncMetricsStore } from '../store/sync-metrics';
import { every } from './every';

export interface AlertEvaluatorDeps {
  alerts: AlertStore;
  metrics: Pick<SyncMetricsStore, 'within'>;
  defaults: Omit<AlertRules, 'walBudgetBytes'>;
  intervalMs: number;
  /** How often a running sync records a sample (SLUICE_SYNC_METRICS_SECONDS). */
  sampleSeconds: number;
  log: pino.Logger;
}

// Samples from before the grace period as well (at least two sampling intervals of them): the one that shows
// when a metric went above its threshold.
const marginSeconds = (d: AlertEvaluatorDeps) => Math.max(60, 2 * d.sampleSeconds);

const rulesOf = (d: AlertEvaluatorDeps, sync: WatchedSync): AlertRules => {
  const own = sync.request.options.alerts ?? {};
  return {
    idleTimeSeconds: own.idleTimeSeconds ?? d.defaults.idleTimeSeconds,
    emitEventTimeSeconds: own.emitEventTimeSeconds ?? d.defaults.emitEventTimeSeconds,
    graceSeconds: own.graceSeconds ?? d.defaults.graceSeconds,
    walBudgetBytes: sync.request.options.walBudgetBytes,
  };
};

async function evaluateOnce(d: AlertEvaluatorDeps): Promise<void> {
  const syncs = (await d.alerts.watchedSyncs()).map((sync) => ({ sync, rules: rulesOf(d, sync) }));
  if (!syncs.length) return;
  const now = new Date();
  const samples = await d.metrics.within(syncs.map(({ sync, rules }) => ({ jobId: sync.id, seconds: rules.graceSeconds + marginSeconds(d) })), now);
  for (const { sync, rules } of syncs) {
    const ofRun = (samples.get(sync.id) ?? []).filter((s) => s.run === sync.run);
    await d.alerts.reconcile(sync, firingAlerts({ state: sync.state, slotExpected: streams(sync.request), samples: ofRun, rules, now }));
  }
}

export const startAlertEvaluator = (d: AlertEvaluatorDeps): (() => void) => every(d.intervalMs, () => evaluateOnce(d), d.log, 'alerts not evaluated');
