// Looks at every watched sync every `intervalMs`: its latest samples against its alert rules (the sync's own
// options over the defaults), opening and resolving its alerts. Several workers may do it at once: opening is
// once per sync and kind, resolving once per alert.
import type pino from 'pino';
import { firingAlerts, type AlertRules } from '../domain/sync-alerts';
import { streams } from '../domain/sync-job';
import type { AlertStore } from '../store/alerts';
import type { SyncMetricsStore } from '../store/sync-metrics';
import { every } from './every';

export interface AlertEvaluatorDeps {
  alerts: AlertStore;
  metrics: Pick<SyncMetricsStore, 'recent'>;
  defaults: Omit<AlertRules, 'walBudgetBytes'>;
  intervalMs: number;
  log: pino.Logger;
}

// Enough samples to cover a grace period of minutes at a sample every few seconds.
const SAMPLES = 120;

async function evaluateOnce(d: AlertEvaluatorDeps): Promise<void> {
  const syncs = await d.alerts.watchedSyncs();
  if (!syncs.length) return;
  const samples = await d.metrics.recent(syncs.map((s) => s.id), SAMPLES);
  const now = new Date();
  for (const sync of syncs) {
    const own = sync.request.options.alerts ?? {};
    const rules: AlertRules = {
      idleTimeSeconds: own.idleTimeSeconds ?? d.defaults.idleTimeSeconds,
      emitEventTimeSeconds: own.emitEventTimeSeconds ?? d.defaults.emitEventTimeSeconds,
      graceSeconds: own.graceSeconds ?? d.defaults.graceSeconds,
      walBudgetBytes: sync.request.options.walBudgetBytes,
    };
    const ofRun = (samples.get(sync.id) ?? []).filter((s) => s.run === sync.run);
    await d.alerts.reconcile(sync, firingAlerts({ state: sync.state, slotExpected: streams(sync.request), samples: ofRun, rules, now }));
  }
}

export const startAlertEvaluator = (d: AlertEvaluatorDeps): (() => void) => every(d.intervalMs, () => evaluateOnce(d), d.log, 'alerts not evaluated');
