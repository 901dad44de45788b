// Every sync and extraction job of the tenant with its state and health, filterable by kind, state and text,
// refreshed every few seconds.
import { get } from './api.js';
import { badge, fill, h, poll, progressBar } from './dom.js';
import * as f from './format.js';

const POLL_MS = 3000;
const FILTER_KEY = 'sluice.fleetFilter';
const SYNC_STATES = ['Created', 'Initializing', 'Running', 'Paused', 'Succeeded', 'Failed'];
const JOB_STATES = ['Queued', 'Running', 'Paused', 'Completed', 'Failed', 'Cancelled'];
// A few words for the list; the whole message is the cell's tooltip and on the sync's page.
const WARNINGS = { paused_wal_growing: 'WAL growing while paused', wal_over_budget: 'WAL over budget', slot_lost: 'slot lost', slot_unreserved: 'slot WAL at risk' };

// One row's worth of a sync or a job, in the same shape: what the table shows and what the filters match.
function syncRow(s, openAlerts) {
  const alerts = openAlerts.filter((a) => a.syncId === s.id);
  const health = s.error ? ['bad', 'failed'] : alerts.length ? ['bad', `${alerts.length} open alert${alerts.length > 1 ? 's' : ''}`]
    : s.warnings.length ? ['warn', WARNINGS[s.warnings[0].code] ?? s.warnings[0].code, s.warnings[0].message] : s.metrics?.stale ? ['warn', 'no recent report'] : s.state === 'Running' ? ['ok', 'healthy'] : ['none', '–'];
  const m = s.metrics;
  return {
    kind: 'sync', id: s.id, state: s.state, href: `#/syncs/${s.id}`, health, updatedAt: s.updatedAt, createdAt: s.createdAt,
    what: `${s.source} → ${s.target} · ${s.tables ? s.tables.join(', ') : `schema ${s.schema}`} (${s.mode})`,
    progress: m ? `${f.count(m.instanceRecords)} records${s.state === 'Running' ? ` · ${f.perSecond(m.instanceRps)}` : ''}${m.idleTimeMs !== null ? ` · idle ${f.duration(m.idleTimeMs)}` : ''}` : '–',
  };
}

function jobRow(j) {
  const health = j.error ? ['bad', j.error.code ?? 'failed'] : j.progress.stale ? ['warn', 'no recent report'] : j.state === 'Running' ? ['ok', 'healthy'] : ['none', '–'];
  const r = j.request;
  return {
    kind: 'extraction', id: j.id, state: j.state, href: `#/jobs/${j.id}`, health, updatedAt: j.progress.updatedAt, createdAt: j.timings.createdAt,
    what: `${r.source} · ${r.table ?? (r.query ?? '').slice(0, 60)} (${r.format})`,
    progress: progressBar(j.progress.percent, `${f.percent(j.progress.percent)}${j.queue ? ` · queue #${j.queue.position}` : ''}`),
  };
}

function loadFilter() {
  try {
    return { kind: 'all', state: 'all', text: '', ...JSON.parse(sessionStorage.getItem(FILTER_KEY) ?? '{}') };
  } catch {
    return { kind: 'all', state: 'all', text: '' };
  }
}

export function fleetPage(root, { onError, onUpdated }) {
  const filter = loadFilter();
  let rows = [];
  const changed = (key) => (e) => {
    filter[key] = e.target.value;
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filter));
    render();
  };
  const options = (values, current) => values.map(([v, label]) => h('option', { value: v, selected: v === current }, label));
  const states = [...new Set([...SYNC_STATES, ...JOB_STATES])];
  const counts = h('span', { class: 'muted' });
  const body = h('tbody');
  fill(root,
    h('header', { class: 'page-head' }, h('h1', {}, 'Jobs and syncs'), counts),
    h('div', { class: 'filters' },
      h('select', { name: 'kind', 'aria-label': 'Kind', onchange: changed('kind') },
        options([['all', 'All kinds'], ['sync', 'Syncs'], ['extraction', 'Extraction jobs']], filter.kind)),
      h('select', { name: 'state', 'aria-label': 'State', onchange: changed('state') },
        options([['all', 'All states'], ...states.map((s) => [s, s])], filter.state)),
      h('input', { type: 'search', name: 'text', placeholder: 'Filter by id, source, table…', value: filter.text, 'aria-label': 'Text', oninput: changed('text') })),
    h('table', { class: 'grid fleet' },
      h('thead', {}, h('tr', {}, ['Kind', 'Id', 'What', 'State', 'Health', 'Progress', 'Updated'].map((t) => h('th', {}, t)))),
      body));

  function render() {
    const text = filter.text.trim().toLowerCase();
    const shown = rows.filter((r) => (filter.kind === 'all' || r.kind === filter.kind) && (filter.state === 'all' || r.state === filter.state)
      && (!text || `${r.id} ${r.what} ${r.state}`.toLowerCase().includes(text)));
    fill(counts, `${shown.length} of ${rows.length}`);
    if (!shown.length) {
      fill(body, h('tr', {}, h('td', { colspan: '7', class: 'muted empty' }, rows.length ? 'Nothing matches the filters.' : 'No syncs or extraction jobs yet.')));
      return;
    }
    fill(body, shown.map((r) => h('tr', { 'data-id': r.id, 'data-kind': r.kind },
      h('td', {}, r.kind === 'sync' ? 'Sync' : 'Extraction'),
      h('td', {}, h('a', { href: r.href }, h('code', {}, r.id))),
      h('td', { class: 'what' }, r.what),
      h('td', {}, badge(r.state)),
      h('td', {}, h('span', { class: `health health-${r.health[0]}`, title: r.health[2] ?? r.health[1] }, r.health[1])),
      h('td', { class: 'progress-cell' }, r.progress),
      h('td', { class: 'muted' }, f.ago(r.updatedAt)))));
  }

  async function refresh() {
    const [syncs, jobs, alerts] = await Promise.all([get('/v1/syncs?limit=200'), get('/v1/jobs?limit=200'), get('/v1/alerts?state=open')]);
    rows = [...syncs.syncs.map((s) => syncRow(s, alerts.alerts)), ...jobs.jobs.map(jobRow)]
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)); // newest first; rows stay put between polls
    render();
    onUpdated();
  }

  const poller = poll(refresh, POLL_MS, onError);
  return () => poller.stop();
}
