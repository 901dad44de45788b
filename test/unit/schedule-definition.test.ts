// The definition of a schedule (the body of POST /v1/schedules), table by table: what is taken and its defaults,
// what is refused and where, the PATCH body and a patched definition checked whole again, a backfill's range, and
// the seconds of a duration.
import { backfillSchema, durationSeconds, patched, scheduleDefinitionSchema, schedulePatchSchema, type ScheduleDefinition } from '../../domain/schedule';

const REQUEST = { source: 'warehouse', table: 'orders' };
// The extraction defaults, as for POST /v1/extractions, but always a job.
const PARSED_REQUEST = { ...REQUEST, format: 'csv', compression: 'gzip', mode: 'job', timeZone: 'UTC' };
const DEFAULTS = { timeZone: 'UTC', jitter: '0s', overlap: 'skip', catchupWindow: '1d' };
const WINDOWED = [
  { column: 'created_at', op: 'gte', value: { $runWindowStart: true } },
  { column: 'created_at', op: 'lt', value: { $runWindowEnd: true } },
];

const definition = (input: object): ScheduleDefinition => scheduleDefinitionSchema.parse({ request: REQUEST, ...input });

describe('a valid definition, with its defaults', () => {
  test.each([
    ['an interval: UTC, no jitter, skip, 1d catch-up, a CSV gzip job', { interval: '15m' }, { interval: '15m', ...DEFAULTS, request: PARSED_REQUEST }],
    ['a macro', { cron: '@daily' }, { cron: '@daily', ...DEFAULTS, request: PARSED_REQUEST }],
    ['a cron expression in a time zone', { cron: '30 9 * * 1-5', timeZone: 'Europe/Berlin' }, { cron: '30 9 * * 1-5', ...DEFAULTS, timeZone: 'Europe/Berlin', request: PARSED_REQUEST }],
    ['a cron expression with spaces around it, kept without them', { cron: ' @hourly ' }, { cron: '@hourly', ...DEFAULTS, request: PARSED_REQUEST }],
    ['the day of the week by name', { cron: '0 6 * * MON-FRI' }, { cron: '0 6 * * MON-FRI', ...DEFAULTS, request: PARSED_REQUEST }],
    ['the shortest and longest interval', { interval: '1s' }, { interval: '1s', ...DEFAULTS, request: PARSED_REQUEST }],
    ['a year and a day', { interval: '366d' }, { interval: '366d', ...DEFAULTS, request: PARSED_REQUEST }],
    ['every option given',
      { interval: '1h', timeZone: 'Asia/Kolkata', startAt: '2026-06-01T00:00:00+05:30', endAt: '2026-12-01T00:00:00Z', jitter: '1d', overlap: 'allow_all', catchupWindow: '10s', note: 'hourly orders' },
      { interval: '1h', timeZone: 'Asia/Kolkata', startAt: '2026-06-01T00:00:00+05:30', endAt: '2026-12-01T00:00:00Z', jitter: '1d', overlap: 'allow_all', catchupWindow: '10s', note: 'hourly orders', request: PARSED_REQUEST }],
    ['recipients beside the request, with their default events',
      { interval: '1d', notify: { emails: ['ops@example.com'] } },
      { interval: '1d', ...DEFAULTS, notify: { emails: ['ops@example.com'], events: ['job.completed', 'job.failed', 'job.cancelled'] }, request: PARSED_REQUEST }],
    ['mode "job" given', { interval: '1d', request: { ...REQUEST, mode: 'job' } }, { interval: '1d', ...DEFAULTS, request: PARSED_REQUEST }],
    ['a request of its own format', { interval: '1d', request: { ...REQUEST, format: 'parquet', compression: 'none' } },
      { interval: '1d', ...DEFAULTS, request: { ...PARSED_REQUEST, format: 'parquet', compression: 'none' } }],
    ['a query', { interval: '1d', request: { source: 'warehouse', query: 'select 1' } },
      { interval: '1d', ...DEFAULTS, request: { source: 'warehouse', query: 'select 1', format: 'csv', compression: 'gzip', mode: 'job', timeZone: 'UTC' } }],
    ['a filter with the run-window placeholders, kept as given', { interval: '1d', request: { ...REQUEST, filter: WINDOWED } },
      { interval: '1d', ...DEFAULTS, request: { ...PARSED_REQUEST, filter: WINDOWED } }],
    ['a placeholder inside an in array', { interval: '1d', request: { ...REQUEST, filter: [{ column: 'day', op: 'in', value: [{ $runWindowStart: true }, '2026-01-01'] }] } },
      { interval: '1d', ...DEFAULTS, request: { ...PARSED_REQUEST, filter: [{ column: 'day', op: 'in', value: [{ $runWindowStart: true }, '2026-01-01'] }] } }],
  ])('%s', (_name, input, expected) => {
    expect(scheduleDefinitionSchema.parse({ request: REQUEST, ...input })).toEqual(expected);
  });
});

