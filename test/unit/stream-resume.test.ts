// The pieces a resumed stream stands on: keys per run, what a heartbeat must
// hold to be resumed from, and the OFFSET that skips what is already uploaded.
import { offsetSql } from '../../connectors/postgres/select-sql';
import { jobPrefix, manifestKey, partKey, runPrefix } from '../../domain/plan';
import type { PartResult } from '../../domain/extraction-job';
import { resumePoint } from '../../activities/extract/run';

describe('keys per run', () => {
  test('every run of a job writes under its own prefix, inside the job prefix', () => {
    expect(runPrefix('acme', 'job-1', 1)).toBe('tenants/acme/jobs/job-1/runs/1/');
    expect(manifestKey('acme', 'job-1', 2)).toBe('tenants/acme/jobs/job-1/runs/2/manifest.json');
    expect(partKey('acme', 'job-1', 2, 0, 'csv', 'gzip')).toBe('tenants/acme/jobs/job-1/runs/2/part-00001.csv.gz');
    expect(runPrefix('acme', 'job-1', 3).startsWith(jobPrefix('acme', 'job-1'))).toBe(true);
    // Run 1's prefix is not a prefix of run 10's: deleting run 1 leaves run 10 alone.
    expect(runPrefix('acme', 'job-1', 10).startsWith(runPrefix('acme', 'job-1', 1))).toBe(false);
  });
});

describe('resumePoint', () => {
  const key = (i: number) => `tenants/t/jobs/j/runs/1/part-${String(i + 1).padStart(5, '0')}.csv`;
  const part = (i: number, rows = 10): PartResult => ({ index: i, key: key(i), rows, bytes: 100, sha256: 'h', attempt: 1, cpuMs: 0, peakRssBytes: 0 });
  const beat = (parts: PartResult[], extra: object = {}) => ({
    rows: 25, bytes: 250, parts, partsRows: parts.reduce((n, p) => n + p.rows, 0), lastRowSha256: 'abc', ...extra,
  });

  test('the parts of this run, in order, with the hash of the last row', () => {
    expect(resumePoint(beat([part(0), part(1)]), key)).toEqual({ parts: [part(0), part(1)], lastRowSha256: 'abc' });
  });

  test.each([
    ['no heartbeat (a first attempt)', undefined],
    ['no parts yet', beat([])],
    ['a part missing in the middle', beat([part(0), part(2)])],
    ["another run's keys", beat([{ ...part(0), key: 'tenants/t/jobs/j/runs/2/part-00001.csv' }])],
    ['another format (a different key)', beat([{ ...part(0), key: key(0) + '.gz' }])],
    ['no hash of the last row', beat([part(0)], { lastRowSha256: null })],
    ['rows that do not add up', beat([part(0)], { partsRows: 11 })],
    ['an empty part (a stream that had no rows)', beat([part(0, 0)])],
    ['a heartbeat of a part, not a stream', { rows: 5, bytes: 50 }],
  ])('nothing to resume from: %s', (_, details) => {
    expect(resumePoint(details, key)).toBeNull();
  });
});

describe('offsetSql', () => {
  test('appends our own integer', () => {
    expect(offsetSql({ text: 'SELECT * FROM (q) AS sluice_q', values: ['v'] }, 41)).toEqual({ text: 'SELECT * FROM (q) AS sluice_q OFFSET 41', values: ['v'] });
  });

  test.each([-1, 1.5, Number.NaN, 2 ** 60])('refuses %s', (n) => {
    expect(() => offsetSql({ text: 'SELECT 1', values: [] }, n)).toThrow(/offset/);
  });
});
