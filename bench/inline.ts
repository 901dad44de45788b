// Inline answers against psql COPY of the same rows: POST /v1/extractions with mode "inline" for the first
// INLINE_ROWS rows of public.orders (a filter on the key, so the planner's estimate is close to the answer),
// each timed spawn → exit of its client process (curl; psql), runs interleaved after a warm-up of each.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Config } from '../workers/config';
import { curlPost, psqlCopy, type CopyRun, type HttpRun } from './clients';
import { fmt, int, log, mb, median } from './util';

export const INLINE_ROWS = Number(process.env.BENCH_INLINE_ROWS ?? 50_000);
const REPEATS = Number(process.env.BENCH_INLINE_REPEATS ?? 11);
const GOAL = 0.8; // of COPY's throughput
const copySql = (rows: number | string) => `COPY (SELECT * FROM public.orders WHERE id <= ${rows}) TO STDOUT (FORMAT csv, HEADER)`;

type Compression = 'gzip' | 'none';

interface InlineCase {
  label: string;
  rows: number;
  compression: Compression;
  sluice: HttpRun[];
  copy: CopyRun[];
}

export interface InlineResult {
  cases: InlineCase[];
  /** What the API answered about the first request: rule and the planner's estimate. */
  headers: Record<string, string>;
  settings: InlineSettings;
  /** The inline settings set for this run; the others are at their defaults. */
  settingsSet: string[];
}

const INLINE_SETTINGS = ['SLUICE_INLINE_MAX_ROWS', 'SLUICE_INLINE_MAX_BYTES', 'SLUICE_INLINE_MAX_COST', 'SLUICE_INLINE_MAX_CONCURRENT', 'SLUICE_INLINE_TIMEOUT_MS'] as const;
type InlineSettings = Pick<Config, (typeof INLINE_SETTINGS)[number]>;

export interface InlineSetup {
  apiUrl: string;
  apiKey: string;
  psql: string;
  sourceUrl: string;
  dir: string;
  config: Config;
}

const request = (c: Pick<InlineCase, 'rows' | 'compression'>) => ({
  source: 'bench', table: 'public.orders', filter: [{ column: 'id', op: 'lte', value: c.rows }], format: 'csv', compression: c.compression, mode: 'inline',
});

export async function measureInline(s: InlineSetup): Promise<InlineResult> {
  const cases: InlineCase[] = [
    { label: 'CSV (no compression)', rows: INLINE_ROWS, compression: 'none', sluice: [], copy: [] },
    { label: 'CSV + gzip', rows: INLINE_ROWS, compression: 'gzip', sluice: [], copy: [] },
    // What every request costs whatever its size (checks, EXPLAIN, a session; psql's start-up and connection).
    { label: '1 row, CSV (no compression)', rows: 1, compression: 'none', sluice: [], copy: [] },
  ];
  const copyFile = (c: InlineCase) => join(s.dir, `copy-${c.rows}.csv${c.compression === 'gzip' ? '.gz' : ''}`);
  const inlineFile = (c: InlineCase) => join(s.dir, `inline-${c.rows}-${c.compression}`);
  // psql in the session time zone Sluice sets (UTC), so that both write the same bytes.
  const copy = (c: InlineCase) =>
    psqlCopy({ psql: s.psql, sourceUrl: s.sourceUrl, copy: copySql(c.rows), gzip: c.compression === 'gzip', file: copyFile(c), env: { ...process.env, PGTZ: 'UTC' } });
  const inline = async (c: InlineCase) => {
    const run = await curlPost({ url: `${s.apiUrl}/v1/extractions`, apiKey: s.apiKey, body: request(c), file: inlineFile(c) });
    checkInline(run, c);
    return run;
  };

  log(`inline: warm-up and a check of the answers against psql's output (discarded)…`);
  const warmUp = async (c: InlineCase) => (await copy(c), await inline(c));
  const { headers } = await warmUp(cases[0]);
  for (const c of cases.slice(1)) await warmUp(c);
  checkSameBytes(copyFile(cases[0]), inlineFile(cases[0]), inlineFile(cases[1]));

  for (const c of cases) {
    for (let i = 1; i <= REPEATS; i++) {
      const h = await inline(c);
      c.sluice.push(h);
      const b = await copy(c);
      c.copy.push(b);
      log(`inline ${c.label} #${i}: Sluice ${ms(h.seconds)} ms (curl: first byte ${ms(h.firstByteSeconds)} ms, last ${ms(h.lastByteSeconds)} ms; ${fmt(mb(h.bytes), 2)} MB); COPY ${ms(b.seconds)} ms (${fmt(mb(b.bytes), 2)} MB)`);
    }
  }
  for (const f of cases.flatMap((c) => [copyFile(c), inlineFile(c)])) rmSync(f, { force: true });
  const settings = Object.fromEntries(INLINE_SETTINGS.map((k) => [k, s.config[k]])) as InlineSettings;
  return { cases, headers, settings, settingsSet: INLINE_SETTINGS.filter((k) => process.env[k] !== undefined) };
}

