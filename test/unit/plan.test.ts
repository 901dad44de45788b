// Planning math: how many parts, how the key space and heap are cut, which split a selection gets, and file names.
import {
  chooseSplit,
  contentType,
  jobPrefix,
  partCount,
  partFileName,
  splitBlocks,
  splitKeyRange,
  type PartRange,
  type SplitFacts,
} from '../../domain/plan';

// Checks that ranges cut [min, max] into `expected` half-open pieces with no gap and no overlap: the first is open
// below, the last open above, inner bounds strictly ascending and inside (min, max]. Returns the bounds.
function expectPartition(ranges: PartRange[], min: bigint, max: bigint, expected: number): bigint[] {
  expect(ranges).toHaveLength(expected);
  expect(ranges[0].from).toBeUndefined();
  expect(ranges[ranges.length - 1].to).toBeUndefined();
  for (let i = 1; i < ranges.length; i++) {
    expect(ranges[i].from).toBeDefined();
    expect(ranges[i].from).toBe(ranges[i - 1].to); // no gap, no overlap
  }
  const bounds = ranges.slice(1).map((r) => BigInt(r.from!));
  bounds.forEach((b, i) => {
    expect(b > (i === 0 ? min : bounds[i - 1])).toBe(true);
    expect(b <= max).toBe(true);
  });
  return bounds;
}

// Rows per part if every key in [min, max] exists.
function widths(bounds: bigint[], min: bigint, max: bigint): bigint[] {
  const edges = [min, ...bounds, max + 1n];
  return edges.slice(1).map((e, i) => e - edges[i]);
}

describe('partCount', () => {
  test.each([
    // estimatedRows, rowsPerPart, maxParts, parts
    [0, 1000, 64, 1],
    [-1, 1000, 64, 1], // PostgreSQL's "never analyzed" estimate
    [NaN, 1000, 64, 1],
    [1, 1000, 64, 1],
    [1000, 1000, 64, 1],
    [1001, 1000, 64, 2],
    [10_000, 1000, 64, 10],
    [1_000_000, 1000, 64, 64],
    [1_000_000, 1000, 1, 1],
  ])('%d rows, %d per part, at most %d → %d', (rows, perPart, maxParts, parts) => {
    expect(partCount(rows, perPart, maxParts)).toBe(parts);
  });

  test.each([
    // estimatedRows, rowsPerPart, maxParts, lanes, parts
    [2_000_000, 1_000_000, 1000, 4, 4], // four lanes busy: 500,000 rows each
    [2_000_000, 1_000_000, 1000, 2, 2],
    [2_000_000, 100_000, 1000, 4, 20], // the size asked for already gives more parts than lanes
    [250_000, 1_000_000, 1000, 4, 2], // 125,000 rows per part: two lanes worth it, not four
    [99_999, 1_000_000, 1000, 4, 1], // too small to be worth a second part
    [10_000_000, 1_000_000, 1000, 4, 10],
    [2_000_000, 1_000_000, 3, 4, 3], // maxParts still bounds it
  ])('%d rows, %d per part, at most %d, %d lanes → %d', (rows, perPart, maxParts, lanes, parts) => {
    expect(partCount(rows, perPart, maxParts, lanes)).toBe(parts);
  });
});

