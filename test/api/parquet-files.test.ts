// A Parquet job through the API: the files endpoint lists its parts, and each presigned link downloads a whole
// Parquet file that DuckDB reads.
import { createHash } from 'node:crypto';
import type { Client as PgClient } from 'pg';
import { ParquetReader } from '../support/parquet';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
let reader: ParquetReader;
const table = uniqueName('api_parquet');

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '400' });
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  reader = await ParquetReader.open();
  await src.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, amount numeric(10,2), at timestamptz)`);
  await src.query(`INSERT INTO ${table} SELECT g, g * 1.25, timestamptz '2025-01-01 00:00+00' + g * interval '1 hour' FROM generate_series(1, 1000) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  reader?.close();
  await api?.close();
  await src?.end();
  await s?.close();
});

test('files: each link downloads a .parquet part with its checksum and content type, read back by DuckDB', async () => {
  const res = await api.call('POST', '/v1/extractions', { source: 'src', table, orderBy: [{ column: 'id' }], format: 'parquet', mode: 'job' });
  expect(res.status).toBe(202);
  const { id } = await res.json();
  await waitForState(api, id, ['Completed']);
  const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
  expect(files).toMatchObject({ complete: true, format: 'parquet', compression: 'gzip', rows: 1000 });
  expect(files.parts.length).toBeGreaterThan(1);
  const rows = [];
  for (const [i, part] of files.parts.entries()) {
    expect(part.fileName).toBe(`part-${String(i + 1).padStart(5, '0')}.parquet`);
    const download = await fetch(part.url);
    expect(download.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const body = Buffer.from(await download.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(part.sha256);
    rows.push(...(await reader.rows(body, `id, amount::VARCHAR AS amount, epoch_us("at") AS at`)));
  }
  expect(rows).toEqual(Array.from({ length: 1000 }, (_, i) => ({
    id: BigInt(i + 1), amount: ((i + 1) * 1.25).toFixed(2), at: (1735689600n + BigInt(i + 1) * 3600n) * 1_000_000n,
  })));
});
