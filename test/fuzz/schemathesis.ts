// Schemathesis (from PyPI) in a virtualenv cached under .sluice/, run against a running API: the OpenAPI
// document validated, requests generated from it, and what they got back counted from the HAR it records.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = '4.32.5';
const VENV = join(__dirname, '..', '..', '.sluice', `schemathesis-${VERSION}`);
const bin = (name: string) => join(VENV, 'bin', name);

interface Ran {
  code: number | null;
  output: string;
}

// Async: the API under test answers from this same process meanwhile.
function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Ran> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, output }));
  });
}

async function mustRun(cmd: string, args: string[]): Promise<void> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.output.slice(-3000)}`);
}

/** Installs schemathesis into its virtualenv unless it is there and runs (about 30 s, once per machine). */
export async function ensureSchemathesis(): Promise<void> {
  // A virtualenv copied from elsewhere has scripts that name the old place's interpreter: rebuilt.
  if (existsSync(bin('st')) && (await run(bin('st'), ['--version']).catch(() => null))?.code === 0) return;
  await mustRun('python3', ['-m', 'venv', '--clear', VENV]);
  await mustRun(bin('pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${VERSION}`]);
}

/** Errors of the document against OpenAPI 3.1's JSON Schema and of its schemas against JSON Schema 2020-12; none when valid. */
export async function documentErrors(file: string): Promise<string[]> {
  const r = await run(bin('python'), [join(__dirname, 'validate_openapi.py'), file]);
  if (r.code !== 0 && r.code !== 1) throw new Error(`validate_openapi.py exited ${r.code}:\n${r.output}`);
  return r.code === 0 ? [] : r.output.trim().split('\n');
}

export interface FuzzRun {
  /** The API's origin; the document is read from its /openapi.json. */
  url: string;
  apiKey: string;
  maxExamples: number;
  seed: number;
  /** A directory for the reports and Hypothesis' files. */
  dir: string;
}

/** Runs schemathesis with its server-error check and ours (problem+json); its exit code, output and HAR file. */
export async function fuzz(f: FuzzRun): Promise<Ran & { har: string }> {
  const har = join(f.dir, 'requests.har');
  const r = await run(bin('st'), [
    'run', `${f.url}/openapi.json`, '--url', f.url, '--header', `Authorization: Bearer ${f.apiKey}`,
    '--checks', 'not_a_server_error,problem_json_errors', '--phases', 'examples,coverage,fuzzing,stateful',
    // One worker: Hypothesis parses source with ast in each worker thread, and the ast of Python 3.11 up to 3.11.7
    // (CPython gh-106905) then fails at random with "AST constructor recursion depth mismatch".
    '--max-examples', String(f.maxExamples), '--seed', String(f.seed), '--workers', '1', '--request-timeout', '60',
    '--generation-database', 'none', '--no-color', '--report', 'har', '--report-har-path', har,
  ], { SCHEMATHESIS_HOOKS: join(__dirname, 'problem_hooks.py') }, f.dir);
  return { ...r, har };
}

export interface HarCounts {
  requests: number;
  byClass: Record<string, number>;
  /** "METHOD url status content-type" of each 4xx that is not problem+json. */
  notProblemJson: string[];
  /** "METHOD url status" of each 5xx. */
  serverErrors: string[];
}

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number; headers: { name: string; value: string }[] };
}

export function countHar(file: string): HarCounts {
  const entries = (JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
  const counts: HarCounts = { requests: entries.length, byClass: {}, notProblemJson: [], serverErrors: [] };
  for (const { request, response } of entries) {
    const cls = `${String(response.status)[0]}xx`;
    counts.byClass[cls] = (counts.byClass[cls] ?? 0) + 1;
    const type = response.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
    const said = `${request.method} ${request.url.slice(0, 200)} ${response.status}`;
    if (response.status >= 500) counts.serverErrors.push(said);
    else if (response.status >= 400 && !type.startsWith('application/problem+json')) counts.notProblemJson.push(`${said} ${type}`);
  }
  return counts;
}
