// The warnings a sync's slot health raises, case by case: which codes, for which states and samples.
import { syncWarnings, bytes, type WarningInput } from '../../domain/sync-warnings';
import type { SlotHealth } from '../../domain/sync-metrics';

const MB = 1 << 20;
const t0 = Date.parse('2026-03-01T12:00:00Z');
const healthy = (retainedWalBytes: number | null, more: Partial<SlotHealth> = {}): SlotHealth => ({
  retainedWalBytes, walStatus: 'reserved', safeWalSize: null, exists: true, ...more,
});
/** Samples 30 s apart, oldest first in the argument list; the function gets them newest first. */
const series = (...slots: (SlotHealth | null)[]) => slots.map((slot, i) => ({ at: new Date(t0 + i * 30_000), slot })).reverse();
const codes = (o: Partial<WarningInput>) =>
  syncWarnings({ state: 'Running', slotExpected: true, samples: [], walBudgetBytes: 100 * MB, ...o }).map((w) => w.code);

test.each<[string, Partial<WarningInput>, string[]]>([
  ['no samples', {}, []],
  ['samples without slot health (full mode)', { samples: series(null, null) }, []],
  ['a healthy running slot', { samples: series(healthy(MB), healthy(2 * MB)) }, []],
  ['running and retained WAL growing: not a warning', { samples: series(healthy(MB), healthy(50 * MB)) }, []],
  ['paused and retained WAL growing', { state: 'Paused', samples: series(healthy(MB), healthy(2 * MB)) }, ['paused_wal_growing']],
  ['paused, growth over three samples', { state: 'Paused', samples: series(healthy(MB), healthy(MB), healthy(3 * MB)) }, ['paused_wal_growing']],
  ['paused and flat', { state: 'Paused', samples: series(healthy(MB), healthy(MB)) }, []],
  ['paused and shrinking (a checkpoint moved restart_lsn)', { state: 'Paused', samples: series(healthy(3 * MB), healthy(MB)) }, []],
  ['paused with one sample: no growth to see', { state: 'Paused', samples: series(healthy(3 * MB)) }, []],
  ['paused, growth measured past a sample without a size', { state: 'Paused', samples: series(healthy(MB), healthy(null), healthy(2 * MB)) }, ['paused_wal_growing']],
  ['over the budget', { samples: series(healthy(101 * MB)) }, ['wal_over_budget']],
  ['at the budget exactly', { samples: series(healthy(100 * MB)) }, []],
  ['a smaller budget', { walBudgetBytes: MB, samples: series(healthy(2 * MB)) }, ['wal_over_budget']],
  ['paused, over the budget and growing', { state: 'Paused', samples: series(healthy(99 * MB), healthy(120 * MB)) }, ['wal_over_budget', 'paused_wal_growing']],
  ['only the newest sample counts for the budget', { samples: series(healthy(500 * MB), healthy(MB)) }, []],
  ['unreserved', { samples: series(healthy(MB, { walStatus: 'unreserved' })) }, ['slot_unreserved']],
  ['unreserved and over the budget', { samples: series(healthy(200 * MB, { walStatus: 'unreserved', safeWalSize: -5 })) }, ['slot_unreserved', 'wal_over_budget']],
  ['extended is fine', { samples: series(healthy(MB, { walStatus: 'extended' })) }, []],
  ['lost', { samples: series(healthy(MB), healthy(null, { walStatus: 'lost' })) }, ['slot_lost']],
  ['gone', { samples: series(healthy(MB), { retainedWalBytes: null, walStatus: null, safeWalSize: null, exists: false }) }, ['slot_lost']],
  ['lost while paused: neither growth nor budget is shown', { state: 'Paused', samples: series(healthy(MB), healthy(900 * MB, { walStatus: 'lost' })) }, ['slot_lost']],
  ['gone when no slot is expected (ended, dropped)', { state: 'Succeeded', slotExpected: false, samples: series({ retainedWalBytes: null, walStatus: null, safeWalSize: null, exists: false }) }, []],
  ['a slot that came back after a loss', { samples: series(healthy(null, { walStatus: 'lost' }), healthy(MB)) }, []],
])('%s', (_name, input, expected) => {
  expect(codes(input)).toEqual(expected);
});

test('every warning says what happened and what to do', () => {
  const all = [
    ...syncWarnings({ state: 'Paused', slotExpected: true, walBudgetBytes: MB, samples: series(healthy(MB, { walStatus: 'unreserved' }), healthy(3 * MB, { walStatus: 'unreserved' })) }),
    ...syncWarnings({ state: 'Running', slotExpected: true, walBudgetBytes: MB, samples: series(healthy(null, { walStatus: 'lost' })) }),
  ];
  expect(all.map((w) => w.code).sort()).toEqual(['paused_wal_growing', 'slot_lost', 'slot_unreserved', 'wal_over_budget']);
  for (const w of all) {
    expect(w.message.length).toBeGreaterThan(10);
    expect(w.suggestion.length).toBeGreaterThan(10);
  }
  expect(all.find((w) => w.code === 'paused_wal_growing')!.message).toBe("the sync is paused and its slot's retained WAL grew from 1.0 MB to 3.0 MB in 30 s");
  expect(all.find((w) => w.code === 'wal_over_budget')!.message).toBe('the slot retains 3.0 MB of WAL on the source, over the budget of 1.0 MB');
});

test.each([[0, '0 bytes'], [1023, '1023 bytes'], [1536, '1.5 kB'], [MB, '1.0 MB'], [5 * 1024 * MB, '5.0 GB']])('bytes(%d) = %s', (n, shown) => {
  expect(bytes(n)).toBe(shown);
});
