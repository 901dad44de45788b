// Whether a run a schedule fired goes ahead: a run whose first chance to start came later than its catch-up
// window after its time (no worker was there to take it) is skipped, as is one on a day the tenant's quota is
// spent. Pure.
import { durationSeconds, type ScheduleDefinition } from './schedule';
import type { FireSpec } from './run-window';

export type RunSkip = 'late' | 'quota';

export function runSkip(o: { catchupWindow: string; nominal: Date; firstChance: Date; quotaSpent: boolean }): RunSkip | null {
  if (o.firstChance.getTime() - o.nominal.getTime() > durationSeconds(o.catchupWindow) * 1000) return 'late';
  return o.quotaSpent ? 'quota' : null;
}

/** When a definition fires, as the window computation reads it. */
export const fireSpecOf = (d: Pick<ScheduleDefinition, 'cron' | 'interval' | 'timeZone'>): FireSpec => ({
  cron: d.cron, intervalSeconds: d.interval ? durationSeconds(d.interval) : undefined, timeZone: d.timeZone,
});
