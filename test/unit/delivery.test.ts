// What an attempt's answer makes of a delivery, and the retry schedule as the setting gives it.
import { outcomeOf, parseSchedule, STANDARD_SCHEDULE } from '../../domain/delivery';

test.each([
  [200, false, 'delivered'],
  [204, true, 'delivered'],
  [410, false, 'gone'],
  [410, true, 'gone'],
  [500, false, 'retry'],
  [500, true, 'failed'],
  [404, false, 'retry'],
  [null, false, 'retry'], // no answer: timeout, refused connection, a redirect not followed
  [null, true, 'failed'],
] as const)('status %s, last attempt %s → %s', (status, last, outcome) => {
  expect(outcomeOf(status, last)).toBe(outcome);
});

test.each([
  [STANDARD_SCHEDULE, [0, 5, 300, 1800, 7200, 18000, 36000, 36000]],
  ['0', [0]],
  [' 0, 1 ,2', [0, 1, 2]],
  ['', null],
  ['0,,1', null],
  ['0,-1', null],
  ['0,1.5', null],
  ['0,x', null],
  ['0,604801', null],
])('schedule %j → %j', (text, seconds) => {
  expect(parseSchedule(text)).toEqual(seconds);
});
