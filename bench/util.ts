// Small helpers every part of the bench uses: its log line, waiting, statistics and number formats.
import { existsSync, readFileSync } from 'node:fs';

export const log = (line: string) => console.log(`[bench] ${line}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Nearest-rank percentile (p in 0..100): the value at or below which p% of the values fall. */
export const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)];
export const mb = (bytes: number) => bytes / 1e6;
export const mib = (kb: number) => kb / 1024;
export const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
export const tail = (file: string, lines = 30) => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '');