// A 202 (a job) or a refusal would time something else: only a complete inline answer counts.
function checkInline(run: HttpRun, c: InlineCase): void {
  const h = run.headers;
  if (run.status !== 200 || h['sluice-mode'] !== 'inline' || Number(h['sluice-rows']) !== c.rows) {
    throw new Error(`inline ${c.label} answered ${run.status}, Sluice-Mode ${h['sluice-mode']}, Sluice-Rule ${h['sluice-rule']}, Sluice-Rows ${h['sluice-rows']}; expected 200 inline with ${c.rows} rows`);
  }
}

// The same rows, byte for byte: the plain answer, and the gzip answer once decoded, are psql's CSV.
function checkSameBytes(copyFile: string, plainFile: string, gzipFile: string): void {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const want = sha(readFileSync(copyFile));
  if (sha(readFileSync(plainFile)) !== want) throw new Error('the inline CSV answer differs from psql COPY of the same rows');
  if (sha(gunzipSync(readFileSync(gzipFile))) !== want) throw new Error('the inline gzip answer, decoded, differs from psql COPY of the same rows');
}

const ms = (seconds: number) => int(seconds * 1000);

export function inlineReport(r: InlineResult): string[] {
  const h = r.headers;
  const lines = [`### Inline answers: ${int(INLINE_ROWS)} rows in the response vs psql COPY`, ''];
  lines.push(`- Request: POST /v1/extractions \`${JSON.stringify(request(r.cases[0]))}\` (and with \`"compression": "gzip"\`; and for 1 row), ` +
    `answered 200 inline (Sluice-Rule ${h['sluice-rule']}); the answers were checked byte for byte against psql's output (the gzip one decoded)`);
  lines.push(`- Estimate (EXPLAIN) for ${int(INLINE_ROWS)} rows: ${int(Number(h['sluice-estimated-rows']))} rows, ${fmt(mb(Number(h['sluice-estimated-bytes'])), 2)} MB, ` +
    `cost ${int(Number(h['sluice-estimated-cost']))}; the API's inline settings ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ')} ` +
    `(${r.settingsSet.length ? `set for this run: ${r.settingsSet.join(', ')}; the others` : 'all'} at their defaults)`);
  lines.push(`- Sluice: \`curl -X POST … -o file\` (the API runs in the bench process, so the client is another process), timed spawn → exit: time to last byte plus curl's start-up`);
  lines.push(`- Baseline: \`PGTZ=UTC psql <source> -X -c "${copySql('<rows>')}" [| gzip -1] > file\`, timed the same way: ` +
    `psql's start-up and its connection to PostgreSQL included (Sluice's API keeps a pool)`);
  lines.push(`- Median of ${REPEATS} runs each (runs interleaved Sluice/COPY) after a warm-up of each; MB = 10^6 bytes of output (compressed size for gzip); short runs on a shared machine: noisy`, '');
  lines.push('| Case | Sluice ms | Sluice rows/s | Sluice MB/s | COPY ms | COPY rows/s | COPY MB/s | Sluice throughput vs COPY | Goal |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  const seconds = (runs: { seconds: number }[]) => median(runs.map((x) => x.seconds));
  for (const c of r.cases.filter((x) => x.rows === INLINE_ROWS)) {
    const s = seconds(c.sluice);
    const b = seconds(c.copy);
    lines.push(`| ${c.label} | ${ms(s)} | ${int(c.rows / s)} | ${fmt(mb(median(c.sluice.map((x) => x.bytes))) / s)} | ${ms(b)} | ${int(c.rows / b)} | ` +
      `${fmt(mb(median(c.copy.map((x) => x.bytes))) / b)} | ${fmt((100 * b) / s, 0)}% | throughput ≥ ${fmt(100 * GOAL, 0)}% of COPY's: ${b / s >= GOAL ? 'met' : 'NOT met'} |`);
  }
  lines.push('');
  for (const c of r.cases.filter((x) => x.rows !== INLINE_ROWS)) {
    lines.push(`- The fixed cost of a request, ${c.label}: Sluice ${ms(seconds(c.sluice))} ms, COPY ${ms(seconds(c.copy))} ms`);
  }
  lines.push(`- curl's own time to first byte / last byte (its start-up excluded), median: ${r.cases.map((c) => `${c.label} ${ms(median(c.sluice.map((x) => x.firstByteSeconds)))} / ${ms(median(c.sluice.map((x) => x.lastByteSeconds)))} ms`).join('; ')} ` +
    `(an answer is held until its COPY has ended, so its first byte comes late)`);
  lines.push('- Runs (ms, in order):');
  for (const c of r.cases) {
    lines.push(`  - ${c.label}: Sluice ${c.sluice.map((x) => `${ms(x.seconds)} (last byte ${ms(x.lastByteSeconds)})`).join('; ')}; COPY ${c.copy.map((x) => ms(x.seconds)).join('; ')}`);
  }
  return lines;
}
