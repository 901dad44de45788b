// The window of a schedule's run, table by table: the fire time before a run (intervals from the Unix epoch, cron
// in UTC and in time zones, across the DST changes of 2026 in Berlin, the macros), the next fire times within a
// schedule's bounds, that each run's window starts where the one before ended, and the placeholders of a request.
import { nextFireTimes, previousFireTime, runWindow, withRunWindow, type FireSpec, type ScheduledRequest } from '../../domain/run-window';

const iso = (d: Date) => d.toISOString();
const every = (intervalSeconds: number): FireSpec => ({ intervalSeconds, timeZone: 'UTC' });
const cron = (expression: string, timeZone = 'UTC'): FireSpec => ({ cron: expression, timeZone });

describe('previousFireTime of an interval (counted from the Unix epoch)', () => {
  test.each([
    ['1s, on a fire time: the second before', 1, '2026-06-01T12:00:00.000Z', '2026-06-01T11:59:59.000Z'],
    ['1s, between fire times', 1, '2026-06-01T12:00:00.500Z', '2026-06-01T12:00:00.000Z'],
    ['5s, on a fire time', 5, '2026-06-01T12:00:05.000Z', '2026-06-01T12:00:00.000Z'],
    ['5s, between fire times', 5, '2026-06-01T12:00:07.000Z', '2026-06-01T12:00:05.000Z'],
    ['5s, a millisecond after a fire time', 5, '2026-06-01T12:00:05.001Z', '2026-06-01T12:00:05.000Z'],
    ['15m, on a fire time', 900, '2026-06-01T12:15:00.000Z', '2026-06-01T12:00:00.000Z'],
    ['15m, between fire times', 900, '2026-06-01T12:07:00.000Z', '2026-06-01T12:00:00.000Z'],
    ['15m, a millisecond before a fire time', 900, '2026-06-01T12:14:59.999Z', '2026-06-01T12:00:00.000Z'],
    ['1d, on a fire time (UTC midnight)', 86_400, '2026-06-01T00:00:00.000Z', '2026-05-31T00:00:00.000Z'],
    ['1d, between fire times', 86_400, '2026-06-01T12:00:00.000Z', '2026-06-01T00:00:00.000Z'],
    ['1d, across a year end', 86_400, '2027-01-01T00:00:00.000Z', '2026-12-31T00:00:00.000Z'],
    // 2026-06-01T00:00:00Z is 1 780 272 000 s after the epoch, 360 s past a multiple of 420.
    ['7m, not a divisor of the hour: from the epoch, not from the hour', 420, '2026-06-01T00:00:00.000Z', '2026-05-31T23:54:00.000Z'],
  ])('%s', (_name, seconds, at, expected) => {
    expect(iso(previousFireTime(every(seconds), new Date(at)))).toBe(expected);
  });
});

