// Errors a person can act on: each fails the job at once (no retries) with the code and a suggestion.
import type { Client as PgClient } from 'pg';
import { finished, startExtraction } from '../support/jobs';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestSluice } from '../support/stack';

let s: TestSluice;
let src: PgClient;
const secret = uniqueName('secret');
const role = uniqueName('reader');

beforeAll(async () => {
  s = await testSluice({ SLUICE_STATEMENT_TIMEOUT_MS: '300' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${secret} (id int PRIMARY KEY, salary numeric)`);
  await src.query(`CREATE ROLE ${role} LOGIN`); // no privilege on the table
  const url = new URL(stackInfo().sourceUrl);
  url.username = role;
  await s.rt.connections.put(s.tenantId, { name: 'limited', roles: ['source'], url: url.toString() });
});

afterAll(async () => {
  await src?.query(`DROP TABLE IF EXISTS ${secret}`);
  await src?.query(`DROP ROLE IF EXISTS ${role}`);
  await src?.end();
  await s?.close();
});

test('a statement timeout fails the job at once and suggests narrowing it', async () => {
  const { handle } = await startExtraction(s, { query: 'SELECT pg_sleep(2)' });
  const snap = await finished(handle);
  expect(snap.state).toBe('Failed');
  expect(snap.error).toMatchObject({ code: 'statement_timeout', sqlstate: '57014', retryable: false });
  expect(snap.error!.suggestion).toMatch(/filter/);
  expect(snap.attempts).toBe(1);
});

test('a missing privilege fails the job at once, naming the privilege', async () => {
  const { handle } = await startExtraction(s, { source: 'limited', table: secret });
  const snap = await finished(handle);
  expect(snap.error).toMatchObject({ code: 'permission_denied', sqlstate: '42501', retryable: false });
  expect(snap.error!.suggestion).toContain(`SELECT on public.${secret}`);
});

test('the API refuses the same request up front: 400 on the table, with the privilege to grant', async () => {
  const api = await startApi(s);
  try {
    const res = await api.call('POST', '/v1/extractions', { source: 'limited', table: secret, mode: 'job' });
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(problem.errors[0]).toMatchObject({ field: 'table', hint: expect.stringContaining(`SELECT on public.${secret}`) });
  } finally {
    await api.close();
  }
});
