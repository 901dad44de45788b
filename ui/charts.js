// Time series charts with uPlot: one chart per metric, sized to its box, over the window the user chose.
import uPlot from './vendor/uPlot.esm.js';

const HEIGHT = 150;

/**
 * A chart in `box` of one or more series over time. `series`: [{ label, color, dash? }]; `format` turns a value
 * into text (axis, legend); `top(ys)`, the top of the y scale (default: above every value). update(from, to, xs,
 * ...ys) redraws it: xs in seconds since the epoch.
 */
export function timeChart(box, { title, series, format, top = (ys) => Math.max(0, ...ys.flat().filter((v) => v !== null)) * 1.1 }) {
  let range = [0, 1];
  let yTop = 0;
  const opts = {
    title,
    width: Math.max(200, box.clientWidth),
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: () => range }, y: { range: () => [0, Math.max(yTop, 5)] } }, // from 0; an empty chart still gets whole ticks
    axes: [
      { stroke: '#5b6473', grid: { stroke: '#eceff3' } },
      { stroke: '#5b6473', grid: { stroke: '#eceff3' }, size: 84, values: (_u, ticks) => ticks.map(format) },
    ],
    series: [
      { value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleTimeString()) },
      ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, value: (_u, v) => (v === null ? '–' : format(v)) })),
    ],
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], box);
  // Charts follow the width of their box (window resizes, the layout settling).
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, box.clientWidth), height: HEIGHT }));
  resize.observe(box);
  return {
    plot,
    update(from, to, xs, ...ys) {
      range = [from, to];
      yTop = top(ys);
      plot.setData([xs, ...ys]);
      box.dataset.points = String(xs.length); // what is drawn, for people and tests alike
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

/** Seconds since the epoch of an ISO time. */
export const epochSeconds = (iso) => Date.parse(iso) / 1000;
