// The pieces of a sync's page that show what it last reported: the six KPI tiles, its phase (tables being
// copied, or the stream), its slot, its instances, warnings and alerts.
import { h, progressBar, notice } from './dom.js';
import * as f from './format.js';

export const KPIS = [
  { key: 'idleTimeMs', name: 'Idle Time', format: f.duration, word: 'idle', hint: 'now − commit time of the newest WAL entry processed' },
  { key: 'emitEventTimeMs', name: 'Emit Event Time', format: f.duration, word: 'emit', hint: 'processing time − commit time of the newest data change' },
  { key: 'instanceRecords', name: 'Records', format: f.count, hint: 'records applied in this instance' },
  { key: 'instanceBytes', name: 'Bytes', format: f.bytes, hint: 'bytes read in this instance' },
  { key: 'instanceRps', name: 'RPS', format: f.perSecond, word: 'rate', hint: 'records per second (10 s window)' },
  { key: 'instanceBps', name: 'BPS', format: f.bytesPerSecond, word: 'rate', hint: 'bytes per second (10 s window)' },
];

export function tiles(metrics, reading) {
  return KPIS.map((k) =>
    h('div', { class: 'tile', 'data-kpi': k.key, title: k.hint },
      h('div', { class: 'tile-name' }, k.name),
      h('div', { class: 'tile-value' }, metrics ? k.format(metrics[k.key]) : '–'),
      h('div', { class: 'tile-word' }, (k.word && reading[k.word]) || '\u00a0')));
}

export function readingBanner(reading, metrics) {
  return h('div', { class: `reading reading-${reading.code}`, 'data-reading': reading.code },
    h('strong', {}, reading.label), ' ', h('span', {}, reading.detail),
    metrics?.at ? h('span', { class: 'muted' }, ` · sampled ${f.ago(metrics.at)}`) : null);
}

export function phase(sync) {
  if (sync.phase === 'snapshot' || (sync.snapshot && sync.phase !== 'streaming')) return snapshotTables(sync);
  if (sync.phase === 'streaming') {
    const s = sync.stream ?? {};
    return h('div', { class: 'phase' },
      h('p', {}, 'Streaming changes from the slot', sync.snapshot ? ` (tables copied: ${f.count(sync.snapshot.rowsCopied)} rows)` : '', '.'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Applied LSN'), h('dd', {}, s.appliedLsn ?? '–'),
        h('dt', {}, 'Applied commit time'), h('dd', {}, f.time(s.appliedCommitTime))));
  }
  return h('p', { class: 'muted' }, { none: 'Not started.', initializing: 'Checking the source, creating publication, slot and target tables…', done: 'Done.' }[sync.phase] ?? sync.phase);
}

function snapshotTables(sync) {
  const snap = sync.snapshot;
  if (!snap) return h('p', { class: 'muted' }, 'Copying tables…');
  return h('div', { class: 'phase' },
    h('p', {}, `${sync.phase === 'snapshot' ? 'Copying tables' : 'Tables copied'}: ${f.count(snap.rowsCopied)} of about ${f.count(snap.rowsEstimated)} rows.`),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['Table', 'Progress', 'Rows', 'Ranges'].map((t) => h('th', {}, t)))),
      h('tbody', {}, snap.tables.map((t) => {
        const pct = t.rangesTotal ? (t.rangesDone / t.rangesTotal) * 100 : 0;
        return h('tr', {},
          h('td', {}, t.table),
          h('td', { class: 'wide' }, progressBar(pct, f.percent(pct))),
          h('td', {}, `${f.count(t.rowsCopied)} / ~${f.count(t.rowsEstimated)}`),
          h('td', {}, `${t.rangesDone} / ${t.rangesTotal}`));
      }))));
}

export function slot(sync) {
  const s = sync.slot;
  if (!s) return h('p', { class: 'muted' }, sync.mode === 'full' ? 'None: a full sync copies the tables without a slot.' : 'No replication slot yet.');
  return h('dl', { class: 'facts' },
    h('dt', {}, 'Slot'), h('dd', {}, s.name),
    h('dt', {}, 'Publication'), h('dd', {}, s.publication),
    h('dt', {}, 'Retained WAL'), h('dd', {}, `${f.bytes(s.retainedWalBytes)} (budget ${f.bytes(sync.options?.walBudgetBytes)})`),
    h('dt', {}, 'WAL status'), h('dd', {}, s.walStatus ?? (s.exists === false ? 'gone' : '–')),
    h('dt', {}, 'Safe WAL size'), h('dd', {}, s.safeWalSize === null ? 'unlimited' : f.bytes(s.safeWalSize)));
}

export function instances(list) {
  if (!list.length) return h('p', { class: 'muted' }, 'No instance yet: every start and restart opens one.');
  return h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, ['Instance', 'Started', 'Duration', 'Status', 'Records', 'Bytes'].map((t) => h('th', {}, t)))),
    h('tbody', {}, [...list].reverse().map((i) => h('tr', {},
      h('td', {}, `#${i.number}`, h('div', { class: 'muted small' }, i.id)),
      h('td', {}, f.time(i.startedAt)),
      h('td', {}, f.duration(i.durationMs)),
      h('td', {}, i.status, i.error ? h('div', { class: 'muted small' }, i.error.message) : null),
      h('td', {}, f.count(i.records)),
      h('td', {}, f.bytes(i.bytes))))));
}

/** The error, the warnings and the sync's alerts (open first, then those resolved lately). */
export function problems(sync, alerts) {
  const open = alerts.filter((a) => a.state === 'open');
  const resolved = alerts.filter((a) => a.state !== 'open').slice(0, 5);
  return [
    sync.error ? notice('error', sync.error.message, sync.error.suggestion) : null,
    sync.warnings.map((w) => notice('warning', w.message, w.suggestion)),
    open.map((a) => notice('alert', `Alert: ${a.message}`, `open since ${f.time(a.openedAt)} (${a.kind})`)),
    resolved.length
      ? h('details', { class: 'resolved' }, h('summary', {}, `${resolved.length} alert(s) resolved lately`),
        h('ul', {}, resolved.map((a) => h('li', {}, `${a.message} — ${f.time(a.openedAt)} to ${f.time(a.resolvedAt)}`))))
      : null,
  ];
}
