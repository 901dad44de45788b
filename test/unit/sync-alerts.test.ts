// Which alerts fire, table by table: latency only while Running and only once it has held for the grace period,
// WAL over the budget and a lost slot at once, Failed as long as it lasts.
import { firingAlerts, type AlertInput } from '../../domain/sync-alerts';
import type { SlotHealth } from '../../domain/sync-metrics';

const NOW = new Date('2026-11-28T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
const rules = { idleTimeSeconds: 10, emitEventTimeSeconds: 10, graceSeconds: 30, walBudgetBytes: 1000 };
const slot = (retainedWalBytes: number, extra: Partial<SlotHealth> = {}): SlotHealth =>
  ({ exists: true, walStatus: 'reserved', retainedWalBytes, safeWalSize: null, ...extra });
const sample = (secondsAgo: number, idleS: number | null, emitS: number | null = null, health: SlotHealth | null = null) =>
  ({ at: ago(secondsAgo), idleMs: idleS === null ? null : idleS * 1000, emitMs: emitS === null ? null : emitS * 1000, slot: health });
const kinds = (o: Partial<AlertInput>) =>
  firingAlerts({ state: 'Running', slotExpected: true, samples: [], rules, now: NOW, ...o }).map((a) => a.kind).sort();

test.each([
  ['keeping up', { samples: [sample(0, 2, 1), sample(5, 3, 1)] }, []],
  ['idle high, but for less than the grace period', { samples: [sample(0, 40), sample(10, 30), sample(20, 5)] }, []],
  ['idle high for the grace period', { samples: [sample(0, 40), sample(15, 30), sample(31, 20), sample(40, 2)] }, ['idle_time_high']],
  ['both high for the grace period', { samples: [sample(0, 60, 60), sample(35, 30, 30)] }, ['emit_event_time_high', 'idle_time_high']],
  ['samples stopped coming while high: it keeps firing', { samples: [sample(45, 20, 20)] }, ['emit_event_time_high', 'idle_time_high']],
  ['paused: lag is no alert', { state: 'Paused' as const, samples: [sample(0, 600), sample(60, 540)] }, []],
  ['WAL over budget: at once', { samples: [sample(0, 1, 1, slot(5000))] }, ['wal_over_budget']],
  ['paused over budget', { state: 'Paused' as const, samples: [sample(0, null, null, slot(5000))] }, ['wal_over_budget']],
  ['slot lost', { samples: [sample(0, 1, 1, slot(0, { walStatus: 'lost' }))] }, ['slot_lost']],
  ['slot gone, and the sync expects one', { samples: [sample(0, 1, 1, slot(0, { exists: false }))] }, ['slot_lost']],
  ['failed', { state: 'Failed' as const, samples: [] }, ['sync_failed']],
] as [string, Partial<AlertInput>, string[]][])('%s', (_name, input, expected) => {
  expect(kinds(input)).toEqual(expected);
});

test('a firing alert carries what it measured (the newest sample) and its threshold', () => {
  const fire = (o: Partial<AlertInput>) => firingAlerts({ state: 'Running', slotExpected: true, samples: [], rules, now: NOW, ...o });
  expect(fire({ samples: [sample(0, 40.25, 12), sample(35, 30, 30)] })).toEqual([
    expect.objectContaining({ kind: 'idle_time_high', value: 40.3, threshold: 10 }),
    expect.objectContaining({ kind: 'emit_event_time_high', value: 12, threshold: 10 }),
  ]);
  expect(fire({ samples: [sample(0, 1, 1, slot(5000))] })).toEqual([expect.objectContaining({ kind: 'wal_over_budget', value: 5000, threshold: 1000 })]);
  expect(fire({ state: 'Failed', samples: [] })).toEqual([expect.objectContaining({ kind: 'sync_failed', value: null, threshold: null })]);
});