describe('previousFireTime of a cron expression', () => {
  test.each([
    ['UTC, on a fire time: the one before', '0 12 * * *', 'UTC', '2026-06-01T12:00:00.000Z', '2026-05-31T12:00:00.000Z'],
    ['UTC, half a second after a fire time', '0 12 * * *', 'UTC', '2026-06-01T12:00:00.500Z', '2026-06-01T12:00:00.000Z'],
    ['UTC, a millisecond before a fire time', '0 12 * * *', 'UTC', '2026-06-01T11:59:59.999Z', '2026-05-31T12:00:00.000Z'],
    ['UTC, every 5 minutes', '*/5 * * * *', 'UTC', '2026-06-01T12:07:30.000Z', '2026-06-01T12:05:00.000Z'],
    ['UTC, weekdays at 09:30, on a Monday from Sunday', '30 9 * * 1-5', 'UTC', '2026-06-01T09:00:00.000Z', '2026-05-29T09:30:00.000Z'],
    ['UTC, the first of the month', '0 6 1 * *', 'UTC', '2026-03-15T00:00:00.000Z', '2026-03-01T06:00:00.000Z'],
    ['Asia/Kolkata (+05:30): its midnight is 18:30 UTC', '0 0 * * *', 'Asia/Kolkata', '2026-06-01T12:00:00.000Z', '2026-05-31T18:30:00.000Z'],
    ['Asia/Kolkata, 09:00 there is 03:30 UTC', '0 9 * * *', 'Asia/Kolkata', '2026-06-01T04:00:00.000Z', '2026-06-01T03:30:00.000Z'],
    ['America/New_York in summer (EDT, -04:00)', '30 9 * * *', 'America/New_York', '2026-06-01T20:00:00.000Z', '2026-06-01T13:30:00.000Z'],
    ['America/New_York in winter (EST, -05:00)', '30 9 * * *', 'America/New_York', '2026-01-15T20:00:00.000Z', '2026-01-15T14:30:00.000Z'],
    ['America/New_York, its evening is the next UTC day', '0 22 * * *', 'America/New_York', '2026-06-02T03:00:00.000Z', '2026-06-02T02:00:00.000Z'],
    ['@hourly', '@hourly', 'UTC', '2026-06-01T12:30:00.000Z', '2026-06-01T12:00:00.000Z'],
    ['@daily', '@daily', 'UTC', '2026-06-01T12:00:00.000Z', '2026-06-01T00:00:00.000Z'],
    ['@daily in Asia/Kolkata', '@daily', 'Asia/Kolkata', '2026-06-01T12:00:00.000Z', '2026-05-31T18:30:00.000Z'],
    ['@weekly: Sunday midnight (2026-05-31 is a Sunday)', '@weekly', 'UTC', '2026-06-03T12:30:00.000Z', '2026-05-31T00:00:00.000Z'],
    ['@monthly: the first at midnight', '@monthly', 'UTC', '2026-06-03T12:30:00.000Z', '2026-06-01T00:00:00.000Z'],
    ['@monthly, on its fire time: the month before', '@monthly', 'UTC', '2026-03-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ['@yearly', '@yearly', 'UTC', '2026-06-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
  ])('%s', (_name, expression, timeZone, at, expected) => {
    expect(iso(previousFireTime(cron(expression, timeZone), new Date(at)))).toBe(expected);
  });
});

// Europe/Berlin, 2026: on 29 March 02:00 CET (01:00 UTC) the clocks go to 03:00 CEST; on 25 October 03:00 CEST
// (01:00 UTC) they go back to 02:00 CET, so 02:00-02:59 comes twice. As Temporal reads a cron expression, a time
// the spring change skips does not fire that day, and a time that comes twice in autumn fires twice.
describe('across a DST change (Europe/Berlin)', () => {
  test.each([
    ["'0 2 * * *' in spring: no 02:00 on 29 March, the window from 28 March is 47 h", '0 2 * * *', '2026-03-30T00:00:00.000Z', '2026-03-28T01:00:00.000Z'],
    ["'0 2 * * *' in spring: on the day itself the last run is still 28 March", '0 2 * * *', '2026-03-29T12:00:00.000Z', '2026-03-28T01:00:00.000Z'],
    ["'0 3 * * *' in spring: 03:00 CEST exists, a 23 h window", '0 3 * * *', '2026-03-29T01:00:00.000Z', '2026-03-28T02:00:00.000Z'],
    ["'0 12 * * *' in spring: noon CEST after noon CET, a 23 h window", '0 12 * * *', '2026-03-29T10:00:00.000Z', '2026-03-28T11:00:00.000Z'],
    ["'0 * * * *' in spring: 01:00 CET then 03:00 CEST, an hour apart", '0 * * * *', '2026-03-29T01:00:00.000Z', '2026-03-29T00:00:00.000Z'],
    ["'0 2 * * *' in autumn: the second 02:00 (CET) follows the first (CEST) an hour later", '0 2 * * *', '2026-10-25T01:00:00.000Z', '2026-10-25T00:00:00.000Z'],
    ["'0 2 * * *' in autumn: the next day's run starts from the second 02:00", '0 2 * * *', '2026-10-26T01:00:00.000Z', '2026-10-25T01:00:00.000Z'],
    ["'30 2 * * *' in autumn: 02:30 CET after 02:30 CEST", '30 2 * * *', '2026-10-25T01:30:00.000Z', '2026-10-25T00:30:00.000Z'],
    ["'0 12 * * *' in autumn: noon CET after noon CEST, a 25 h window", '0 12 * * *', '2026-10-25T11:00:00.000Z', '2026-10-24T10:00:00.000Z'],
    ["'0 * * * *' in autumn: every UTC hour, through the repeated one", '0 * * * *', '2026-10-25T02:00:00.000Z', '2026-10-25T01:00:00.000Z'],
  ])('%s', (_name, expression, nominal, start) => {
    expect(runWindow(cron(expression, 'Europe/Berlin'), new Date(nominal))).toEqual({ start, end: nominal });
  });
});

describe('runWindow', () => {
  test.each([
    ['15m, on time', every(900), '2026-06-01T12:15:00.000Z', { start: '2026-06-01T12:00:00.000Z', end: '2026-06-01T12:15:00.000Z' }],
    ['1d', every(86_400), '2026-06-02T00:00:00.000Z', { start: '2026-06-01T00:00:00.000Z', end: '2026-06-02T00:00:00.000Z' }],
    ['@daily in Asia/Kolkata', cron('@daily', 'Asia/Kolkata'), '2026-06-01T18:30:00.000Z', { start: '2026-05-31T18:30:00.000Z', end: '2026-06-01T18:30:00.000Z' }],
    ['a manual run ends when triggered, from the fire time before', every(3600), '2026-06-01T12:34:56.789Z', { start: '2026-06-01T12:00:00.000Z', end: '2026-06-01T12:34:56.789Z' }],
    ['a manual run of a weekday cron on a Saturday', cron('0 6 * * 1-5'), '2026-06-06T10:00:00.000Z', { start: '2026-06-05T06:00:00.000Z', end: '2026-06-06T10:00:00.000Z' }],
  ])('%s', (_name, spec, nominal, expected) => {
    expect(runWindow(spec, new Date(nominal))).toEqual(expected);
  });
});

describe('nextFireTimes', () => {
  test.each([
    ['15m, three from between fire times', { ...every(900) }, '2026-06-01T12:07:00Z', 3, ['2026-06-01T12:15:00.000Z', '2026-06-01T12:30:00.000Z', '2026-06-01T12:45:00.000Z']],
    ['15m, from a fire time: not that one', { ...every(900) }, '2026-06-01T12:15:00Z', 2, ['2026-06-01T12:30:00.000Z', '2026-06-01T12:45:00.000Z']],
    ['a count of none', { ...every(900) }, '2026-06-01T12:07:00Z', 0, []],
    ['1h, startAt on a fire time: that one first', { ...every(3600), startAt: '2026-06-03T00:00:00Z' }, '2026-06-01T00:00:00Z', 2, ['2026-06-03T00:00:00.000Z', '2026-06-03T01:00:00.000Z']],
    ['1h, startAt between fire times: none before it', { ...every(3600), startAt: '2026-06-03T00:30:00Z' }, '2026-06-01T00:00:00Z', 2, ['2026-06-03T01:00:00.000Z', '2026-06-03T02:00:00.000Z']],
    ['1h, startAt already past: from now', { ...every(3600), startAt: '2026-01-01T00:00:00Z' }, '2026-06-01T00:30:00Z', 1, ['2026-06-01T01:00:00.000Z']],
    ['15m, between startAt and endAt (endAt itself fires)', { ...every(900), startAt: '2026-06-01T00:00:00Z', endAt: '2026-06-01T01:00:00Z' }, '2026-05-01T00:00:00Z', 10,
      ['2026-06-01T00:00:00.000Z', '2026-06-01T00:15:00.000Z', '2026-06-01T00:30:00.000Z', '2026-06-01T00:45:00.000Z', '2026-06-01T01:00:00.000Z']],
    ['1h, endAt already past: none', { ...every(3600), endAt: '2026-05-01T00:00:00Z' }, '2026-06-01T00:00:00Z', 3, []],
    ['cron, three', { ...cron('0 12 * * *') }, '2026-06-01T00:00:00Z', 3, ['2026-06-01T12:00:00.000Z', '2026-06-02T12:00:00.000Z', '2026-06-03T12:00:00.000Z']],
    ['cron, from a fire time: not that one', { ...cron('0 12 * * *') }, '2026-06-01T12:00:00Z', 1, ['2026-06-02T12:00:00.000Z']],
    ['cron, a millisecond before a fire time: that one', { ...cron('0 12 * * *') }, '2026-06-01T11:59:59.999Z', 1, ['2026-06-01T12:00:00.000Z']],
    ['cron, endAt on a fire time: that one last', { ...cron('0 12 * * *'), endAt: '2026-06-03T12:00:00Z' }, '2026-06-01T00:00:00Z', 5, ['2026-06-01T12:00:00.000Z', '2026-06-02T12:00:00.000Z', '2026-06-03T12:00:00.000Z']],
    ['cron, endAt a second before a fire time: not that one', { ...cron('0 12 * * *'), endAt: '2026-06-03T11:59:59Z' }, '2026-06-01T00:00:00Z', 5, ['2026-06-01T12:00:00.000Z', '2026-06-02T12:00:00.000Z']],
    ['cron, startAt on a fire time: that one first', { ...cron('0 12 * * *'), startAt: '2026-06-05T12:00:00Z' }, '2026-06-01T00:00:00Z', 2, ['2026-06-05T12:00:00.000Z', '2026-06-06T12:00:00.000Z']],
    ['cron, startAt half a second after a fire time: not that one', { ...cron('0 12 * * *'), startAt: '2026-06-05T12:00:00.500Z' }, '2026-06-01T00:00:00Z', 1, ['2026-06-06T12:00:00.000Z']],
    ['cron, no fire time between startAt and endAt: none', { ...cron('0 12 * * *'), startAt: '2026-06-05T00:00:00Z', endAt: '2026-06-05T06:00:00Z' }, '2026-06-01T00:00:00Z', 3, []],
    ['weekdays in America/New_York', { ...cron('30 9 * * 1-5', 'America/New_York') }, '2026-06-05T14:00:00Z', 2, ['2026-06-08T13:30:00.000Z', '2026-06-09T13:30:00.000Z']],
    ["'0 2 * * *' over Berlin's spring change: none on 29 March", { ...cron('0 2 * * *', 'Europe/Berlin') }, '2026-03-27T12:00:00Z', 3,
      ['2026-03-28T01:00:00.000Z', '2026-03-30T00:00:00.000Z', '2026-03-31T00:00:00.000Z']],
    ["'0 2 * * *' over Berlin's autumn change: twice on 25 October", { ...cron('0 2 * * *', 'Europe/Berlin') }, '2026-10-23T12:00:00Z', 4,
      ['2026-10-24T00:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-26T01:00:00.000Z']],
    ["'0 2 * * *' over Berlin's autumn change, from between the two 02:00s", { ...cron('0 2 * * *', 'Europe/Berlin') }, '2026-10-25T00:30:00Z', 2,
      ['2026-10-25T01:00:00.000Z', '2026-10-26T01:00:00.000Z']],
    ["'0 2 * * *' over Berlin's autumn change, endAt between the two 02:00s", { ...cron('0 2 * * *', 'Europe/Berlin'), endAt: '2026-10-25T00:30:00Z' }, '2026-10-23T12:00:00Z', 5,
      ['2026-10-24T00:00:00.000Z', '2026-10-25T00:00:00.000Z']],
    ["'0 * * * *' over Berlin's autumn change: every UTC hour", { ...cron('0 * * * *', 'Europe/Berlin') }, '2026-10-24T23:30:00Z', 4,
      ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z']],
    ["'30 1 * * *' over New York's autumn change (1 November): twice", { ...cron('30 1 * * *', 'America/New_York') }, '2026-10-31T12:00:00Z', 3,
      ['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']],
    ["'30 2 * * *' over New York's spring change (8 March): none that day", { ...cron('30 2 * * *', 'America/New_York') }, '2026-03-07T12:00:00Z', 2,
      ['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']],
  ])('%s', (_name, spec, from, count, expected) => {
    expect(nextFireTimes(spec, new Date(from), count).map(iso)).toEqual(expected);
  });

  // What a user of an incremental export checks: each row is pulled once, by one run, whatever the clocks do.
  test.each([
    ['every 7 minutes', every(420), '2026-06-01T00:00:00Z'],
    ['hourly in UTC', cron('@hourly'), '2026-06-01T00:00:00Z'],
    ['weekdays at 09:30 in America/New_York', cron('30 9 * * 1-5', 'America/New_York'), '2026-03-01T00:00:00Z'],
    ['daily at 02:00 over Berlin\'s spring change', cron('0 2 * * *', 'Europe/Berlin'), '2026-03-25T00:00:00Z'],
    ['daily at 02:30 over Berlin\'s autumn change', cron('30 2 * * *', 'Europe/Berlin'), '2026-10-22T00:00:00Z'],
    ['every 20 minutes of 02:00-02:59 over Berlin\'s autumn change', cron('*/20 2 * * *', 'Europe/Berlin'), '2026-10-23T00:00:00Z'],
    ['hourly over Berlin\'s spring change', cron('0 * * * *', 'Europe/Berlin'), '2026-03-28T20:00:00Z'],
    ['daily at 01:30 over New York\'s autumn change', cron('30 1 * * *', 'America/New_York'), '2026-10-29T00:00:00Z'],
    ['@weekly in Asia/Kolkata', cron('@weekly', 'Asia/Kolkata'), '2026-06-01T00:00:00Z'],
  ])('%s: each run\'s window starts where the one before ended', (_name, spec, from) => {
    const times = nextFireTimes(spec, new Date(from), 12);
    expect(times).toHaveLength(12);
    for (let i = 1; i < times.length; i++) expect(runWindow(spec, times[i])).toEqual({ start: iso(times[i - 1]), end: iso(times[i]) });
  });
});

describe('withRunWindow', () => {
  const WINDOW = { start: '2026-06-01T00:00:00.000Z', end: '2026-06-02T00:00:00.000Z' };
  const base = { source: 'warehouse', table: 'orders', format: 'csv', compression: 'gzip', mode: 'job', timeZone: 'UTC' } as const;
  const withFilter = (filter: unknown[]) => ({ ...base, filter }) as unknown as ScheduledRequest;

  test.each([
    ['start and end as single values',
      [{ column: 'created_at', op: 'gte', value: { $runWindowStart: true } }, { column: 'created_at', op: 'lt', value: { $runWindowEnd: true } }],
      [{ column: 'created_at', op: 'gte', value: WINDOW.start }, { column: 'created_at', op: 'lt', value: WINDOW.end }]],
    ['inside an in array, beside other values',
      [{ column: 'day', op: 'in', value: [{ $runWindowStart: true }, 'x', { $runWindowEnd: true }, 3] }],
      [{ column: 'day', op: 'in', value: [WINDOW.start, 'x', WINDOW.end, 3] }]],
    ['other values left as they are',
      [{ column: 'a', op: 'eq', value: 'text' }, { column: 'b', op: 'gt', value: 5 }, { column: 'c', op: 'eq', value: true }, { column: 'd', op: 'is_null' }],
      [{ column: 'a', op: 'eq', value: 'text' }, { column: 'b', op: 'gt', value: 5 }, { column: 'c', op: 'eq', value: true }, { column: 'd', op: 'is_null' }]],
    ['an unknown placeholder, one with false and one with another key left as they are (refused elsewhere)',
      [{ column: 'a', op: 'gte', value: { $runWindowMiddle: true } }, { column: 'b', op: 'gte', value: { $runWindowStart: false } }, { column: 'c', op: 'gte', value: { $runWindowEnd: true, x: 1 } }],
      [{ column: 'a', op: 'gte', value: { $runWindowMiddle: true } }, { column: 'b', op: 'gte', value: { $runWindowStart: false } }, { column: 'c', op: 'gte', value: { $runWindowEnd: true, x: 1 } }]],
  ])('%s', (_name, filter, expected) => {
    expect(withRunWindow(withFilter(filter), WINDOW)).toEqual({ ...base, filter: expected });
  });

  test.each([
    ['a table without filter', { ...base }],
    ['a query', { ...base, table: undefined, query: 'select 1' }],
  ])('%s is returned untouched', (_name, request) => {
    expect(withRunWindow(request as ScheduledRequest, WINDOW)).toEqual(request);
  });

  test('its input is not changed: the schedule keeps its placeholders for the next run', () => {
    const request = withFilter([
      { column: 'created_at', op: 'gte', value: { $runWindowStart: true } },
      { column: 'day', op: 'in', value: [{ $runWindowEnd: true }] },
    ]);
    const before = structuredClone(request);
    withRunWindow(request, WINDOW);
    expect(request).toEqual(before);
  });
});
