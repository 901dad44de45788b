// One extraction job: state and actions, the schedule run it is (if a schedule made it), a live progress bar with
// its ETA, queue place, parts, timings, worker usage, the error with its suggestion, its runs, and once it is
// complete its files with their download links.
import { get } from './api.js';
import { detailHead } from './actions.js';
import { badge, card, fill, h, notice, poll, progressBar } from './dom.js';
import * as f from './format.js';
import { at } from './schedule-parts.js';

const POLL_MS = 2000;
const WAITS = { global_limit: 'all processing slots are busy', tenant_limit: "this tenant's limit of running jobs is reached" };

export function jobPage(root, id, { onError, onUpdated }) {
  const path = `/v1/jobs/${encodeURIComponent(id)}`;
  const { title, summary, problems, actions, nodes } = detailHead(path, () => poller.now());
  const scheduleRun = h('p', { class: 'schedule-run', hidden: true });
  const progress = h('div');
  const facts = h('div');
  const files = h('div');
  const runs = h('div');
  let filesOf = null; // the run whose files are shown: links are fetched once per run (they last hours)

  fill(root,
    ...nodes, scheduleRun, card('Progress', progress), card('Details', facts), card('Files', files), card('Runs', runs));

  async function refresh() {
    const [job, runList] = await Promise.all([get(path), get(`${path}/runs`)]);
    fill(title, h('h1', {}, 'Extraction job ', h('code', {}, job.id)), badge(job.state));
    actions.render(job.allowedActions);
    const r = job.request;
    fill(summary, `${r.source} · ${r.table ?? 'query'} · ${r.format}${r.compression && r.compression !== 'none' ? ` + ${r.compression}` : ''} · run #${job.run}`);
    fill(scheduleRun, job.schedule ? scheduleRunLine(job.schedule) : null).hidden = !job.schedule;
    fill(problems,
      job.error ? notice('error', job.error.message, job.error.suggestion) : null,
      job.progress.stale ? notice('warning', `No progress reported for ${f.duration(job.progress.ageMs)}`, 'Check that a worker runs.') : null,
      job.lastRetryReason ? notice('warning', `Retrying a part (attempt ${job.attempts}): ${job.lastRetryReason}`) : null,
      job.waiting === 'lock' ? notice('warning', 'A part waits for a lock on the source table.') : null);
    fill(progress, progressView(job));
    fill(facts, details(job));
    fill(runs, runsTable(runList.runs));
    await showFiles(job);
    onUpdated();
  }

  async function showFiles(job) {
    if (job.state !== 'Completed') {
      filesOf = null;
      fill(files, h('p', { class: 'muted' }, job.files.expiredAt ? `The files expired at ${f.time(job.files.expiredAt)}.` : 'Files can be downloaded once the job is Completed.'));
      return;
    }
    if (filesOf === job.run) return;
    try {
      fill(files, filesView(await get(`${path}/files`)));
      filesOf = job.run;
    } catch (err) {
      fill(files, notice('warning', err.message, err.problem?.hint));
    }
  }

  const poller = poll(refresh, POLL_MS, onError);
  return () => poller.stop();
}

function scheduleRunLine(s) {
  return ['Run of schedule ', h('a', { href: `#/schedules/${encodeURIComponent(s.id)}` }, h('code', {}, s.id)),
    ', due ', at(s.nominalTime), ' · window ', at(s.window.start), ' → ', at(s.window.end)];
}

function progressView(job) {
  const p = job.progress;
  const eta = p.eta ? `ETA ${f.duration(p.eta.remainingSeconds * 1000)} (about ${f.time(p.eta.at)})` : job.state === 'Running' ? 'ETA: measuring…' : null;
  const queue = job.queue
    ? job.queue.position === 0 ? 'A slot is granted: starting…' : `Queue position ${job.queue.position}${job.queue.waitingFor ? `: ${WAITS[job.queue.waitingFor] ?? job.queue.waitingFor}` : ''}`
    : null;
  return [
    h('div', { class: 'job-progress', 'data-percent': String(p.percent) }, progressBar(p.percent, f.percent(p.percent))),
    h('p', { class: 'progress-line' },
      `${f.count(p.rowsDone)}${p.rowsEstimated ? ` of ~${f.count(p.rowsEstimated)}` : ''} rows · ${f.bytes(p.bytesDone)}`,
      p.partsTotal ? ` · parts ${p.partsDone} / ${p.partsTotal}` : '',
      p.rowsPerSecond ? ` · ${f.perSecond(p.rowsPerSecond)} rows, ${f.bytesPerSecond(p.bytesPerSecond)}` : '',
      eta ? h('strong', { class: 'eta' }, ` · ${eta}`) : null),
    queue ? h('p', { class: 'queue' }, queue) : null,
  ];
}

function details(job) {
  const t = job.timings;
  const rows = [
    ['Created', f.time(t.createdAt)],
    ['Run started', f.time(t.runStartedAt)],
    ['Left the queue', f.time(t.startedAt)],
    ['Finished', f.time(t.finishedAt)],
    ['Queued for', f.duration(t.queuedMs)],
    ['Running for', f.duration(t.runningMs)],
    ['Worker CPU', f.duration(job.worker.cpuMs)],
    ['Worker peak memory', job.worker.peakRssBytes ? f.bytes(job.worker.peakRssBytes) : '–'],
    ['Attempts', String(job.attempts)],
    ['Plan', job.plan ? `${job.plan.parts} parts split by ${job.plan.strategy}, ~${f.count(job.plan.estimatedRows)} rows estimated` : '–'],
    ['Files expire', f.time(job.files.expireAt)],
  ];
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function filesView(body) {
  return [
    h('p', {}, `${f.count(body.rows)} rows · ${f.bytes(body.bytes)} · ${body.format}${body.compression !== 'none' ? ` + ${body.compression}` : ''}`,
      ` · links valid until ${f.time(body.linksExpireAt)}`, ' · ', h('a', { href: body.manifest.url, class: 'manifest-link', rel: 'noreferrer' }, 'manifest.json')),
    h('table', { class: 'grid files' },
      h('thead', {}, h('tr', {}, ['Part', 'File', 'Rows', 'Size', 'SHA-256'].map((x) => h('th', {}, x)))),
      h('tbody', {}, body.parts.map((p) => h('tr', {},
        h('td', {}, String(p.index)),
        h('td', {}, h('a', { href: p.url, class: 'file-link', 'data-part': String(p.index), rel: 'noreferrer', download: p.fileName }, p.fileName)),
        h('td', {}, f.count(p.rows)),
        h('td', {}, f.bytes(p.bytes)),
        h('td', { class: 'mono small', title: p.sha256 }, `${p.sha256.slice(0, 12)}…`))))),
  ];
}

function runsTable(list) {
  return h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, ['Run', 'State', 'Started', 'Duration', 'Rows', 'Bytes'].map((x) => h('th', {}, x)))),
    h('tbody', {}, [...list].reverse().map((r) => h('tr', {},
      h('td', {}, `#${r.run}`), h('td', {}, r.state, r.error ? h('div', { class: 'muted small' }, r.error.message) : null),
      h('td', {}, f.time(r.startedAt)), h('td', {}, f.duration(r.durationMs)), h('td', {}, f.count(r.records)), h('td', {}, f.bytes(r.bytes))))));
}
