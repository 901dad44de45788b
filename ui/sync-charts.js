// A sync's charts: each of the six KPIs and the retained WAL (with its budget) over a window the user picks.
import { get } from './api.js';
import { timeChart, epochSeconds } from './charts.js';
import { h, fill } from './dom.js';
import * as f from './format.js';
import { KPIS } from './sync-parts.js';

export const WINDOWS = [
  { key: '5m', label: '5 min', from: '-5m' },
  { key: '1h', label: '1 h', from: '-1h' },
  { key: '6h', label: '6 h', from: '-6h' },
  { key: '24h', label: '24 h', from: '-24h' },
  { key: '7d', label: '7 days', from: '-7d' },
];
const COLORS = ['#2563eb', '#7c3aed', '#0891b2', '#0d9488', '#16a34a', '#ca8a04'];
const WINDOW_KEY = 'sluice.chartWindow';
// Long windows change little between polls: read them again this often.
const SLOW_REFRESH_MS = 30_000;

// The budget line is drawn when it is near the retained WAL; far above it, it would flatten the growth that matters.
function walTop([retained, budget]) {
  const peak = Math.max(0, ...retained.filter((v) => v !== null));
  const limit = budget.find((v) => v !== null) ?? 0;
  return limit && limit <= peak * 4 ? Math.max(peak, limit) * 1.1 : peak * 1.25;
}

export function syncCharts(syncId) {
  let chosen = WINDOWS.find((w) => w.key === sessionStorage.getItem(WINDOW_KEY)) ?? WINDOWS[1];
  let lastFetch = 0;
  let budget = null;
  const picker = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Chart window' });
  const grid = h('div', { class: 'charts' });
  const el = h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', {}, 'Over time'), picker), grid);
  let charts = null;

  function renderPicker() {
    fill(picker, WINDOWS.map((w) => h('button', {
      type: 'button', class: w === chosen ? 'on' : '', 'data-window': w.key, 'aria-pressed': String(w === chosen),
      onclick: () => {
        chosen = w;
        sessionStorage.setItem(WINDOW_KEY, w.key);
        renderPicker();
        lastFetch = 0;
        void refresh();
      },
    }, w.label)));
  }

  // Built once the section is in the page: uPlot sizes a chart to its box.
  function build() {
    const box = (name) => h('div', { class: 'chart', 'data-chart': name });
    const kpiBoxes = KPIS.map((k) => box(k.key));
    const walBox = box('retainedWalBytes');
    fill(grid, kpiBoxes, walBox);
    charts = {
      walTitle: () => walBox.querySelector('.u-title'),
      kpis: KPIS.map((k, i) => timeChart(kpiBoxes[i], { title: k.name, series: [{ label: k.name, color: COLORS[i] }], format: k.format })),
      wal: timeChart(walBox, {
        title: 'Retained WAL', format: f.bytes, top: walTop,
        series: [{ label: 'retained', color: '#dc2626' }, { label: 'budget', color: '#6b7280', dash: [6, 4] }],
      }),
    };
  }

  async function refresh(walBudgetBytes = budget) {
    budget = walBudgetBytes;
    const slow = chosen.key !== '5m' && chosen.key !== '1h';
    if (slow && Date.now() - lastFetch < SLOW_REFRESH_MS) return;
    const asked = chosen;
    const body = await get(`/v1/syncs/${encodeURIComponent(syncId)}/metrics?from=${chosen.from}&to=now`);
    if (asked !== chosen) return; // another window was picked meanwhile
    lastFetch = Date.now();
    if (!charts) build();
    const [from, to] = [epochSeconds(body.from), epochSeconds(body.to)];
    const xs = body.points.map((p) => epochSeconds(p.at));
    KPIS.forEach((k, i) => charts.kpis[i].update(from, to, xs, body.points.map((p) => p[k.key])));
    const retained = body.points.map((p) => p.retainedWalBytes);
    const budgets = retained.map(() => budget);
    charts.wal.update(from, to, xs, retained, budgets);
    const offScale = budget > walTop([retained, budgets]);
    if (budget) fill(charts.walTitle(), `Retained WAL · budget ${f.bytes(budget)}${offScale ? ' (above the scale)' : ''}`);
  }

  renderPicker();
  return {
    el,
    refresh,
    destroy() {
      if (!charts) return;
      charts.kpis.forEach((c) => c.destroy());
      charts.wal.destroy();
    },
  };
}
