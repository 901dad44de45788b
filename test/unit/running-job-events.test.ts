// What a running job tells webhooks: job.part_ready per part file (one dedupe key per job, run and part), and
// job.progress with the figures of the API's job view (live part counts never lower what the workflow counted).
import type { ExtractionProgress, ExtractionSnapshot } from '../../domain/extraction-job';
import { newRun } from '../../domain/new-run';
import { liveProgress, type LiveCounts } from '../../domain/progress';
import { partReadyEvent, progressEventPayload } from '../../domain/running-job-events';

describe('job.part_ready', () => {
  const part = { index: 2, key: 't/jobs/job_1/runs/3/part-00003.csv.gz', rows: 100, bytes: 2048, sha256: 'ab'.repeat(32) };

  test.each([
    // ref, part, dedupe key
    ['the part of a run', { jobId: 'job_1', run: 3 }, part, 'job.part_ready/job_1/3/2'],
    ['the same part of the next run is a new event', { jobId: 'job_1', run: 4 }, part, 'job.part_ready/job_1/4/2'],
    ['another part', { jobId: 'job_1', run: 3 }, { ...part, index: 0 }, 'job.part_ready/job_1/3/0'],
  ])('%s', (_name, ref, p, dedupeKey) => {
    expect(partReadyEvent(ref, p).dedupeKey).toBe(dedupeKey);
  });

  test('carries the file name, never the storage key', () => {
    expect(partReadyEvent({ jobId: 'job_1', run: 3 }, part).payload).toEqual({
      jobId: 'job_1', run: 3, part: 2, fileName: 'part-00003.csv.gz', rows: 100, bytes: 2048, sha256: part.sha256,
    });
  });
});

describe('live counts', () => {
  const counted = { rowsDone: 500, bytesDone: 5000, partsDone: 1 };
  test.each([
    // state, counted by the workflow, reported by parts, shown
    ['Running: parts in flight add up', 'Running', counted, { rows: 800, bytes: 9000, partsDone: 2 }, { rowsDone: 800, bytesDone: 9000, partsDone: 2 }],
    ['Running: a part started over never lowers the count', 'Running', counted, { rows: 100, bytes: 1000, partsDone: 0 }, counted],
    ['Running with nothing reported', 'Running', counted, null, counted],
    ['Paused: what the workflow counted', 'Paused', counted, { rows: 800, bytes: 9000, partsDone: 2 }, counted],
  ] as const)('%s', (_name, state, p, live, shown) => {
    const s = { ...newRun('job_1', 1, '2026-01-01T00:00:00Z'), state } as ExtractionSnapshot;
    Object.assign(s.progress, p);
    expect(liveProgress(s, live as LiveCounts | null)).toMatchObject(shown);
  });
});

describe('job.progress', () => {
  const startedAt = '2026-01-01T00:00:00Z';
  const now = Date.parse(startedAt) + 100_000; // 100 s of running
  const running = (p: Partial<ExtractionProgress>): ExtractionSnapshot => {
    const s = { ...newRun('job_1', 2, startedAt), state: 'Running' as const, startedAt };
    s.progress = { ...s.progress, runningSince: startedAt, ...p };
    return s;
  };

  test.each([
    // name, snapshot, live counts, expected fields
    ['split job, half the rows at 10 rows/s', running({ rowsDone: 1000, rowsEstimated: 2000, bytesDone: 10_000, partsDone: 1, partsTotal: 2 }), null,
      { rows: 1000, bytes: 10_000, parts: 2, partsDone: 1, percent: 50, rowsPerSecond: 10, bytesPerSecond: 100, etaSeconds: 100 }],
    ['parts in flight count', running({ rowsDone: 0, rowsEstimated: 4000, partsTotal: 4 }), { rows: 1000, bytes: 20_000, partsDone: 0 },
      { rows: 1000, bytes: 20_000, partsDone: 0, percent: 25, etaSeconds: 300 }],
    ['a stream: no planned parts, no estimate, no ETA', running({ rowsDone: 0 }), { rows: 700, bytes: 7000, partsDone: 0 },
      { rows: 700, parts: null, partsDone: 0, percent: 0, rowsPerSecond: 7, etaSeconds: null, etaAt: null }],
    ['every part done: only the manifest left', running({ rowsDone: 2000, rowsEstimated: 2000, partsDone: 2, partsTotal: 2 }), null,
      { percent: 99, etaSeconds: 0 }],
  ])('%s', (_name, s, live, expected) => {
    const payload = progressEventPayload(s, live, now);
    expect(payload).toMatchObject({ jobId: 'job_1', run: 2, state: 'Running', ...expected });
    expect(payload.etaAt).toBe(payload.etaSeconds === null ? null : new Date(now + (payload.etaSeconds as number) * 1000).toISOString());
  });
});
