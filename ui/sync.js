// One sync: its state and actions, the reading of its KPIs, the six tiles, charts, phase, slot, instances,
// warnings and alerts. Polls the API every few seconds while the page is open.
import { get } from './api.js';
import { detailHead } from './actions.js';
import { badge, card, fill, h, poll } from './dom.js';
import * as f from './format.js';
import { readKpis } from './kpi-reading.js';
import { syncCharts } from './sync-charts.js';
import * as parts from './sync-parts.js';

const POLL_MS = 3000;

export function syncPage(root, id, { onError, onUpdated }) {
  const path = `/v1/syncs/${encodeURIComponent(id)}`;
  const { title, summary, problems, actions, nodes } = detailHead(path, () => poller.now());
  const reading = h('div');
  const tiles = h('div', { class: 'tiles' });
  const charts = syncCharts(id);
  const phase = h('div');
  const slot = h('div');
  const instances = h('div');

  fill(root,
    ...nodes, reading, tiles, charts.el,
    h('div', { class: 'two-cols' }, card('Phase', phase), card('Replication slot', slot)),
    card('Instances', instances));

  async function refresh() {
    const [sync, recent, alerts, inst] = await Promise.all([
      get(path),
      get(`${path}/metrics?from=-2m&to=now&step=5s`), // the trend of the reading: the latest points
      get('/v1/alerts'),
      get(`${path}/instances`),
    ]);
    fill(title, h('h1', {}, 'Sync ', h('code', {}, sync.id)), badge(sync.state));
    actions.render(sync.allowedActions);
    fill(summary, `${sync.mode} · ${sync.source} → ${sync.target} · ${sync.tables ? sync.tables.join(', ') : `schema ${sync.schema}`}`,
      sync.instance ? ` · instance #${sync.instance.run} since ${f.time(sync.instance.startedAt)}` : '');
    fill(problems, parts.problems(sync, alerts.alerts.filter((a) => a.syncId === sync.id)));
    // The trend comes from the current instance's points; the latest value from the sync itself.
    const points = recent.points.filter((p) => p.instance === sync.instance?.run);
    const read = readKpis(sync, points);
    fill(reading, parts.readingBanner(read, sync.metrics));
    fill(tiles, parts.tiles(sync.metrics, read));
    fill(phase, parts.phase(sync));
    fill(slot, parts.slot(sync));
    fill(instances, parts.instances(inst.instances));
    await charts.refresh(sync.options?.walBudgetBytes ?? null);
    onUpdated();
  }

  const poller = poll(refresh, POLL_MS, onError);
  return () => {
    poller.stop();
    charts.destroy();
  };
}
