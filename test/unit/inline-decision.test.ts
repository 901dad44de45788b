// The inline/job switch: each threshold on both sides, in each mode, and the running check of an answer whose
// estimate was wrong.
import { answerBytes, decide, overrun, type DecisionInput, type InlineLimits } from '../../domain/inline-decision';

const limits: InlineLimits = { maxRows: 100_000, maxBytes: 50_000_000, maxCost: 500_000, maxConcurrent: 4, timeoutMs: 10_000 };
const small = { rows: 10, bytes: 1_000, cost: 12.5 };
const input = (over: Partial<DecisionInput> = {}): DecisionInput => ({ mode: 'auto', format: 'csv', estimate: small, limits, inlineInUse: 0, tenantInline: { inUse: 0, limit: 2 }, ...over });

describe('each threshold, both sides', () => {
  test.each([
    // what, input, auto gives, inline gives
    ['rows at the limit', { estimate: { ...small, rows: 100_000 } }, 'inline', 'within_limits'],
    ['rows one over', { estimate: { ...small, rows: 100_001 } }, 'job', 'rows_over_limit'],
    ['bytes at the limit', { estimate: { ...small, bytes: 50_000_000 } }, 'inline', 'within_limits'],
    ['bytes one over', { estimate: { ...small, bytes: 50_000_001 } }, 'job', 'bytes_over_limit'],
    ['cost at the limit', { estimate: { ...small, cost: 500_000 } }, 'inline', 'within_limits'],
    ['cost just over', { estimate: { ...small, cost: 500_000.01 } }, 'job', 'cost_over_limit'],
    ['one slot left', { inlineInUse: 3 }, 'inline', 'within_limits'],
    ['no slot left', { inlineInUse: 4 }, 'job', 'inline_capacity_saturated'],
    ['inline answers switched off', { limits: { ...limits, maxConcurrent: 0 } }, 'job', 'inline_capacity_saturated'],
    ['one left of the tenant\'s own', { tenantInline: { inUse: 1, limit: 2 } }, 'inline', 'within_limits'],
    ['none left of the tenant\'s own', { tenantInline: { inUse: 2, limit: 2 } }, 'job', 'tenant_inline_limit'],
    ['the tenant may have none', { tenantInline: { inUse: 0, limit: 0 } }, 'job', 'tenant_inline_limit'],
  ] as const)('%s: auto → %s (%s)', (_what, over, autoMode, rule) => {
    expect(decide(input(over))).toEqual({ mode: autoMode, rule });
    expect(decide(input({ ...over, mode: 'inline' }))).toEqual({ mode: autoMode === 'job' ? 'refuse' : 'inline', rule });
    expect(decide(input({ ...over, mode: 'job' }))).toEqual({ mode: 'job', rule: 'job_requested' });
  });
});

describe('what stands in the way first', () => {
  test.each([
    ['rows before bytes and cost', { estimate: { rows: 200_000, bytes: 60_000_000, cost: 600_000 } }, 'rows_over_limit'],
    ['bytes before cost', { estimate: { ...small, bytes: 60_000_000, cost: 600_000 } }, 'bytes_over_limit'],
    ['size before capacity: too large is not "come back later"', { estimate: { ...small, cost: 600_000 }, inlineInUse: 4 }, 'cost_over_limit'],
    ['no estimate (the source could not be asked)', { estimate: null }, 'source_unavailable'],
    ['the tenant\'s limit before the server\'s', { inlineInUse: 4, tenantInline: { inUse: 2, limit: 2 } }, 'tenant_inline_limit'],
  ] as const)('%s', (_what, over, rule) => {
    expect(decide(input(over))).toEqual({ mode: 'job', rule });
    expect(decide(input({ ...over, mode: 'inline' }))).toEqual({ mode: 'refuse', rule });
  });

  test.each(['csv', 'ndjson'] as const)('%s can be answered inline', (format) => {
    expect(decide(input({ format }))).toEqual({ mode: 'inline', rule: 'within_limits' });
  });

  test('a format inline answers cannot give becomes a job', () => {
    const format = 'parquet' as unknown as DecisionInput['format']; // a file-only format
    expect(decide(input({ format }))).toEqual({ mode: 'job', rule: 'format_needs_job' });
    expect(decide(input({ format, mode: 'inline' }))).toEqual({ mode: 'refuse', rule: 'format_needs_job' });
  });
});

describe('a running answer whose estimate was wrong', () => {
  test.each([
    [{ rows: 100_000, bytes: 50_000_000 }, null],
    [{ rows: 100_001, bytes: 1_000 }, 'actual_rows_over_limit'],
    [{ rows: 10, bytes: 50_000_001 }, 'actual_bytes_over_limit'],
    [{ rows: 100_001, bytes: 50_000_001 }, 'actual_rows_over_limit'],
  ])('%j → %s', (seen, rule) => {
    expect(overrun(seen, limits)).toBe(rule);
  });
});

describe('answer bytes: plan bytes plus the format punctuation', () => {
  const plan = { rows: 10, bytes: 120 }; // columns "id" and "name"
  test('csv: a comma or newline per value, and the header line', () => {
    // "id,name\n" is 8 bytes; 2 separators per row.
    expect(answerBytes(plan, ['id', 'name'], 'csv')).toBe(120 + 10 * 2 + 8);
  });
  test('ndjson: braces, newline, and per column its quoted name, colon and comma', () => {
    // {"id":…,"name":…}\n adds 16 bytes to the values.
    expect(answerBytes(plan, ['id', 'name'], 'ndjson')).toBe(120 + 10 * 16);
  });
});
