// What a user sees of a job's progress: percent done, rates over running time, and the ETA.
import {
  activeMsAt, addSample, emptyProgress, estimateCompletion, MAX_RATE_SAMPLES, progressView, recentRowRate, type ExtractionProgress,
} from '../../domain/progress';

const progress = (p: Partial<ExtractionProgress>): ExtractionProgress => ({ ...emptyProgress(), ...p });

describe('percent', () => {
  test.each([
    // progress, complete, percent
    ['nothing known yet', {}, false, 0],
    ['rows against the estimate', { rowsDone: 250, rowsEstimated: 1000, partsDone: 0, partsTotal: 4 }, false, 25],
    ['parts ahead of rows', { rowsDone: 100, rowsEstimated: 1000, partsDone: 2, partsTotal: 4 }, false, 50],
    ['rows ahead of parts', { rowsDone: 750, rowsEstimated: 1000, partsDone: 1, partsTotal: 4 }, false, 75],
    ['rounded to one decimal', { rowsDone: 1, rowsEstimated: 3, partsDone: 0, partsTotal: 3 }, false, 33.3],
    ['estimate too low: capped at 99', { rowsDone: 5000, rowsEstimated: 1000, partsDone: 1, partsTotal: 4 }, false, 99],
    ['all parts done but not complete: 99', { rowsDone: 1000, rowsEstimated: 1000, partsDone: 4, partsTotal: 4 }, false, 99],
    ['no estimate: parts-based', { rowsDone: 123, rowsEstimated: null, partsDone: 1, partsTotal: 4 }, false, 25],
    ['zero estimate: parts-based', { rowsDone: 123, rowsEstimated: 0, partsDone: 2, partsTotal: 3 }, false, 66.7],
    ['estimate without a part count (single stream): rows-based', { rowsDone: 400, rowsEstimated: 1000, partsTotal: null }, false, 40],
    ['single stream past its estimate: 99', { rowsDone: 4000, rowsEstimated: 1000, partsTotal: null }, false, 99],
    ['complete: 100', { rowsDone: 10, rowsEstimated: 1000, partsDone: 1, partsTotal: 4 }, true, 100],
    ['complete with a low estimate: 100', { rowsDone: 5000, rowsEstimated: 1000, partsDone: 4, partsTotal: 4 }, true, 100],
    ['complete with nothing known: 100', {}, true, 100],
  ])('%s', (_name, p, complete, percent) => {
    expect(progressView(progress(p), complete, 1000).percent).toBe(percent);
  });
});

describe('rates', () => {
  const p = progress({ rowsDone: 1000, bytesDone: 5_000_000, partsDone: 1, partsTotal: 2 });

  test.each([
    // elapsedMs, rowsPerSecond, bytesPerSecond
    [1000, 1000, 5_000_000],
    [2000, 500, 2_500_000],
    [3000, 333, 1_666_667], // rounded to whole units
    [null, null, null], // not started
    [0, null, null], // just started
  ])('after %p ms: %p rows/s, %p bytes/s', (elapsedMs, rowsPerSecond, bytesPerSecond) => {
    expect(progressView(p, false, elapsedMs)).toMatchObject({ rowsPerSecond, bytesPerSecond });
  });
});

it('shows the counted progress alongside percent and rates, and nothing internal', () => {
  const p = progress({ rowsDone: 7, rowsEstimated: 10, bytesDone: 70, partsDone: 1, partsTotal: 2, activeMs: 5, samples: [{ activeMs: 1, rows: 1 }] });
  expect(progressView(p, false, 1000)).toEqual({
    rowsDone: 7, rowsEstimated: 10, bytesDone: 70, partsDone: 1, partsTotal: 2, percent: 70, rowsPerSecond: 7, bytesPerSecond: 70,
  });
});

