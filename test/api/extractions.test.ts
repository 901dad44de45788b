import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Client as PgClient } from 'pg';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('api_orders');

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '400' });
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, status text, amount numeric(10,2))`);
  await src.query(`INSERT INTO ${table} SELECT g, CASE WHEN g % 3 = 0 THEN 'paid' ELSE 'open' END, g * 1.25 FROM generate_series(1, 1000) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

describe('authentication', () => {
  test('no key is a 401 problem', async () => {
    const res = await fetch(`${api.url}/v1/jobs`);
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
  test('a wrong key is a 401 problem', async () => {
    await expectProblem(await api.call('GET', '/v1/jobs', undefined, { authorization: 'Bearer sk_wrong' }), 401);
  });
});

describe('POST /v1/extractions refuses bad input, naming the field', () => {
  test.each([
    ['neither table nor query', { source: 'src' }, 'table'],
    ['an unknown mode', { source: 'src', table, mode: 'later' }, 'mode'],
    ['an unknown format', { source: 'src', table, mode: 'job', format: 'xml' }, 'format'],
    ['a Parquet query that repeats a column name', { source: 'src', query: 'SELECT 1 AS a, 2 AS a', mode: 'job', format: 'parquet' }, 'query'],
    ['an unknown field', { source: 'src', table, mode: 'job', sql: 'x' }, 'body'],
    ['an operator without value', { source: 'src', table, mode: 'job', filter: [{ column: 'id', op: 'eq' }] }, 'filter[0].value'],
    ['an unregistered source', { source: 'nope', table, mode: 'job' }, 'source'],
    ['a missing table', { source: 'src', table: 'no_such_table', mode: 'job' }, 'table'],
    ['an unknown column', { source: 'src', table, mode: 'job', columns: ['id', 'colour'] }, 'columns[1]'],
    ['an unknown filter column', { source: 'src', table, mode: 'job', filter: [{ column: 'colour', op: 'is_null' }] }, 'filter[0].column'],
    ['a query with a syntax error', { source: 'src', query: 'SELEC 1', mode: 'job' }, 'query'],
    ['an unknown time zone', { source: 'src', table, mode: 'job', timeZone: 'Mars/Olympus' }, 'timeZone'],
  ])('%s', async (_what, body, field) => {
    const problem = await expectProblem(await api.call('POST', '/v1/extractions', body), 400, field);
    expect(problem.errors[0].message).toEqual(expect.any(String));
  });

  test('the unknown column answer lists the columns the table has', async () => {
    const problem = await expectProblem(await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job', columns: ['colour'] }), 400, 'columns[0]');
    expect(problem.errors[0].hint).toContain('id, status, amount');
  });

  test('a body that is not JSON', async () => {
    await expectProblem(await api.call('POST', '/v1/extractions', '{"source":', { 'content-type': 'application/json' }), 400, 'body');
  });

  test('nothing is created by a refused request', async () => {
    const list = await (await api.call('GET', '/v1/jobs?limit=200')).json();
    expect(list.jobs.filter((j: { request: { columns?: string[] } }) => j.request.columns?.includes('colour'))).toEqual([]);
  });
});

describe('a job from submit to download', () => {
  let id: string;

  test('202 with the job and its Location', async () => {
    const res = await api.call('POST', '/v1/extractions', {
      source: 'src', table, columns: ['id', 'amount'], filter: [{ column: 'status', op: 'eq', value: 'paid' }], orderBy: [{ column: 'id' }], mode: 'job',
    });
    expect(res.status).toBe(202);
    const job = await res.json();
    id = job.id;
    expect(res.headers.get('location')).toBe(`/v1/jobs/${id}`);
    expect(job).toMatchObject({ kind: 'extraction', state: 'Queued', progress: { percent: 0 } });
  });

  test('GET shows it Completed with full progress, timings and attempts', async () => {
    const job = await waitForState(api, id, ['Completed', 'Failed']);
    expect(job.state).toBe('Completed');
    expect(job.progress).toMatchObject({ percent: 100, rowsDone: 333, partsDone: job.progress.partsTotal });
    expect(job.progress.bytesDone).toBeGreaterThan(0);
    expect(job.progress.rowsPerSecond).toBeGreaterThan(0);
    expect(job.timings.startedAt).toEqual(expect.any(String));
    expect(job.timings.finishedAt).toEqual(expect.any(String));
    expect(job.attempts).toBe(1);
    expect(job.worker.cpuMs).toBeGreaterThan(0);
    expect(job.worker.peakRssBytes).toBeGreaterThan(0);
    expect(job.error).toBeNull();
    expect(job.allowedActions).toEqual(['restart', 'delete']);
  });

  test('files: presigned links download with plain HTTP, match their checksums, honour Range, refuse tampering', async () => {
    const res = await api.call('GET', `/v1/jobs/${id}/files`);
    expect(res.status).toBe(200);
    const files = await res.json();
    expect(files).toMatchObject({ complete: true, format: 'csv', compression: 'gzip', rows: 333 });
    expect(Date.parse(files.linksExpireAt) - Date.now()).toBeLessThanOrEqual(12 * 3600 * 1000);
    let csv = '';
    for (const part of files.parts) {
      const body = Buffer.from(await (await fetch(part.url)).arrayBuffer());
      expect(createHash('sha256').update(body).digest('hex')).toBe(part.sha256);
      const text = gunzipSync(body).toString();
      csv += csv ? text.slice(text.indexOf('\n') + 1) : text;
    }
    const expected = await src.query(`SELECT id, amount FROM ${table} WHERE status = 'paid' ORDER BY id`);
    expect(csv).toBe(['id,amount', ...expected.rows.map((r) => `${r.id},${r.amount}`)].join('\n') + '\n');

    const ranged = await fetch(files.parts[0].url, { headers: { range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(10);
    const tampered = files.parts[0].url.replace(/X-Amz-Signature=([0-9a-f])/, (_m: string, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
    const manifest = await (await fetch(files.manifest.url)).json();
    expect(manifest).toMatchObject({ complete: true, rows: 333, parts: files.parts.map((p: { sha256: string }) => expect.objectContaining({ sha256: p.sha256 })) });
  });

  test('calling /files again issues fresh links', async () => {
    const first = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
    await new Promise((r) => setTimeout(r, 1100));
    const second = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
    expect(second.parts[0].url).not.toBe(first.parts[0].url);
  });

  test('DELETE of a finished job removes it and its files', async () => {
    const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
    expect((await api.call('DELETE', `/v1/jobs/${id}`)).status).toBe(204);
    await expectProblem(await api.call('GET', `/v1/jobs/${id}`), 404);
    expect((await fetch(files.parts[0].url)).status).toBe(404);
  });
});

test('a failing job shows the error with code, SQLSTATE, retryability and a suggestion', async () => {
  const res = await api.call('POST', '/v1/extractions', { source: 'src', query: `SELECT id / (id - id) AS boom FROM ${table}`, mode: 'job' });
  const job = await waitForState(api, (await res.json()).id, ['Failed', 'Completed']);
  expect(job.state).toBe('Failed');
  expect(job.error).toMatchObject({ code: 'division_by_zero', sqlstate: '22012', retryable: false, message: expect.stringContaining('division by zero') });
  expect(job.error.suggestion).toEqual(expect.any(String));
  await expectProblem(await api.call('GET', `/v1/jobs/${job.id}/files`), 409);
});
