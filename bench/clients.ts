// The clients the bench times as processes of their own, spawn to exit: psql running COPY (the baseline), and
// curl (an HTTP client outside the bench process, which also runs the API: a client in it would compete with
// the server for the same thread).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { shq } from './util';

interface TimedRun {
  seconds: number;
  stdout: string;
}

async function runTimed(what: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<TimedRun> {
  const t0 = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('close', (c) => ok(c));
  });
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${what} exited with ${code}: ${stderr}`);
  return { seconds, stdout };
}

export interface CopyRun {
  seconds: number;
  /** Size of the output file (compressed with gzip). */
  bytes: number;
}

/** `psql <source> -X -c "<copy>" [| gzip -1] > file`; the file is left for the caller. */
export async function psqlCopy(o: { psql: string; sourceUrl: string; copy: string; gzip: boolean; file: string; env?: NodeJS.ProcessEnv }): Promise<CopyRun> {
  const script = `set -o pipefail; ${shq(o.psql)} ${shq(o.sourceUrl)} -X -v ON_ERROR_STOP=1 -c ${shq(o.copy)}${o.gzip ? ' | gzip -1' : ''} > ${shq(o.file)}`;
  const { seconds } = await runTimed(`psql COPY${o.gzip ? ' | gzip' : ''}`, 'bash', ['-c', script], o.env);
  return { seconds, bytes: statSync(o.file).size };
}

export interface HttpRun {
  seconds: number;
  status: number;
  /** Bytes received, as sent (compressed with Content-Encoding: gzip). */
  bytes: number;
  /** curl's own time to the first and to the last byte of the response (process start-up excluded). */
  firstByteSeconds: number;
  lastByteSeconds: number;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
}

/** POSTs JSON with curl; the body is written to `file` as received (not decoded). */
export async function curlPost(o: { url: string; apiKey: string; body: unknown; file: string }): Promise<HttpRun> {
  const args = [
    // A client that takes gzip as sent: the bench compares the bytes on the wire with psql | gzip.
    '-sS', '-X', 'POST', o.url, '-H', `Authorization: Bearer ${o.apiKey}`, '-H', 'Content-Type: application/json', '-H', 'Accept-Encoding: gzip',
    '--data-binary', JSON.stringify(o.body), '-o', o.file, '-D', '-', '-w', '\n%{http_code} %{size_download} %{time_starttransfer} %{time_total}',
  ];
  const { seconds, stdout } = await runTimed('curl', 'curl', args);
  const lines = stdout.trimEnd().split(/\r?\n/);
  const [status, bytes, firstByte, lastByte] = lines.pop()!.split(' ').map(Number);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { seconds, status, bytes, firstByteSeconds: firstByte, lastByteSeconds: lastByte, headers };
}