it('emptyProgress starts from nothing', () => {
  expect(emptyProgress()).toEqual({
    rowsDone: 0, rowsEstimated: null, bytesDone: 0, partsDone: 0, partsTotal: null, activeMs: 0, runningSince: null, samples: [],
  });
  expect(emptyProgress()).not.toBe(emptyProgress());
});

describe('running time excludes queueing and pauses', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  test.each([
    ['never ran', { activeMs: 0, runningSince: null }, 0],
    ['running for 5 s', { activeMs: 0, runningSince: '2026-01-01T00:00:00Z' }, 5000],
    ['3 s before a pause, running again for 5 s', { activeMs: 3000, runningSince: '2026-01-01T00:00:00Z' }, 8000],
    ['paused after 3 s', { activeMs: 3000, runningSince: null }, 3000],
  ])('%s', (_name, p, expected) => {
    expect(activeMsAt(progress(p), t0 + 5000)).toBe(expected);
  });

  it('addSample records the running time and rows, keeping the last few', () => {
    const p = progress({ runningSince: '2026-01-01T00:00:00Z', rowsDone: 10 });
    for (let i = 0; i < MAX_RATE_SAMPLES + 5; i++) addSample(p, t0 + i * 1000);
    expect(p.samples).toHaveLength(MAX_RATE_SAMPLES);
    expect(p.samples[p.samples.length - 1]).toEqual({ activeMs: (MAX_RATE_SAMPLES + 4) * 1000, rows: 10 });
  });
});

describe('recent throughput', () => {
  test.each([
    ['no samples: since the start', [], { activeMs: 10_000, rows: 1000 }, 100],
    ['from the oldest sample inside the window', [{ activeMs: 10_000, rows: 1000 }, { activeMs: 70_000, rows: 1600 }, { activeMs: 80_000, rows: 3600 }], { activeMs: 90_000, rows: 5600 }, 200],
    ['all samples older than the window: the newest of them', [{ activeMs: 1000, rows: 10 }, { activeMs: 2000, rows: 20 }], { activeMs: 102_000, rows: 10_020 }, 100],
    ['no time has passed', [], { activeMs: 0, rows: 0 }, null],
    ['no rows yet', [{ activeMs: 1000, rows: 0 }], { activeMs: 5000, rows: 0 }, null],
  ])('%s', (_name, samples, current, rate) => {
    expect(recentRowRate(samples, current)).toBe(rate);
  });
});

describe('ETA', () => {
  const now = Date.parse('2026-01-01T00:01:40Z'); // 100 s after runningSince below
  const running = { runningSince: '2026-01-01T00:00:00Z', activeMs: 0 };
  test.each([
    ['half the estimate at 10 rows/s: 100 s more', { ...running, rowsDone: 1000, rowsEstimated: 2000 }, 100],
    ['parts project a larger total than the estimate', { ...running, rowsDone: 1000, rowsEstimated: 1200, partsDone: 1, partsTotal: 4 }, 300],
    ['past a low estimate with no parts: done now', { ...running, rowsDone: 3000, rowsEstimated: 2000 }, 0],
    ['every part done, only the manifest left', { ...running, rowsDone: 10, rowsEstimated: 2550, partsDone: 1, partsTotal: 1 }, 0],
  ])('%s', (_name, p, remainingSeconds) => {
    const eta = estimateCompletion(progress(p), now);
    expect(eta).toEqual({ remainingSeconds, at: new Date(now + remainingSeconds * 1000).toISOString(), estimated: true });
  });

  test.each([
    ['not running', { rowsDone: 10, rowsEstimated: 100, runningSince: null }],
    ['no total known', { ...running, rowsDone: 10, rowsEstimated: null }],
    ['no throughput yet', { ...running, rowsDone: 0, rowsEstimated: 100 }],
    ['no rows since the last sample, which is older than the window', { ...running, rowsDone: 50, rowsEstimated: 100, samples: [{ activeMs: 30_000, rows: 50 }] }],
  ])('none when %s', (_name, p) => {
    expect(estimateCompletion(progress(p), now)).toBeNull();
  });
});
