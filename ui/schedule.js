// One schedule: its definition, its next run times, its recent runs with their jobs, what Temporal says of it,
// and the actions pause, unpause, trigger and delete. Polls the API every few seconds while the page is open.
import { get } from './api.js';
import { detailHead } from './actions.js';
import { badge, card, fill, h, notice, poll } from './dom.js';
import * as f from './format.js';
import { at, runOutcome, span, when } from './schedule-parts.js';

const POLL_MS = 3000;
const ACTIONS = {
  pause: { label: 'Pause', note: 'Pause the schedule: no run fires until it is unpaused. Why? (optional, shown with it)' },
  unpause: { label: 'Unpause' },
  trigger: { label: 'Trigger' },
  delete: { label: 'Delete', confirm: 'Delete removes the schedule; the jobs it made stay. Delete?' },
};
const OVERLAP = {
  skip: 'a run due while one is going is skipped',
  buffer_one: 'a run due while one is going waits for it (one at most)',
  cancel_previous: 'a run due while one is going cancels it',
  allow_all: 'runs go side by side',
};

export function schedulePage(root, id, { onError, onUpdated }) {
  const path = `/v1/schedules/${encodeURIComponent(id)}`;
  const { title, summary, problems, actions, nodes } = detailHead(path, () => poller.now(), { list: '#/schedules', listName: 'All schedules', actions: ACTIONS });
  const definition = h('div');
  const next = h('div');
  const runs = h('div');
  const temporal = h('div');

  fill(root,
    ...nodes,
    h('div', { class: 'two-cols' }, card('Definition', definition), card('Next runs', next)),
    card('Recent runs', runs), card('In Temporal', temporal));

  async function refresh() {
    const s = await get(path);
    fill(title, h('h1', {}, 'Schedule ', h('code', {}, s.id)), badge(s.state));
    actions.render(s.allowedActions.filter((a) => a in ACTIONS)); // backfill and update are the API's
    fill(summary, when(s), ` · ${s.request.source} · ${s.request.table ?? 'query'}`, s.note ? ` · ${s.note}` : '');
    fill(problems,
      s.temporal === null ? notice('error', 'Temporal has no such schedule: no run fires.', 'It was deleted in Temporal itself; delete it here and define it again.') : null,
      s.state === 'paused' ? notice('warning', 'Paused: no run fires until it is unpaused.', s.temporal?.note ? `Note: ${s.temporal.note}` : null) : null);
    fill(definition, details(s));
    fill(next, nextRuns(s));
    fill(runs, runsTable(s.recentRuns));
    fill(temporal, temporalFacts(s.temporal, s.state === 'paused'));
    onUpdated();
  }

  const poller = poll(refresh, POLL_MS, onError);
  return () => poller.stop();
}

const facts = (rows) => h('dl', { class: 'facts' }, rows.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

// A placeholder of the run's window by name, any other value as JSON.
const filterValue = (v) => (v?.$runWindowStart ? 'the window start' : v?.$runWindowEnd ? 'the window end' : JSON.stringify(v));
const filterText = (filter) => filter.map((c) =>
  `${c.column} ${c.op}${c.value === undefined ? '' : ` ${Array.isArray(c.value) ? `[${c.value.map(filterValue).join(', ')}]` : filterValue(c.value)}`}`).join(' and ');

function details(s) {
  const r = s.request;
  const notify = s.notify && [...(s.notify.emails ?? []), ...(s.notify.webhooks ?? [])];
  return facts([
    ['When', when(s)],
    ['Overlap', [h('code', {}, s.overlap), `: ${OVERLAP[s.overlap] ?? ''}`]],
    ['Catch-up window', `${span(s.catchupWindow)}: a run missed by more is skipped`],
    ['Jitter', s.jitter === '0s' ? 'none' : `up to ${span(s.jitter)} later, at random`],
    ['Starts', s.startAt ? at(s.startAt) : 'when it was made'],
    ['Ends', s.endAt ? at(s.endAt) : 'never'],
    ['Source', r.source],
    r.table ? ['Table', r.table] : ['Query', h('code', { class: 'query' }, r.query)],
    r.filter?.length ? ['Filter', h('code', {}, filterText(r.filter))] : null,
    ['Format', `${r.format}${r.compression && r.compression !== 'none' ? ` + ${r.compression}` : ''}`],
    notify ? ['Notifies', notify.join(', ')] : null,
    ['Created', at(s.createdAt)],
    ['Changed', at(s.updatedAt)],
  ]);
}

function nextRuns(s) {
  if (!s.nextRunTimes.length) return h('p', { class: 'muted' }, s.state === 'paused' ? 'None while it is paused.' : 'None: the schedule has ended.');
  return [
    h('ol', { class: 'next-runs' }, s.nextRunTimes.map((t) => h('li', {}, at(t), h('span', { class: 'muted' }, ` · ${f.fromNow(t)}`)))),
    h('p', { class: 'muted small' }, 'When each run is due; jitter, if any, starts it later.'),
  ];
}

function runsTable(list) {
  if (!list.length) return h('p', { class: 'muted' }, 'No runs yet.');
  return h('table', { class: 'grid runs' },
    h('thead', {}, h('tr', {}, ['Due', 'Window', 'Taken at', 'Job'].map((x) => h('th', {}, x)))),
    h('tbody', {}, list.map((r) => h('tr', { 'data-job': r.jobId ?? '' },
      h('td', {}, at(r.nominalTime)),
      h('td', {}, at(r.window.start), ' → ', at(r.window.end)),
      h('td', {}, at(r.takenAt)),
      h('td', {}, runOutcome(r))))));
}

// Undefined: Temporal could not be asked; null: it has no such schedule (said above the page). Paused, Temporal
// still names the next start: the one it would make if unpaused.
function temporalFacts(t, paused) {
  if (t === undefined) return notice('warning', 'Temporal could not be reached.', 'The rest of this page is what Sluice recorded.');
  if (t === null) return h('p', { class: 'muted' }, 'No schedule in Temporal.');
  return facts([
    ['Schedule', h('code', {}, t.scheduleId)],
    ['Runs going', String(t.runningRuns)],
    ['Skipped for overlap', String(t.skippedForOverlap)],
    ['Next start, jitter included', t.nextStartTimes.length ? [at(t.nextStartTimes[0]), paused ? ' if unpaused' : ''] : '–'],
    ['Note', t.note || '–'],
  ]);
}
