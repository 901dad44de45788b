// The published API: GET /openapi.json (valid OpenAPI 3.1, checked with OpenAPI's own JSON Schema) and /docs,
// then schemathesis sends over a thousand requests generated from the document, valid and invalid: none may get
// a 5xx, and every 4xx must be problem+json. The counts are printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, testSluice, type TestApi, type TestSluice } from '../support/stack';
import { countHar, documentErrors, ensureSchemathesis, fuzz } from '../fuzz/schemathesis';

let s: TestSluice;
let api: TestApi;
const dir = mkdtempSync(join(tmpdir(), 'sluice-fuzz-'));

beforeAll(async () => {
  await ensureSchemathesis();
  // With a metrics token, GET /metrics refuses the tenant's key: that 401 is fuzzed too. Private addresses and an
  // SMTP server (never reached: no worker runs) let webhook and recipient bodies get as far as the database; the
  // run sends thousands of requests a minute from one key, which the per-key rate limit would otherwise answer.
  s = await testSluice({
    SLUICE_METRICS_TOKEN: 'fuzz-metrics-token-0123456789', SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_SMTP_URL: 'smtp://127.0.0.1:9',
    SLUICE_KEY_REQUESTS_PER_MINUTE: '1000000',
  });
  api = await startApi(s);
}, 300_000);

afterAll(async () => {
  await api?.close();
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('GET /openapi.json answers the document without a key, and it is valid OpenAPI 3.1', async () => {
  const res = await fetch(`${api.url}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  const file = join(dir, 'openapi.json');
  writeFileSync(file, await res.text());
  expect(await documentErrors(file)).toEqual([]);
});

test('GET /docs renders every operation, without a key and without a script', async () => {
  const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
  const res = await fetch(`${api.url}/docs`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/html');
  const page = await res.text();
  expect(page).not.toContain('<script');
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) expect(page).toContain(`id="${op.operationId}"`);
  }
});

test('schemathesis: over 1,000 generated requests, no 5xx, every 4xx problem+json', async () => {
  const run = await fuzz({ url: api.url, apiKey: s.apiKey, maxExamples: 25, seed: 11, dir });
  const counts = countHar(run.har);
  console.log(`schemathesis: ${counts.requests} requests; by status class ${JSON.stringify(counts.byClass)}\n${run.output.slice(-1500)}`);
  expect(counts.serverErrors).toEqual([]);
  expect(counts.notProblemJson).toEqual([]);
  expect(counts.requests).toBeGreaterThanOrEqual(1000);
  expect({ exit: run.code, output: run.code === 0 ? '' : failures(run.output) }).toEqual({ exit: 0, output: '' });
}, 600_000);

// Schemathesis' own report of what failed (its FAILURES and ERRORS sections), not the warnings after them.
function failures(output: string): string {
  const from = output.search(/^=+ (FAILURES|ERRORS) =+$/m);
  return from < 0 ? output.slice(-6000) : output.slice(from, from + 8000);
}
