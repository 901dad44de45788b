// What a sync's slot health says a person should know about (design.md §3 alerts, §7: slot growth while paused
// must not be silent). Pure: from the state, the latest samples and the WAL budget.
import type { SyncState } from './lifecycle';
import type { SlotHealth } from './sync-metrics';

export const SYNC_WARNING_CODES = ['paused_wal_growing', 'wal_over_budget', 'slot_lost', 'slot_unreserved'] as const;
export type SyncWarningCode = (typeof SYNC_WARNING_CODES)[number];

export interface SyncWarning {
  code: SyncWarningCode;
  message: string;
  suggestion: string;
}

export interface WarningInput {
  state: SyncState;
  /** The sync streams from its slot and has one (made by initializing): a missing slot is a loss. */
  slotExpected: boolean;
  /** The instance's latest samples, newest first; those without slot health are passed over. */
  samples: readonly { at: Date; slot: SlotHealth | null }[];
  walBudgetBytes: number;
}

export function syncWarnings(o: WarningInput): SyncWarning[] {
  const withSlot = o.samples.filter((s): s is { at: Date; slot: SlotHealth } => s.slot !== null);
  const newest = withSlot[0];
  if (!newest) return [];
  const warnings: SyncWarning[] = [];
  const health = newest.slot;
  const lost = health.walStatus === 'lost' || !health.exists;
  if (lost && o.slotExpected) {
    warnings.push({
      code: 'slot_lost',
      message: health.exists ? 'the replication slot lost WAL it needed (wal_status lost)' : 'the replication slot no longer exists on the source',
      suggestion: 'The sync cannot continue from its position: restart it to copy the tables again. To keep it from happening, raise max_slot_wal_keep_size on the source or keep the sync running.',
    });
  }
  if (lost) return warnings; // what the slot held is gone: its size and growth no longer matter
  if (health.walStatus === 'unreserved') {
    warnings.push({
      code: 'slot_unreserved',
      message: 'the WAL the slot needs is past max_wal_size and may be removed at the next checkpoint (wal_status unreserved)',
      suggestion: 'Resume the sync (or let it catch up) so the slot advances; raise max_slot_wal_keep_size on the source if it keeps happening.',
    });
  }
  const retained = health.retainedWalBytes;
  if (retained !== null && retained > o.walBudgetBytes) {
    warnings.push({
      code: 'wal_over_budget',
      message: `the slot retains ${bytes(retained)} of WAL on the source, over the budget of ${bytes(o.walBudgetBytes)}`,
      suggestion: o.state === 'Paused'
        ? 'Resume the sync so the slot advances, or delete it to drop the slot; raise options.walBudgetBytes if the source has room.'
        : 'Check that the sync keeps up and the source has disk for the WAL; raise options.walBudgetBytes if it has room.',
    });
  }
  const growth = o.state === 'Paused' ? walGrowth(withSlot) : null;
  if (growth) {
    warnings.push({
      code: 'paused_wal_growing',
      message: `the sync is paused and its slot's retained WAL grew from ${bytes(growth.from)} to ${bytes(growth.to)} in ${Math.round(growth.ms / 1000)} s`,
      suggestion: 'The source keeps all WAL written since the pause for this slot: resume the sync, or delete it if it is no longer needed.',
    });
  }
  return warnings;
}

// Growth between the oldest and the newest of the recent samples that measured retained WAL.
function walGrowth(samples: readonly { at: Date; slot: SlotHealth }[]): { from: number; to: number; ms: number } | null {
  const measured = samples.filter((s) => s.slot.retainedWalBytes !== null);
  if (measured.length < 2) return null;
  const [newest, oldest] = [measured[0], measured[measured.length - 1]];
  const to = newest.slot.retainedWalBytes!;
  const from = oldest.slot.retainedWalBytes!;
  return to > from ? { from, to, ms: newest.at.getTime() - oldest.at.getTime() } : null;
}

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB'];
/** 1536 → "1.5 kB" (powers of 1024, as PostgreSQL's pg_size_pretty). */
export function bytes(n: number): string {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${n.toFixed(1)} ${UNITS[unit]}`;
}
