// Extra recipients named in a request (notify): a webhook endpoint that subscribes to nothing of jobs, and an
// address no standing recipient has, hear of that job, and of no other; a sync's request likewise. Bad notify
// input is a problem naming the field. A Sluice database of its own, with a real SMTP server on loopback and a
// webhook receiver (loopback allowed by the operator setting).
import { Webhook } from 'standardwebhooks';
import { startMailSink } from '../support/smtp-sink';
import { startReceiver, until } from '../support/webhook-receiver';
import { ownSluiceDatabase, sourceClient, startApi, uniqueName } from '../support/stack';
import { syncStack, waitForSync, type SyncStack } from './sync-support';
import { expectProblem, waitForState } from './support';

const ADDRESS = 'job-owner@example.com';
const SYNC_ADDRESS = 'sync-owner@example.com';

let sink: Awaited<ReturnType<typeof startMailSink>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let stack: SyncStack;
let table: string;

beforeAll(async () => {
  sink = await startMailSink();
  receiver = await startReceiver();
  stack = await syncStack({
    SLUICE_DATABASE_URL: await ownSluiceDatabase(), SLUICE_SMTP_URL: sink.url, SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_WEBHOOK_RETRY_SCHEDULE: '0,1',
  });
  const src = await sourceClient();
  table = uniqueName('told');
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label text)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 50) g`);
  await src.end();
});

afterAll(async () => {
  await stack?.close();
  await sink?.close();
  await receiver?.close();
});

const extract = (body: Record<string, unknown>) => stack.api.call('POST', '/v1/extractions', { source: 'src', mode: 'job', table, compression: 'none', ...body });

test('bad notify input is a problem naming the field; addresses need email configured', async () => {
  await expectProblem(await extract({ notify: {} }), 400, 'notify.emails');
  await expectProblem(await extract({ notify: { emails: ['not an address'] } }), 400, 'notify.emails[0]');
  await expectProblem(await extract({ notify: { webhooks: ['wh_0123456789abcdef0123'] } }), 400, 'notify.webhooks[0]'); // not the tenant's
  await expectProblem(await extract({ notify: { webhooks: ['https://example.com/hook'] } }), 400, 'notify.webhooks[0]');
  await expectProblem(await extract({ notify: { emails: [ADDRESS], events: ['sync.alert'] } }), 400, 'notify.events[0]');
  await expectProblem(await extract({ mode: 'inline', notify: { emails: [ADDRESS] } }), 400, 'notify');
  const unconfigured = await startApi(stack.s, { SLUICE_SMTP_URL: undefined });
  try {
    const body = await expectProblem(await unconfigured.call('POST', '/v1/extractions', { source: 'src', mode: 'job', table, notify: { emails: [ADDRESS] } }), 409);
    expect(body.hint).toMatch(/SLUICE_SMTP_URL/);
  } finally {
    await unconfigured.close();
  }
  expect((await (await stack.api.call('GET', '/v1/jobs')).json()).jobs).toEqual([]); // nothing was made
});

test("a job's own recipients hear of it, and of no other job", async () => {
  const hook = await (await stack.api.call('POST', '/v1/webhooks', { url: `${receiver.url}/own`, events: ['sync.alert'] })).json();
  const told = await (await extract({ notify: { emails: [ADDRESS], webhooks: [hook.id] } })).json();
  const untold = await (await extract({})).json();
  expect((await waitForState(stack.api, told.id, ['Completed'])).request.notify).toEqual({ emails: [ADDRESS], webhooks: [hook.id], events: ['job.completed', 'job.failed', 'job.cancelled'] });
  await waitForState(stack.api, untold.id, ['Completed']);

  const delivered = await until('the webhook delivery', async () => receiver.received.find((r) => r.path === '/own'));
  const event = new Webhook(hook.secret).verify(delivered.body, delivered.headers as Record<string, string>) as { type: string; data: { jobId: string; rows: number } };
  expect(event).toMatchObject({ type: 'job.completed', data: { jobId: told.id, rows: 50 } });
  const mail = await until('the mail', async () => sink.mailsTo(ADDRESS)[0]);
  expect(mail.parsed.subject).toBe(`[Sluice] Job ${told.id} completed: 50 rows`);

  // The untold job's completion reached no one: the endpoint's log and the mailbox hold the told job's only.
  const log = await until('the endpoint log', async () => {
    const d = (await (await stack.api.call('GET', `/v1/webhooks/${hook.id}/deliveries`)).json()).deliveries;
    return d.length ? d : undefined;
  });
  expect(log.map((d: { subject: string }) => d.subject)).toEqual([told.id]);
  expect(sink.mailsTo(ADDRESS)).toHaveLength(1);
  // The address is the job's recipient, not one of the tenant's standing ones.
  expect((await (await stack.api.call('GET', '/v1/email-recipients')).json()).emailRecipients).toEqual([]);
  const own = (await (await stack.api.call('GET', `/v1/email-recipients?for=${told.id}`)).json()).emailRecipients;
  expect(own).toMatchObject([{ address: ADDRESS, for: told.id, events: ['job.completed', 'job.failed', 'job.cancelled'] }]);
  await expectProblem(await stack.api.call('GET', '/v1/email-recipients?for=x'), 400, 'for');
});

test("a sync's own address is told of its state changes", async () => {
  const res = await stack.api.call('POST', '/v1/syncs', {
    source: 'src', target: 'dst', tables: [table], mode: 'full', start: true, notify: { emails: [SYNC_ADDRESS], events: ['sync.state_changed'] },
  });
  expect(res.status).toBe(201);
  const { id } = await res.json();
  await waitForSync(stack.api, id, (x) => x.state === 'Succeeded');
  const mails = await until('a mail of each change', async () => {
    const m = sink.mailsTo(SYNC_ADDRESS);
    return m.some((x) => x.parsed.subject?.endsWith('-> Succeeded')) ? m : undefined;
  });
  expect(mails.every((m) => m.parsed.subject?.includes(id))).toBe(true);
});
