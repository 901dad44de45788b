// Every schedule of the tenant: when it fires, its state, its next run, what its latest run made, and its note.
// Refreshed every few seconds.
import { get } from './api.js';
import { badge, fill, h, poll } from './dom.js';
import * as f from './format.js';
import { at, runOutcome, when } from './schedule-parts.js';

const POLL_MS = 3000;

export function schedulesPage(root, { onError, onUpdated }) {
  const counts = h('span', { class: 'muted' });
  const body = h('tbody');
  fill(root,
    h('header', { class: 'page-head' }, h('h1', {}, 'Schedules'), counts),
    h('table', { class: 'grid fleet schedules' },
      h('thead', {}, h('tr', {}, ['Id', 'When', 'State', 'Next run', 'Latest run', 'Note'].map((t) => h('th', {}, t)))),
      body));

  async function refresh() {
    const { schedules, nextCursor } = await get('/v1/schedules?limit=200');
    fill(counts, `${schedules.length} schedule${schedules.length === 1 ? '' : 's'}${nextCursor ? ' (the newest; there are more)' : ''}`);
    fill(body, schedules.length ? schedules.map(row)
      : h('tr', {}, h('td', { colspan: '6', class: 'muted empty' }, 'No schedules yet: POST /v1/schedules defines one.')));
    onUpdated();
  }

  const poller = poll(refresh, POLL_MS, onError);
  return () => poller.stop();
}

function row(s) {
  const next = s.nextRunTimes[0];
  const latest = s.recentRuns[0]; // the list carries the latest run only
  return h('tr', { 'data-id': s.id },
    h('td', {}, h('a', { href: `#/schedules/${encodeURIComponent(s.id)}` }, h('code', {}, s.id))),
    h('td', {}, when(s)),
    h('td', {}, badge(s.state)),
    h('td', { class: 'next-run' }, next ? [at(next), h('div', { class: 'muted small' }, f.fromNow(next))] : '–'),
    h('td', { class: 'latest-run' }, latest ? [runOutcome(latest), h('div', { class: 'muted small' }, 'due ', at(latest.nominalTime))] : h('span', { class: 'muted' }, 'none yet')),
    h('td', { class: 'what', title: s.note ?? '' }, s.note ?? ''));
}
