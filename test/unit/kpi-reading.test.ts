// The dashboard's reading of the six KPIs (ui/kpi-reading.js), as the data sync guide reads them: normal, no source
// data, falling behind; and what it says when there is nothing to read.
import { increasing, readKpis, type KpiPoint, type KpiSync } from '../../ui/kpi-reading.js';

const streaming = (idleTimeMs: number | null, emitEventTimeMs: number | null, instanceRps = 0): KpiSync => ({
  state: 'Running', phase: 'streaming', metrics: { idleTimeMs, emitEventTimeMs, instanceRps },
});
const points = (idle: number[], emit: (number | null)[], rps = 0): KpiPoint[] =>
  idle.map((idleTimeMs, i) => ({ idleTimeMs, emitEventTimeMs: emit[i] ?? null, instanceRps: rps }));

describe('increasing', () => {
  test('a steady climb is increasing; a heartbeat saw-tooth, a flat line and a short series are not', () => {
    expect(increasing([1000, 3000, 5000, 7000, 9000], 2000)).toBe(true);
    expect(increasing([4800, 200, 4900, 300, 4700, 150], 2000)).toBe(false);
    expect(increasing([5000, 5000, 5000, 5000], 2000)).toBe(false);
    expect(increasing([100, 5000, 9000], 2000)).toBe(false);
  });

  test('a small rise is not increasing; gaps (null) are passed over', () => {
    expect(increasing([100, 200, 300, 400, 500], 2000)).toBe(false);
    expect(increasing([1000, null, 3000, null, 6000, 9000], 2000)).toBe(true);
  });
});

describe('readKpis', () => {
  test('normal: Idle Time minimal, Emit Event Time low and stable, data flowing', () => {
    const r = readKpis(streaming(300, 40, 120), points([200, 500, 150, 400], [30, 50, 45, 35], 110));
    expect(r).toMatchObject({ code: 'normal', label: 'Normal', idle: 'minimal', emit: 'low, stable', rate: 'flowing' });
  });

  test('no source data: Idle Time high but stable (heartbeats), Emit Event Time unchanged, RPS zero', () => {
    const r = readKpis(streaming(4200, 35), points([4800, 900, 4600, 1200, 4900], [35, 35, 35, 35, 35]));
    expect(r).toMatchObject({ code: 'no-source-data', idle: 'high, stable', emit: 'low, stable', rate: 'zero' });
  });

  test('falling behind: Idle and Emit Event Time high and increasing (about equal)', () => {
    const r = readKpis(streaming(21_000, 20_500, 3), points([5000, 9000, 13_000, 17_000], [4500, 8600, 12_500, 16_400], 3));
    expect(r).toMatchObject({ code: 'falling-behind', label: 'Falling behind', idle: 'high, increasing', emit: 'high, increasing' });
  });

  test('a stalled job on a quiet source: Idle Time increasing alone is falling behind', () => {
    const r = readKpis(streaming(30_000, 40), points([6000, 12_000, 18_000, 24_000], [40, 40, 40, 40]));
    expect(r.code).toBe('falling-behind');
    expect(r.emit).toBe('low, stable');
  });

  test('a high Emit Event Time counts while data flows, not as the lag of a change long applied', () => {
    expect(readKpis(streaming(800, 9000, 50), points([700, 600, 900, 800], [9000, 9100, 8900, 9000], 50)).code).toBe('falling-behind');
    expect(readKpis(streaming(4000, 9000, 0), points([4100, 3900, 4000, 4200], [9000, 9000, 9000, 9000])).code).toBe('no-source-data');
  });

  test('nothing to read: not running, stale, copying, no reading yet', () => {
    expect(readKpis({ state: 'Paused', phase: 'streaming', metrics: null }).code).toBe('inactive');
    expect(readKpis({ state: 'Running', phase: 'streaming', metrics: { idleTimeMs: 100, emitEventTimeMs: 10, instanceRps: 5, stale: true } }).code).toBe('stale');
    expect(readKpis({ state: 'Running', phase: 'snapshot', metrics: { idleTimeMs: null, emitEventTimeMs: null, instanceRps: 500 } }))
      .toMatchObject({ code: 'copying', rate: 'flowing', idle: null });
    expect(readKpis(streaming(null, null)).code).toBe('waiting');
  });

  test('a stall after a quiet while shows in the latest points, whatever came before them', () => {
    const quiet = points([4800, 900, 4600, 1200, 4900, 700, 4500, 800, 4700, 1000], [35, 35, 35, 35, 35, 35, 35, 35, 35, 35]);
    const stalled = points([5200, 6200, 7200, 8200, 9200], [1200, 2200, 3200, 4200, 5200], 0);
    expect(readKpis(streaming(10_200, 6200), [...quiet, ...stalled])).toMatchObject({ code: 'falling-behind', idle: 'high, increasing' });
  });

  test('thresholds can be set: with idleLowMs 5000 a 4 s Idle Time is minimal', () => {
    expect(readKpis(streaming(4000, 30), [], { idleLowMs: 5000 }).code).toBe('normal');
  });
});
