// Whether a run a schedule fired goes ahead (late past its catch-up window, or the tenant's quota spent), and when
// a definition fires as the window computation reads it, table by table.
import { runWindow } from '../../domain/run-window';
import { scheduleDefinitionSchema } from '../../domain/schedule';
import { fireSpecOf, runSkip } from '../../domain/schedule-run';

const NOMINAL = '2026-06-01T12:00:00.000Z';
const after = (ms: number) => new Date(Date.parse(NOMINAL) + ms);
const DAY = 86_400_000;

test.each([
  ['on time', '1d', 0, false, null],
  ['a few seconds late (a worker was busy)', '1d', 5000, false, null],
  ['late by just under the catch-up window', '1d', DAY - 1, false, null],
  ['late by exactly the catch-up window', '1d', DAY, false, null],
  ['late by just over the catch-up window', '1d', DAY + 1, false, 'late'],
  ['late by a week', '1d', 7 * DAY, false, 'late'],
  ['late by just under a 10s window', '10s', 9999, false, null],
  ['late by just over a 10s window', '10s', 10_001, false, 'late'],
  ['late by 2 h with a 1h window', '1h', 2 * 3_600_000, false, 'late'],
  ['on time, the quota spent', '1d', 0, true, 'quota'],
  ['late within the window, the quota spent', '1d', DAY - 1, true, 'quota'],
  ['late past the window and the quota spent: late', '1d', DAY + 1, true, 'late'],
] as const)('%s (catch-up window %s): %s', (_name, catchupWindow, lateMs, quotaSpent, expected) => {
  expect(runSkip({ catchupWindow, nominal: new Date(NOMINAL), firstChance: after(lateMs), quotaSpent })).toBe(expected);
});

const REQUEST = { source: 'warehouse', table: 'orders' };

test.each([
  ['a cron expression (UTC by default)', { cron: '0 6 * * *' }, { cron: '0 6 * * *', intervalSeconds: undefined, timeZone: 'UTC' }],
  ['a cron expression in a time zone', { cron: '@daily', timeZone: 'Asia/Kolkata' }, { cron: '@daily', intervalSeconds: undefined, timeZone: 'Asia/Kolkata' }],
  ['an interval of 5s', { interval: '5s' }, { cron: undefined, intervalSeconds: 5, timeZone: 'UTC' }],
  ['an interval of 15m', { interval: '15m' }, { cron: undefined, intervalSeconds: 900, timeZone: 'UTC' }],
  ['an interval of 1d (its time zone does not matter)', { interval: '1d', timeZone: 'Europe/Berlin' }, { cron: undefined, intervalSeconds: 86_400, timeZone: 'Europe/Berlin' }],
])('fireSpecOf %s', (_name, input, expected) => {
  expect(fireSpecOf(scheduleDefinitionSchema.parse({ request: REQUEST, ...input }))).toEqual(expected);
});

test.each([
  ['@daily in Asia/Kolkata', { cron: '@daily', timeZone: 'Asia/Kolkata' }, '2026-06-01T18:30:00.000Z', '2026-05-31T18:30:00.000Z'],
  ['weekdays at 06:00 UTC, on a Monday', { cron: '0 6 * * 1-5' }, '2026-06-01T06:00:00.000Z', '2026-05-29T06:00:00.000Z'],
  ['every 15m', { interval: '15m' }, '2026-06-01T12:15:00.000Z', '2026-06-01T12:00:00.000Z'],
  ['every 1d in Europe/Berlin: UTC days all the same', { interval: '1d', timeZone: 'Europe/Berlin' }, '2026-06-02T00:00:00.000Z', '2026-06-01T00:00:00.000Z'],
])('the window of a run of a definition: %s', (_name, input, nominal, start) => {
  const definition = scheduleDefinitionSchema.parse({ request: REQUEST, ...input });
  expect(runWindow(fireSpecOf(definition), new Date(nominal))).toEqual({ start, end: nominal });
});
