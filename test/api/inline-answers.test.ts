// Small extractions are answered inline: the rows in the response body, byte for byte what PostgreSQL's own
// COPY (CSV) and row_to_json (NDJSON) give, gzip as a content coding to a client that accepts it and readable
// text to one that does not, with headers saying why and how big.
import type { Client as PgClient } from 'pg';
import { psqlCsv, rowToJson } from '../integration/oracle';
import { decompressed } from '../support/jobs';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { send, type RawResponse } from './raw-http';
import { expectProblem } from './support';

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

const body = (res: RawResponse) => decompressed(res.body, String(res.headers['content-encoding'])).toString('utf8');

/** POST /v1/extractions with exactly this Accept-Encoding (none when undefined); the body as it came off the wire. */
const postRaw = (request: unknown, acceptEncoding?: string) =>
  send(api.url, {
    method: 'POST', path: '/v1/extractions', body: JSON.stringify(request),
    headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json', ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) },
  });

// With compression gzip or zstd, that Content-Encoding only for a client that accepts it; the rows are the same
// either way.
const CLIENTS = [
  ['gzip', 'accepts gzip', 'gzip'],
  ['gzip', 'sends no Accept-Encoding', undefined],
  ['zstd', 'accepts zstd', 'zstd'],
  ['zstd', 'accepts only gzip', 'gzip'],
  ['none', 'accepts gzip', 'gzip'],
  ['none', 'sends no Accept-Encoding', undefined],
] as const;

describe.each(CLIENTS)('compression %s, a client that %s', (compression, _client, acceptEncoding) => {
  const encoded = compression !== 'none' && acceptEncoding === compression;

  test('csv: 200 with exactly what psql COPY writes, and the decision in headers', async () => {
    const res = await postRaw({ source: 'src', table, orderBy: [{ column: 'id' }], format: 'csv', compression }, acceptEncoding); // mode auto by default
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
    expect(res.headers['content-encoding']).toBe(encoded ? compression : undefined);
    expect(res.headers.vary).toBe(compression === 'none' ? undefined : 'Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length); // the whole body is known before it is sent
    const csv = body(res);
    if (!encoded) expect(res.body.toString('utf8')).toBe(csv); // readable as it comes
    expect(Number(res.headers['sluice-bytes'])).toBe(Buffer.byteLength(csv));
    expect(csv).toBe(psqlCsv(selectAll));
  });

  test('ndjson from a query: 200 with row_to_json of every row, one per line', async () => {
    const query = `SELECT id, name, at, tags, doc FROM ${table} WHERE id <= 40 ORDER BY id DESC`;
    const res = await postRaw({ source: 'src', query, format: 'ndjson', compression, mode: 'inline' }, acceptEncoding);
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'content-type': 'application/x-ndjson; charset=utf-8', 'sluice-mode': 'inline', 'sluice-rows': '40' });
    expect(res.headers['content-encoding']).toBe(encoded ? compression : undefined);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(body(res)).toBe((await rowToJson(src, query)).map((line) => `${line}\n`).join(''));
  });
});

describe('Accept-Encoding decides the content coding of a gzip answer', () => {
  test.each([
    ['gzip', true],
    ['GZIP', true],
    ['gzip, deflate, br', true],
    ['br;q=1, gzip;q=0.5', true],
    ['*', true],
    ['gzip;q=0', false],
    ['*;q=0', false],
    ['identity', false],
    ['deflate, br', false],
    ['', false],
  ])('Accept-Encoding %j: gzip %s', async (acceptEncoding, gzip) => {
    const res = await postRaw({ source: 'src', table, orderBy: [{ column: 'id' }], mode: 'inline' }, acceptEncoding); // compression gzip by default
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(body(res)).toBe(psqlCsv(selectAll));
  });

  test('plain curl (no Accept-Encoding, the default compression) reads text; fetch decodes what it asked for', async () => {
    const plain = await postRaw({ source: 'src', table, orderBy: [{ column: 'id' }] });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(psqlCsv(selectAll));

    const fetched = await api.call('POST', '/v1/extractions', { source: 'src', table, orderBy: [{ column: 'id' }] }); // fetch sends gzip, deflate
    expect(fetched.headers.get('content-encoding')).toBe('gzip');
    expect(await fetched.text()).toBe(psqlCsv(selectAll));
  });
});

test('an empty answer is the header alone', async () => {
  const res = await postRaw({ source: 'src', table, filter: [{ column: 'id', op: 'lt', value: 0 }], compression: 'none' });
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