describe('an invalid definition: one issue, where and why', () => {
  test.each([
    ['both cron and interval', { cron: '@daily', interval: '1d' }, ['cron'], /give either "cron" or "interval"/],
    ['neither cron nor interval', {}, ['cron'], /give either "cron" or "interval"/],
    ['a cron expression of 4 fields', { cron: '0 0 * *' }, ['cron'], /five fields: minute hour day-of-month month day-of-week/],
    ['a cron expression of 6 fields (seconds)', { cron: '0 0 12 * * *' }, ['cron'], /five fields/],
    ['both day fields restricted', { cron: '0 0 1 * 1' }, ['cron'], /restrict the day of the month or the day of the week, not both/],
    ['a macro that does not exist', { cron: '@fortnightly' }, ['cron'], /or @hourly, @daily/],
    ['the last day of the month (L)', { cron: '0 0 L * *' }, ['cron'], /L, W, # and \? are not read/],
    ['the second Monday (1#2)', { cron: '0 0 * * 1#2' }, ['cron'], /L, W, # and \? are not read/],
    ['a question mark for a day', { cron: '0 0 * * ?' }, ['cron'], /L, W, # and \? are not read/],
    ['a time zone in the wrong case', { cron: '@daily', timeZone: 'europe/berlin' }, ['timeZone'], /spelled as in the IANA database: "Europe\/Berlin"/],
    ['UTC in lower case', { cron: '@daily', timeZone: 'utc' }, ['timeZone'], /"UTC"/],
    ['a minute out of range', { cron: '60 * * * *' }, ['cron'], /not a valid cron expression/],
    ['a date that never comes (30 February)', { cron: '0 0 30 2 *' }, ['cron'], /not a valid cron expression/],
    ['a duration in words', { interval: '5 seconds' }, ['interval'], /interval is a duration such as "30s", "15m", "2h" or "1d"/],
    ['a duration in milliseconds', { interval: '500ms' }, ['interval'], /a duration such as/],
    ['an interval of 0s', { interval: '0s' }, ['interval'], /interval is between 1 s and 366 days/],
    ['an interval of 400d', { interval: '400d' }, ['interval'], /interval is between 1 s and 366 days/],
    ['a catch-up window of 1s', { interval: '1d', catchupWindow: '1s' }, ['catchupWindow'], /catchupWindow is between 10 s and 366 days/],
    ['a catch-up window of 400d', { interval: '1d', catchupWindow: '400d' }, ['catchupWindow'], /catchupWindow is between 10 s/],
    ['a jitter over a day', { interval: '1d', jitter: '25h' }, ['jitter'], /jitter is between 0 s and 1 day$/],
    ['an unknown time zone', { cron: '@daily', timeZone: 'Mars/Olympus' }, ['timeZone'], /is not an IANA time zone name/],
    ['an offset for a time zone', { cron: '@daily', timeZone: '+02:00' }, ['timeZone'], /is not an IANA time zone name/],
    ['endAt before startAt', { interval: '1d', startAt: '2026-06-02T00:00:00Z', endAt: '2026-06-01T00:00:00Z' }, ['endAt'], /"endAt" comes after "startAt"/],
    ['endAt at startAt', { interval: '1d', startAt: '2026-06-01T00:00:00Z', endAt: '2026-06-01T00:00:00Z' }, ['endAt'], /"endAt" comes after "startAt"/],
    ['endAt before startAt, given in other offsets', { interval: '1d', startAt: '2026-06-01T01:00:00+02:00', endAt: '2026-05-31T22:30:00Z' }, ['endAt'], /comes after/],
    ['a date for startAt', { interval: '1d', startAt: '2026-06-01' }, ['startAt'], /an instant such as "2026-12-01T00:00:00Z"/],
    ['an unknown overlap policy', { interval: '1d', overlap: 'queue' }, ['overlap'], /skip/],
    ['request.mode inline', { interval: '1d', request: { ...REQUEST, mode: 'inline' } }, ['request', 'mode'], /each run of a schedule is a job/],
    ['request.mode auto', { interval: '1d', request: { ...REQUEST, mode: 'auto' } }, ['request', 'mode'], /leave "mode" out or give "job"/],
    ['request.notify', { interval: '1d', request: { ...REQUEST, notify: { emails: ['ops@example.com'] } } }, ['request', 'notify'], /move "notify" up beside "request"/],
    ['an unknown placeholder', { interval: '1d', request: { ...REQUEST, filter: [{ column: 'created_at', op: 'gte', value: { $runWindowMiddle: true } }] } },
      ['request', 'filter', 0, 'value'], /a value is a string, a number or a boolean/],
    ['a placeholder with false', { interval: '1d', request: { ...REQUEST, filter: [{ column: 'created_at', op: 'gte', value: { $runWindowStart: false } }] } },
      ['request', 'filter', 0, 'value'], /a value is a string, a number or a boolean/],
    ['a placeholder for is_null', { interval: '1d', request: { ...REQUEST, filter: [{ column: 'created_at', op: 'is_null', value: { $runWindowEnd: true } }] } },
      ['request', 'filter', 0, 'value'], /is_null takes no value/],
    ['a request without table or query', { interval: '1d', request: { source: 'warehouse' } }, ['request', 'table'], /give either "table" or "query"/],
    ['no request', { interval: '1d', request: undefined }, ['request'], /expected object/],
    ['recipients without anyone', { interval: '1d', notify: {} }, ['notify', 'emails'], /names no recipient/],
    ['a note over 500 characters', { interval: '1d', note: 'x'.repeat(501) }, ['note'], /500/],
    ['an unknown field', { interval: '1d', every: '1d' }, [], /every/],
  ])('%s', (_name, input, path, message) => {
    const result = scheduleDefinitionSchema.safeParse({ request: REQUEST, ...input });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });
});

describe('PATCH', () => {
  test.each([
    ['nothing', {}, {}],
    ['a note alone: no field defaulted', { note: 'nightly now' }, { note: 'nightly now' }],
    ['the time zone alone', { timeZone: 'America/New_York' }, { timeZone: 'America/New_York' }],
    ['the overlap policy and the catch-up window', { overlap: 'buffer_one', catchupWindow: '1h' }, { overlap: 'buffer_one', catchupWindow: '1h' }],
    ['a request, checked and filled in as on POST', { request: { ...REQUEST, filter: WINDOWED } }, { request: { ...PARSED_REQUEST, filter: WINDOWED } }],
  ])('takes %s', (_name, input, expected) => {
    expect(schedulePatchSchema.parse(input)).toEqual(expected);
  });

  test.each([
    ['a bad cron expression', { cron: '0 0 * *' }, ['cron']],
    ['an interval of 0s', { interval: '0s' }, ['interval']],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, ['timeZone']],
    ['a request in mode inline', { request: { ...REQUEST, mode: 'inline' } }, ['request', 'mode']],
    ['an unknown field', { every: '1d' }, []],
  ])('refuses %s', (_name, input, path) => {
    const result = schedulePatchSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path)).toEqual([path]);
  });

  const byInterval = definition({ interval: '1d', startAt: '2026-06-01T00:00:00Z', note: 'daily', request: { ...REQUEST, filter: WINDOWED } });
  const byCron = definition({ cron: '0 6 * * *', timeZone: 'Europe/Berlin', request: { ...REQUEST, filter: WINDOWED } });

  test.each([
    ['cron replaces interval', byInterval, { cron: '@hourly' }, { cron: '@hourly', timeZone: 'UTC', startAt: '2026-06-01T00:00:00Z', note: 'daily' }, 'interval'],
    ['interval replaces cron', byCron, { interval: '5m' }, { interval: '5m', timeZone: 'Europe/Berlin' }, 'cron'],
    ['another time zone, the cron expression kept', byCron, { timeZone: 'Asia/Kolkata' }, { cron: '0 6 * * *', timeZone: 'Asia/Kolkata' }, 'interval'],
    ['the note changed, everything else kept', byInterval, { note: 'daily orders' }, { interval: '1d', startAt: '2026-06-01T00:00:00Z', note: 'daily orders', overlap: 'skip', catchupWindow: '1d' }, 'cron'],
    ['nothing changed', byCron, {}, byCron, 'interval'],
  ])('patched: %s', (_name, current, patch, expected, absent) => {
    const result = patched(current, schedulePatchSchema.parse(patch));
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject(expected);
    expect(result.data).not.toHaveProperty(absent);
    expect(result.data!.request).toEqual({ ...PARSED_REQUEST, filter: WINDOWED });
  });

  test.each([
    ['endAt before the schedule\'s startAt', byInterval, { endAt: '2026-05-01T00:00:00Z' }, ['endAt'], /"endAt" comes after "startAt"/],
    ['startAt after the schedule\'s endAt', definition({ interval: '1d', endAt: '2026-06-01T00:00:00Z' }), { startAt: '2026-07-01T00:00:00Z' }, ['endAt'], /comes after/],
    ['both cron and interval at once', byInterval, { cron: '@daily', interval: '1h' }, ['cron'], /give either "cron" or "interval"/],
  ])('patched, invalid as a whole: %s', (_name, current, patch, path, message) => {
    const result = patched(current, schedulePatchSchema.parse(patch));
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });

  test('patched leaves the current definition as it was', () => {
    const before = structuredClone(byInterval);
    patched(byInterval, { cron: '@daily', note: 'changed' });
    expect(byInterval).toEqual(before);
  });
});

