// The pieces the schedules' list and a schedule's page share: when it fires, an instant, and what became of a run.
import { badge, h } from './dom.js';
import * as f from './format.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SKIPPED = {
  late: 'no worker took it within the catch-up window after it was due',
  quota: "the tenant's daily quota was spent",
};

/** A duration as the API writes it ("30s", "15m", "2h", "1d"), for people. */
export const span = (text) => f.duration(Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1)]);

/** When the schedule fires: its cron expression in its time zone, or every so long. */
export const when = (s) => (s.cron ? [h('code', {}, s.cron), ` (${s.timeZone})`] : `every ${span(s.interval)}`);

/** An instant as the rest of the dashboard shows it; the exact one on hover. */
export const at = (iso) => (iso ? h('time', { datetime: iso, title: iso }, f.time(iso)) : '–');

/** A run: the job it made (a link while the job exists) with the job's state, or why it made none. */
export function runOutcome(run) {
  if (run.skipped) return h('span', { class: 'skipped', title: SKIPPED[run.skipped] ?? '' }, `skipped (${run.skipped})`);
  const id = h('code', {}, run.jobId);
  return [run.jobState === 'Deleted' ? id : h('a', { href: `#/jobs/${encodeURIComponent(run.jobId)}`, class: 'job-link' }, id), ' ', badge(run.jobState)];
}