describe('splitKeyRange', () => {
  test.each([
    // min, max, parts, expected ranges
    [1n, 100n, 4, [{ to: '26' }, { from: '26', to: '51' }, { from: '51', to: '76' }, { from: '76' }]],
    [0n, 9n, 3, [{ to: '3' }, { from: '3', to: '6' }, { from: '6' }]],
    [-10n, 9n, 2, [{ to: '0' }, { from: '0' }]],
    [1n, 100n, 1, [{}]],
    [5n, 5n, 4, [{}]], // min == max: one key, one part
    [1n, 3n, 10, [{ to: '2' }, { from: '2', to: '3' }, { from: '3' }]], // more parts than keys: one key each
    [10n, 1n, 4, [{}]], // inverted bounds do not break
  ])('[%s, %s] in %d parts', (min, max, parts, expected) => {
    expect(splitKeyRange(min, max, parts)).toEqual(expected);
  });

  test.each([
    [1n, 1_000_000n, 7],
    [1n, 1_000_000n, 64],
    [-500n, 500n, 13],
    [0n, 99n, 100],
    [0n, 99n, 1000],
    [1n, 2n, 3],
    [2n ** 53n - 3n, 2n ** 53n + 7n, 5], // across Number.MAX_SAFE_INTEGER
    [2n ** 62n, 2n ** 63n - 1n, 16], // the top of bigint
    [-(2n ** 63n), 2n ** 63n - 1n, 8], // the whole int8 space
  ])('[%s, %s] in %d parts covers the key space without gap or overlap', (min, max, parts) => {
    const span = max - min + 1n;
    const expected = span < BigInt(parts) ? Number(span) : parts;
    const bounds = expectPartition(splitKeyRange(min, max, parts), min, max, expected);
    const w = widths(bounds, min, max);
    const [lo, hi] = [w.reduce((a, b) => (b < a ? b : a)), w.reduce((a, b) => (b > a ? b : a))];
    expect(hi - lo <= 1n).toBe(true); // equal widths, give or take one key
  });

  it('keeps exact bounds beyond 2^53 (no float rounding)', () => {
    const min = 9_007_199_254_740_993n; // 2^53 + 1: not representable as a double
    expect(splitKeyRange(min, min + 3n, 2)).toEqual([{ to: '9007199254740995' }, { from: '9007199254740995' }]);
  });
});

describe('splitBlocks', () => {
  test.each([
    [0, 4, [{}]], // empty heap
    [1, 4, [{}]],
    [10, 1, [{}]],
    [10, 2, [{ to: '5' }, { from: '5' }]],
    [10, 3, [{ to: '3' }, { from: '3', to: '6' }, { from: '6' }]],
    [3, 8, [{ to: '1' }, { from: '1', to: '2' }, { from: '2' }]], // never more parts than pages
  ])('%d pages in %d parts', (pages, parts, expected) => {
    expect(splitBlocks(pages, parts)).toEqual(expected);
  });

  it('covers pages [0, pages) for a large heap', () => {
    expectPartition(splitBlocks(1_234_567, 16), 0n, 1_234_566n, 16);
  });
});