describe('backfill', () => {
  test.each([
    ['a range', { start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z' }],
    ['a range in other offsets', { start: '2026-05-01T00:00:00+02:00', end: '2026-05-01T00:00:00Z' }],
    ['a range with an overlap policy', { start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z', overlap: 'allow_all' }],
  ])('takes %s', (_name, input) => {
    expect(backfillSchema.parse(input)).toEqual(input);
  });

  test.each([
    ['end before start', { start: '2026-06-01T00:00:00Z', end: '2026-05-01T00:00:00Z' }, ['end'], /"end" comes after "start"/],
    ['end at start', { start: '2026-06-01T00:00:00Z', end: '2026-06-01T00:00:00Z' }, ['end'], /"end" comes after "start"/],
    ['an unknown overlap policy', { start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z', overlap: 'never' }, ['overlap'], /allow_all/],
    ['no start', { end: '2026-06-01T00:00:00Z' }, ['start'], /./],
    ['a date for end', { start: '2026-05-01T00:00:00Z', end: '2026-06-01' }, ['end'], /an instant such as/],
    ['an unknown field', { start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z', count: 3 }, [], /count/],
  ])('refuses %s', (_name, input, path, message) => {
    const result = backfillSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });
});

test.each([
  ['0s', 0],
  ['1s', 1],
  ['30s', 30],
  ['15m', 900],
  ['2h', 7200],
  ['1d', 86_400],
  ['366d', 31_622_400],
  ['90m', 5400],
])('durationSeconds(%j) is %i', (text, seconds) => {
  expect(durationSeconds(text)).toBe(seconds);
});
