// What a user sees of a job's progress: percent done and rates.
import { emptyProgress, progressView, type ExtractionProgress } from '../../domain/progress';

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

it('keeps the counted progress alongside the view', () => {
  const p = progress({ rowsDone: 7, rowsEstimated: 10, bytesDone: 70, partsDone: 1, partsTotal: 2 });
  expect(progressView(p, false, 1000)).toEqual({ ...p, percent: 70, rowsPerSecond: 7, bytesPerSecond: 70 });
});

it('emptyProgress starts from nothing', () => {
  expect(emptyProgress()).toEqual({ rowsDone: 0, rowsEstimated: null, bytesDone: 0, partsDone: 0, partsTotal: null });
  expect(emptyProgress()).not.toBe(emptyProgress());
});