describe('chooseSplit', () => {
  const facts = (f: Partial<SplitFacts>): SplitFacts => ({ relkind: 'r', keyBounds: { min: '1', max: '100' }, pages: 10, orderBy: [], ...f });
  const KEY_RANGES = [{ to: '26' }, { from: '26', to: '51' }, { from: '51', to: '76' }, { from: '76' }];
  const BLOCK_RANGES = [{ to: '2' }, { from: '2', to: '5' }, { from: '5', to: '7' }, { from: '7' }];
  const SINGLE = { strategy: 'single-stream', ranges: [{}] };

  test.each([
    ['integer key, no order', facts({ splitColumn: 'id' }), { strategy: 'key-range', ranges: KEY_RANGES }],
    ['order by key asc', facts({ splitColumn: 'id', orderBy: [{ column: 'id', direction: 'asc' }] }), { strategy: 'key-range', ranges: KEY_RANGES }],
    ['order by key desc: ranges reversed', facts({ splitColumn: 'id', orderBy: [{ column: 'id', direction: 'desc' }] }), { strategy: 'key-range', ranges: [...KEY_RANGES].reverse() }],
    ['order by another column', facts({ splitColumn: 'id', orderBy: [{ column: 'created_at', direction: 'asc' }] }), SINGLE],
    ['order by key then another column', facts({ splitColumn: 'id', orderBy: [{ column: 'id', direction: 'asc' }, { column: 'x', direction: 'asc' }] }), SINGLE],
    ['empty table with a key', facts({ splitColumn: 'id', keyBounds: null }), { strategy: 'key-range', ranges: [{}] }],
    ['table without key', facts({ relkind: 'r', keyBounds: null }), { strategy: 'block-range', ranges: BLOCK_RANGES }],
    ['materialized view without key', facts({ relkind: 'm', keyBounds: null }), { strategy: 'block-range', ranges: BLOCK_RANGES }],
    ['table without key, ordered', facts({ relkind: 'r', keyBounds: null, orderBy: [{ column: 'a', direction: 'asc' }] }), SINGLE],
    ['view without key', facts({ relkind: 'v', keyBounds: null }), SINGLE],
    ['foreign table without key', facts({ relkind: 'f', keyBounds: null }), SINGLE],
    ['partitioned table without key', facts({ relkind: 'p', keyBounds: null }), SINGLE],
  ])('%s', (_name, f, expected) => {
    expect(chooseSplit(f, 4)).toEqual(expected);
  });

  it('desc order reads the highest keys first', () => {
    const { ranges } = chooseSplit(facts({ splitColumn: 'id', orderBy: [{ column: 'id', direction: 'desc' }] }), 4);
    expect(ranges[0]).toEqual({ from: '76' });
    expect(ranges[ranges.length - 1]).toEqual({ to: '26' });
  });

  it('splits bigint keys beyond 2^53 exactly', () => {
    const { strategy, ranges } = chooseSplit(facts({ splitColumn: 'id', keyBounds: { min: '9007199254740993', max: '9007199254740996' } }), 2);
    expect(strategy).toBe('key-range');
    expect(ranges).toEqual([{ to: '9007199254740995' }, { from: '9007199254740995' }]);
  });
});

describe('file names and locations', () => {
  test.each([
    [0, 'csv', 'gzip', 'part-00001.csv.gz'],
    [0, 'csv', 'none', 'part-00001.csv'],
    [41, 'ndjson', 'gzip', 'part-00042.ndjson.gz'],
    [99_998, 'ndjson', 'none', 'part-99999.ndjson'],
    [0, 'csv', 'zstd', 'part-00001.csv.zst'],
    [7, 'ndjson', 'zstd', 'part-00008.ndjson.zst'],
    [0, 'parquet', 'gzip', 'part-00001.parquet'],
    [0, 'parquet', 'zstd', 'part-00001.parquet'],
    [0, 'parquet', 'snappy', 'part-00001.parquet'],
    [2, 'parquet', 'none', 'part-00003.parquet'],
  ] as const)('partFileName(%d, %s, %s) = %s', (index, format, compression, name) => {
    expect(partFileName(index, format, compression)).toBe(name);
  });

  it('part file names sort in part order', () => {
    const names = Array.from({ length: 120 }, (_, i) => partFileName(i, 'csv', 'gzip'));
    expect([...names].sort()).toEqual(names);
  });

  test.each([
    ['csv', 'gzip', 'application/gzip'],
    ['ndjson', 'gzip', 'application/gzip'],
    ['csv', 'none', 'text/csv; charset=utf-8'],
    ['ndjson', 'none', 'application/x-ndjson; charset=utf-8'],
    ['csv', 'zstd', 'application/zstd'],
    ['ndjson', 'zstd', 'application/zstd'],
    ['parquet', 'gzip', 'application/vnd.apache.parquet'],
    ['parquet', 'zstd', 'application/vnd.apache.parquet'],
    ['parquet', 'none', 'application/vnd.apache.parquet'],
  ] as const)('contentType(%s, %s) = %s', (format, compression, type) => {
    expect(contentType(format, compression)).toBe(type);
  });

  it('jobPrefix keeps each tenant and job under its own folder', () => {
    expect(jobPrefix('acme', 'job-1')).toBe('tenants/acme/jobs/job-1/');
    expect(jobPrefix('acme', 'job-1') + partFileName(0, 'csv', 'gzip')).toBe('tenants/acme/jobs/job-1/part-00001.csv.gz');
  });
});
