// Prometheus scrapes the API's /metrics (requests by route, jobs by state, the queue) and the worker's own
// (runs' durations, rows and bytes moved); with SLUICE_METRICS_TOKEN set, both ask for it.
import { freePort } from '../../dev/services';
import { finished, startExtraction } from '../support/jobs';
import { promSample } from '../support/prometheus';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';

const TOKEN = 'scrape-token-0123456789';
let s: TestSluice;
let api: TestApi;
let workerPort: number;

beforeAll(async () => {
  workerPort = await freePort();
  s = await testSluice({ SLUICE_WORKER_METRICS_PORT: String(workerPort), SLUICE_METRICS_TOKEN: TOKEN });
  await s.startWorker();
  api = await startApi(s);
});

afterAll(async () => {
  await api?.close();
  await s?.close();
});

const scrape = (url: string, token: string | null = TOKEN) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test('without the token, /metrics is refused on both ports; /healthz still answers', async () => {
  expect((await scrape(`${api.url}/metrics`, null)).status).toBe(401);
  expect((await scrape(`${api.url}/metrics`, 'wrong-token-0123456789')).status).toBe(401);
  expect((await scrape(`http://127.0.0.1:${workerPort}/metrics`, null)).status).toBe(401);
  expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
});

test('an extraction: the API counts jobs by state and times requests by route; the worker reports the run and its rows', async () => {
  const src = await sourceClient();
  const table = uniqueName('scraped');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 2500) g`);
  await src.end();
  const { jobId, handle } = await startExtraction(s, { table });
  expect((await finished(handle)).state).toBe('Completed');
  expect((await api.call('GET', `/v1/jobs/${jobId}`)).status).toBe(200);
  expect((await api.call('GET', '/v1/jobs/job_0000000000000000')).status).toBe(404);

  const res = await scrape(`${api.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  expect(promSample(text, 'sluice_jobs', { kind: 'extraction', state: 'Completed' })).toBeGreaterThanOrEqual(1);
  expect(promSample(text, 'sluice_jobs', { kind: 'sync', state: 'Running' })).toBeGreaterThanOrEqual(0); // every state, 0 included
  expect(promSample(text, 'sluice_queue_length')).toBeGreaterThanOrEqual(0);
  // The route's pattern, not the id: one series however many jobs are asked for.
  expect(promSample(text, 'sluice_api_request_duration_seconds_count', { method: 'GET', route: '/v1/jobs/:id', status: '200' })).toBe(1);
  expect(promSample(text, 'sluice_api_request_duration_seconds_count', { method: 'GET', route: '/v1/jobs/:id', status: '404' })).toBe(1);
  expect(text).not.toContain(jobId);
  expect(promSample(text, 'sluice_process_cpu_seconds_total', { process: 'api' })).toBeGreaterThan(0);

  const worker = await (await scrape(`http://127.0.0.1:${workerPort}/metrics`)).text();
  expect(promSample(worker, 'sluice_job_duration_seconds_count', { kind: 'extraction', state: 'Completed' })).toBe(1);
  expect(promSample(worker, 'sluice_rows_total', { kind: 'extraction' })).toBe(2500);
  expect(promSample(worker, 'sluice_bytes_total', { kind: 'extraction' })).toBeGreaterThan(0);
});
