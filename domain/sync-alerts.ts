// Which alerts of a sync are firing (design.md §3): Idle Time or Emit Event Time above its threshold for longer
// than the grace period while it runs; retained WAL over the budget; the slot lost; the sync Failed. An open
// alert that no longer fires resolves. Pure: from the state, the instance's latest samples and the rules.
import type { SyncState } from './lifecycle';
import type { SlotHealth } from './sync-metrics';
import { syncWarnings } from './sync-warnings';

export const SYNC_ALERT_KINDS = ['idle_time_high', 'emit_event_time_high', 'wal_over_budget', 'slot_lost', 'sync_failed'] as const;
export type SyncAlertKind = (typeof SYNC_ALERT_KINDS)[number];

export interface AlertRules {
  idleTimeSeconds: number;
  emitEventTimeSeconds: number;
  graceSeconds: number;
  walBudgetBytes: number;
}

export interface AlertInput {
  state: SyncState;
  /** The sync streams from a slot of its own. */
  slotExpected: boolean;
  /** The instance's latest samples, newest first. */
  samples: readonly { at: Date; idleMs: number | null; emitMs: number | null; slot: SlotHealth | null }[];
  rules: AlertRules;
  now: Date;
}

export interface FiringAlert {
  kind: SyncAlertKind;
  message: string;
  /** What the rule measured (seconds for the times, bytes for WAL) and its threshold; null for slot_lost, sync_failed. */
  value: number | null;
  threshold: number | null;
}

export function firingAlerts(o: AlertInput): FiringAlert[] {
  const firing: FiringAlert[] = [];
  if (o.state === 'Failed') firing.push({ kind: 'sync_failed', message: 'the sync failed', value: null, threshold: null });
  // A paused sync is meant to stand still: its lag is not an alert (its WAL is).
  if (o.state === 'Running') {
    const idle = heldAbove(o, (s) => s.idleMs, o.rules.idleTimeSeconds);
    if (idle !== null) {
      firing.push({ kind: 'idle_time_high', message: `Idle Time has been above ${o.rules.idleTimeSeconds} s for ${idle} s`, value: newestSeconds(o, (s) => s.idleMs), threshold: o.rules.idleTimeSeconds });
    }
    const emit = heldAbove(o, (s) => s.emitMs, o.rules.emitEventTimeSeconds);
    if (emit !== null) {
      firing.push({ kind: 'emit_event_time_high', message: `Emit Event Time has been above ${o.rules.emitEventTimeSeconds} s for ${emit} s`, value: newestSeconds(o, (s) => s.emitMs), threshold: o.rules.emitEventTimeSeconds });
    }
  }
  for (const w of syncWarnings({ state: o.state, slotExpected: o.slotExpected, samples: o.samples, walBudgetBytes: o.rules.walBudgetBytes })) {
    if (w.code === 'slot_lost') firing.push({ kind: w.code, message: w.message, value: null, threshold: null });
    if (w.code === 'wal_over_budget') {
      const retained = o.samples.find((s) => s.slot !== null)?.slot?.retainedWalBytes ?? null;
      firing.push({ kind: w.code, message: w.message, value: retained, threshold: o.rules.walBudgetBytes });
    }
  }
  return firing;
}

const newestSeconds = (o: AlertInput, metric: (s: AlertInput['samples'][number]) => number | null): number | null => {
  const ms = o.samples.length ? metric(o.samples[0]) : null;
  return ms === null ? null : Math.round(ms / 100) / 10;
};

/**
 * Seconds the metric has been above `thresholdSeconds` in every sample since it went above, when that is at
 * least the grace period; else null. Measured up to `now`, so samples that stopped coming do not hide it.
 */
function heldAbove(o: AlertInput, metric: (s: AlertInput['samples'][number]) => number | null, thresholdSeconds: number): number | null {
  let since: Date | null = null;
  for (const s of o.samples) {
    const v = metric(s);
    if (v === null || v <= thresholdSeconds * 1000) break;
    since = s.at;
  }
  if (!since) return null;
  const held = Math.floor((o.now.getTime() - since.getTime()) / 1000);
  return held >= o.rules.graceSeconds ? held : null;
}
