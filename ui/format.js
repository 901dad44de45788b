// Values for people: durations, sizes, rates, counts and times.
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function bytes(n) {
  if (n === null || n === undefined) return '–';
  let unit = 0;
  let v = Math.abs(n);
  while (v >= 1024 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
  return `${n < 0 ? '−' : ''}${shown} ${BYTE_UNITS[unit]}`;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'min'], [Math.floor(s) % 60, 's']];
  const first = parts.findIndex(([v]) => v > 0);
  return parts.slice(first, first + 2).filter(([v]) => v > 0).map(([v, u]) => `${v} ${u}`).join(' ');
}

export function count(n) {
  if (n === null || n === undefined) return '–';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M`;
  return Math.round(n).toLocaleString('en-US');
}

export const perSecond = (n) => (n === null || n === undefined ? '–' : `${count(n < 10 ? Math.round(n * 10) / 10 : n)}/s`);
export const bytesPerSecond = (n) => (n === null || n === undefined ? '–' : `${bytes(n)}/s`);

export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '–';
  return `${duration(Math.max(0, now - Date.parse(iso)))} ago`;
}

export const percent = (p) => `${p.toFixed(p < 10 && p % 1 ? 1 : 0)}%`;

export function fromNow(iso, now = Date.now()) {
  if (!iso) return '–';
  const ms = Date.parse(iso) - now;
  return ms > 0 ? `in ${duration(ms)}` : 'due now';
}
