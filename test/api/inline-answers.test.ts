// Small extractions are answered inline: the rows in the response body, byte for byte what PostgreSQL's own
// COPY (CSV) and row_to_json (NDJSON) give, gzip as a content coding, with headers saying why and how big.
import { gunzipSync } from 'node:zlib';
import type { Client as PgClient } from 'pg';
import { psqlCsv, rowToJson } from '../integration/oracle';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, postRaw, type RawResponse } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('inline_small');
const ROWS = 60;
const selectAll = `SELECT * FROM ${table} ORDER BY id`;

beforeAll(async () => {
  s = await testSluice();
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text, amount numeric(12,2), at timestamptz, paid boolean, tags text[], doc jsonb)`);
  // Values that need CSV quoting and JSON escaping, NULLs, and an empty string.
  await src.query(`INSERT INTO ${table}
    SELECT g, CASE g % 4 WHEN 0 THEN 'comma, "quote"' WHEN 1 THEN E'line\\nbreak' WHEN 2 THEN '' END,
           g * 10.05, timestamptz '2024-03-01 12:00:00+00' + g * interval '1 hour', g % 2 = 0,
           ARRAY['a', 'b' || g], jsonb_build_object('n', g, 's', 'x"y')
      FROM generate_series(1, ${ROWS}) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

const body = (res: RawResponse) => (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body).toString('utf8');

describe.each(['gzip', 'none'] as const)('compression %s', (compression) => {
  test('csv: 200 with exactly what psql COPY writes, and the decision in headers', async () => {
    const res = await postRaw(api, s.apiKey, { source: 'src', table, orderBy: [{ column: 'id' }], format: 'csv', compression }); // mode auto by default
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'sluice-mode': 'inline',
      'sluice-rule': 'within_limits',
      'sluice-estimated-rows': String(ROWS),
      'sluice-estimated-bytes': expect.stringMatching(/^\d+$/),
      'sluice-estimated-cost': expect.stringMatching(/^[\d.]+$/),
      'sluice-rows': String(ROWS),
    });
    expect(res.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
    expect(Number(res.headers['content-length'])).toBe(res.body.length); // the whole body is known before it is sent
    const csv = body(res);
    expect(Number(res.headers['sluice-bytes'])).toBe(Buffer.byteLength(csv));
    expect(csv).toBe(psqlCsv(selectAll));
  });

  test('ndjson from a query: 200 with row_to_json of every row, one per line', async () => {
    const query = `SELECT id, name, at, tags, doc FROM ${table} WHERE id <= 40 ORDER BY id DESC`;
    const res = await postRaw(api, s.apiKey, { source: 'src', query, format: 'ndjson', compression, mode: 'inline' });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'content-type': 'application/x-ndjson; charset=utf-8', 'sluice-mode': 'inline', 'sluice-rows': '40' });
    expect(body(res)).toBe((await rowToJson(src, query)).map((line) => `${line}\n`).join(''));
  });
});

test('an empty answer is the header alone', async () => {
  const res = await postRaw(api, s.apiKey, { source: 'src', table, filter: [{ column: 'id', op: 'lt', value: 0 }], compression: 'none' });
  expect(res.status).toBe(200);
  expect(res.headers['sluice-rows']).toBe('0');
  expect(body(res)).toBe('id,name,amount,at,paid,tags,doc\n');
});

test('mode job makes a job, with the decision and the estimate in the 202', async () => {
  const res = await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' });
  expect(res.status).toBe(202);
  expect(res.headers.get('sluice-rule')).toBe('job_requested');
  const job = await res.json();
  expect(job).toMatchObject({
    kind: 'extraction', state: 'Queued',
    decision: { mode: 'job', rule: 'job_requested', estimate: { rows: ROWS, bytes: expect.any(Number), cost: expect.any(Number) }, limits: { maxRows: 100_000, maxBytes: 50_000_000 } },
  });
});

test('a statement the source refuses while answering is a 400 naming the query, not a job that fails', async () => {
  const res = await api.call('POST', '/v1/extractions', { source: 'src', query: `SELECT id / (id - id) AS boom FROM ${table}` });
  const problem = await expectProblem(res, 400, 'query');
  expect(problem.errors[0]).toMatchObject({ message: expect.stringContaining('division by zero'), hint: expect.stringContaining('NULLIF') });
});
