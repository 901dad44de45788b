// Webhook deliveries end to end: a job completes, and each endpoint subscribed to job.completed gets the event,
// signed per Standard Webhooks, with the job's files and working links. A receiver that answers 500 three times
// gets it again on the schedule and the log shows four attempts, one delivery; one that answers 410 is disabled;
// a delivery replayed by hand arrives again with the same webhook-id; one whose deliveries keep failing is disabled
// after SLUICE_WEBHOOK_DISABLE_AFTER of them. Loopback receivers, allowed by the
// operator setting; a short schedule (0, 1, 1, 1 s).
import { Webhook } from 'standardwebhooks';
import { freePort } from '../../dev/services';
import { finished, startExtraction } from '../support/jobs';
import { promSample } from '../support/prometheus';
import { startReceiver, until, type Received } from '../support/webhook-receiver';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';

let s: TestSluice;
let api: TestApi;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let base: string;
let received: Received[];
let workerPort: number;

beforeAll(async () => {
  receiver = await startReceiver({ '/ok': [200], '/flaky': [500, 500, 500, 200], '/gone': [410], '/down': [500] });
  base = receiver.url;
  received = receiver.received;
  workerPort = await freePort();
  s = await testSluice({
    SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_WEBHOOK_RETRY_SCHEDULE: '0,1,1,1', SLUICE_WEBHOOK_DISABLE_AFTER: '3', SLUICE_WORKER_METRICS_PORT: String(workerPort),
  });
  await s.startWorker();
  api = await startApi(s);
});

afterAll(async () => {
  await api?.close();
  await s?.close();
  await receiver?.close();
});

const register = async (path: string) => {
  const res = await api.call('POST', '/v1/webhooks', { url: `${base}${path}`, events: ['job.completed'] });
  expect(res.status).toBe(201);
  return res.json() as Promise<{ id: string; secret: string }>;
};

const deliveriesOf = async (id: string) => (await (await api.call('GET', `/v1/webhooks/${id}/deliveries`)).json()).deliveries;

test('a completed job is delivered, signed, with its files; retried on 500; 410 disables; a replay arrives again', async () => {
  const ok = await register('/ok');
  const flaky = await register('/flaky');
  const gone = await register('/gone');
  const src = await sourceClient();
  const table = uniqueName('notified');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 300) g`);
  await src.end();
  const { jobId, handle } = await startExtraction(s, { table, compression: 'none' });
  expect((await finished(handle)).state).toBe('Completed');

  // Signed with the endpoint's secret, verified as a receiver would (the library checks the timestamp too).
  const first = await until('the delivery to /ok', async () => received.find((r) => r.path === '/ok'));
  const event = new Webhook(ok.secret).verify(first.body, first.headers as Record<string, string>) as { type: string; data: Record<string, any> };
  expect(event.type).toBe('job.completed');
  expect(event.data).toMatchObject({ jobId, run: 1, state: 'Completed', rows: 300 });
  expect(event.data.files.parts.length).toBeGreaterThan(0);
  const part = await fetch(event.data.files.parts[0].url);
  expect(part.status).toBe(200);
  expect(await part.text()).toContain('row 1');
  expect(() => new Webhook(flaky.secret).verify(first.body, first.headers as Record<string, string>)).toThrow(); // another endpoint's secret

  // 500, 500, 500, then 200: four attempts of one delivery, all with the same webhook-id.
  const log = await until('four attempts to /flaky', async () => {
    const [d] = await deliveriesOf(flaky.id);
    return d?.status === 'delivered' ? d : undefined;
  });
  expect(log.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 500, 200]);
  expect(log.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4]);
  const flakyIds = received.filter((r) => r.path === '/flaky').map((r) => r.headers['webhook-id']);
  expect(flakyIds).toEqual([log.id, log.id, log.id, log.id]);

  // 410: disabled at once, after one attempt.
  const disabled = await until('/gone disabled', async () => {
    const w = await (await api.call('GET', `/v1/webhooks/${gone.id}`)).json();
    return w.enabled ? undefined : w;
  });
  expect(disabled.disabledReason).toMatch(/410/);
  expect((await deliveriesOf(gone.id))[0]).toMatchObject({ status: 'failed', attempts: [expect.objectContaining({ attempt: 1, status: 410 })] });

  // Replayed by hand: the same delivery again, attempt 2.
  const [okDelivery] = await deliveriesOf(ok.id);
  expect(okDelivery).toMatchObject({ status: 'delivered', eventType: 'job.completed', subject: jobId });
  expect((await api.call('POST', `/v1/webhooks/${ok.id}/deliveries/${okDelivery.id}/replay`)).status).toBe(202);
  const again = await until('the replay', async () => {
    const [d] = await deliveriesOf(ok.id);
    return d.status === 'delivered' && d.attempts.length === 2 ? d : undefined;
  });
  expect(again.id).toBe(okDelivery.id);
  expect(received.filter((r) => r.path === '/ok').map((r) => r.headers['webhook-id'])).toEqual([okDelivery.id, okDelivery.id]);
  expect((await api.call('POST', `/v1/webhooks/${gone.id}/deliveries/${okDelivery.id}/replay`)).status).toBe(404); // not that endpoint's

  // The worker counts every attempt by its outcome: /ok twice, /flaky three retries and one delivery, /gone once.
  const metrics = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
  expect(promSample(metrics, 'sluice_webhook_deliveries_total', { outcome: 'delivered' })).toBe(3);
  expect(promSample(metrics, 'sluice_webhook_deliveries_total', { outcome: 'retry' })).toBe(3);
  expect(promSample(metrics, 'sluice_webhook_deliveries_total', { outcome: 'gone' })).toBe(1);
});

test('an endpoint whose deliveries keep failing is disabled after SLUICE_WEBHOOK_DISABLE_AFTER of them, and gets no more', async () => {
  const down = await register('/down'); // the receiver answers 500 to everything there
  const src = await sourceClient();
  const table = uniqueName('undeliverable');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 10) g`);
  await src.end();
  const jobs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { jobId, handle } = await startExtraction(s, { table, compression: 'none' });
    expect((await finished(handle)).state).toBe('Completed');
    jobs.push(jobId);
  }

  const disabled = await until('/down disabled', async () => {
    const w = await (await api.call('GET', `/v1/webhooks/${down.id}`)).json();
    return w.enabled ? undefined : w;
  });
  expect(disabled.disabledReason).toMatch(/last 3 deliveries failed/);
  const log = await deliveriesOf(down.id);
  expect(log.map((d: { subject: string }) => d.subject).sort()).toEqual([...jobs].sort());
  for (const d of log) expect(d).toMatchObject({ status: 'failed', attempts: [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }] });

  // A disabled endpoint is not handed the next event: its log stays at three.
  const fourth = await startExtraction(s, { table, compression: 'none' });
  expect((await finished(fourth.handle)).state).toBe('Completed');
  const ok = (await (await api.call('GET', '/v1/webhooks')).json()).webhooks.find((w: { url: string }) => w.url.endsWith('/ok'));
  await until('the fourth job delivered to /ok', async () => (await deliveriesOf(ok.id)).find((d: { subject: string }) => d.subject === fourth.jobId));
  expect(await deliveriesOf(down.id)).toHaveLength(3);
});
