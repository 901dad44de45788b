// What one attempt at a webhook delivery comes to, from the receiver's answer. Pure.

/** delivered: 2xx; gone: 410 (the endpoint is disabled); abandoned: the endpoint was disabled or deleted meanwhile;
 * retry: another attempt follows; failed: the last attempt of the schedule did not get through. */
export type DeliveryOutcome = 'delivered' | 'gone' | 'abandoned' | 'retry' | 'failed';

export function outcomeOf(status: number | null, last: boolean): DeliveryOutcome {
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return last ? 'failed' : 'retry';
}

/** "0,5,300" → [0, 5, 300]: seconds before each attempt. */
export function parseSchedule(text: string): number[] | null {
  const parts = text.split(',').map((p) => p.trim());
  const seconds = parts.map(Number);
  return parts.length && seconds.every((s, i) => parts[i] !== '' && Number.isInteger(s) && s >= 0 && s <= 7 * 24 * 3600) ? seconds : null;
}

/** The Standard Webhooks retry schedule: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const STANDARD_SCHEDULE = '0,5,300,1800,7200,18000,36000,36000';
