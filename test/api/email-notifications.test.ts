// Email notifications end to end, to a real SMTP server on loopback: a recipient of job.completed gets one mail
// naming the job, its rows and bytes, with links that download the files; a failed job's mail; a 550 ends a
// delivery failed at once with the server's words in the log, a 451 is tried again; another tenant's recipient
// gets nothing and sees nothing. A Sluice database of its own, so that only this test's worker hands its events
// out (another test's worker has no SMTP server).
import { finished, startExtraction } from '../support/jobs';
import { startMailSink } from '../support/smtp-sink';
import { until } from '../support/webhook-receiver';
import { ownSluiceDatabase, sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

const OPS = 'ops@example.com';
const REFUSED = 'nobody@example.com';
const LATER = 'busy@example.com';
const OTHER = 'other-tenant@example.com';

let sink: Awaited<ReturnType<typeof startMailSink>>;
let s: TestSluice;
let other: TestSluice;
let api: TestApi;
let otherApi: TestApi;
let table: string;

beforeAll(async () => {
  sink = await startMailSink({
    [REFUSED]: [{ code: 550, message: '5.1.1 <nobody@example.com>: no such mailbox here' }],
    [LATER]: [{ code: 451, message: '4.3.0 busy, try again later' }, { code: 451, message: '4.3.0 busy, try again later' }, { code: 250, message: '' }],
  });
  const env = { SLUICE_DATABASE_URL: await ownSluiceDatabase(), SLUICE_SMTP_URL: sink.url, SLUICE_EMAIL_RETRY_INITIAL_SECONDS: '1', SLUICE_EMAIL_MAX_ATTEMPTS: '4' };
  s = await testSluice(env);
  other = await testSluice(env);
  await s.startWorker();
  api = await startApi(s);
  otherApi = await startApi(other);
  const src = await sourceClient();
  table = uniqueName('mailed');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 300) g`);
  await src.end();
});

afterAll(async () => {
  await api?.close();
  await otherApi?.close();
  await s?.close();
  await other?.close();
  await sink?.close();
});

const register = async (on: TestApi, address: string, events: string[]) => {
  const res = await on.call('POST', '/v1/email-recipients', { address, events, description: `test ${address}` });
  expect(res.status).toBe(201);
  return res.json() as Promise<{ id: string; address: string; events: string[] }>;
};
const deliveriesOf = async (id: string) => (await (await api.call('GET', `/v1/email-recipients/${id}/deliveries`)).json()).deliveries;
const settled = (id: string, n: number) => until(`${n} finished deliveries of ${id}`, async () => {
  const log = await deliveriesOf(id);
  return log.length >= n && log.every((d: { status: string }) => d.status !== 'pending') ? log : undefined;
});

test('bad input is a problem naming the field; without an SMTP server a recipient is refused', async () => {
  await expectProblem(await api.call('POST', '/v1/email-recipients', { address: 'not an address', events: ['job.completed'] }), 400, 'address');
  await expectProblem(await api.call('POST', '/v1/email-recipients', { address: OPS, events: ['job.exploded'] }), 400, 'events[0]');
  await expectProblem(await api.call('POST', '/v1/email-recipients', { address: OPS, events: ['job.progress'] }), 400, 'events[0]'); // not by mail
  await expectProblem(await api.call('POST', '/v1/email-recipients', { address: OPS, events: [] }), 400, 'events');
  await expectProblem(await api.call('POST', '/v1/email-recipients', { address: OPS, events: ['job.failed'], cc: 'x' }), 400, 'body');
  await expectProblem(await api.call('POST', '/v1/email-recipients', 'address=ops', { 'content-type': 'text/plain' }), 415, 'body');
  const unconfigured = await startApi(s, { SLUICE_SMTP_URL: undefined });
  try {
    const body = await expectProblem(await unconfigured.call('POST', '/v1/email-recipients', { address: OPS, events: ['job.failed'] }), 409);
    expect(body.hint).toMatch(/SLUICE_SMTP_URL/);
  } finally {
    await unconfigured.close();
  }
});

test('a completed job is mailed once with its figures and working links; a failed one too; 550 fails, 451 retries; tenants apart', async () => {
  const ops = await register(api, OPS, ['job.completed', 'job.failed']);
  const refused = await register(api, REFUSED, ['job.completed']);
  const later = await register(api, LATER, ['job.completed']);
  const otherRecipient = await register(otherApi, OTHER, ['job.completed', 'job.failed']);
  expect((await (await api.call('GET', '/v1/email-recipients')).json()).emailRecipients.map((r: { id: string }) => r.id)).toEqual([ops.id, refused.id, later.id]);
  expect(await (await api.call('GET', `/v1/email-recipients/${ops.id}`)).json()).toMatchObject({ address: OPS, events: ['job.completed', 'job.failed'] });

  const { jobId, handle } = await startExtraction(s, { table, compression: 'none' });
  const done = await finished(handle);
  expect(done.state).toBe('Completed');
  const failedJob = await startExtraction(s, { table, columns: ['nope'] });
  expect((await finished(failedJob.handle)).state).toBe('Failed');

  // One mail per event to ops, and its log says so.
  const log = await settled(ops.id, 2);
  expect(log.map((d: { eventType: string; status: string }) => [d.eventType, d.status]).sort()).toEqual([['job.completed', 'delivered'], ['job.failed', 'delivered']]);
  expect(log[0].attempts[0]).toMatchObject({ attempt: 1, smtpCode: 250, error: null });
  const toOps = sink.mailsTo(OPS);
  expect(toOps).toHaveLength(2);
  const completed = toOps.find((m) => m.parsed.subject?.includes('completed'))!;
  expect(completed.parsed.subject).toBe(`[Sluice] Job ${jobId} completed: 300 rows`);
  expect(completed.parsed.from?.text).toContain('sluice@localhost');
  const text = completed.parsed.text!;
  expect(text).toContain(`Job:      ${jobId} (run 1)`);
  expect(text).toContain('Rows:     300');
  expect(text).toContain(`Bytes:    ${done.progress.bytesDone} bytes`);
  const links = [...text.matchAll(/^ {2}(https?:\/\/\S+)$/gm)].map((l) => l[1]);
  expect(links).toHaveLength(1 + done.manifest!.parts.length); // the manifest and each part
  const manifest = await (await fetch(links[0])).json();
  expect(manifest).toMatchObject({ rows: 300, complete: true });
  const parts = await Promise.all(links.slice(1).map(async (l) => (await fetch(l)).text()));
  expect(parts.join('')).toContain('\n1,row 1\n');
  expect(parts.join('')).toContain('\n300,row 300\n');
  const failedMail = toOps.find((m) => m !== completed)!;
  expect(failedMail.parsed.subject).toBe(`[Sluice] Job ${failedJob.jobId} failed: undefined_column`);
  expect(failedMail.parsed.text).toContain('nope');

  // 550: failed after one attempt, the server's reply in the log; no mail taken.
  const [refusedLog] = await settled(refused.id, 1);
  expect(refusedLog).toMatchObject({ status: 'failed', subject: jobId, attempts: [{ attempt: 1, smtpCode: 550 }] });
  expect(refusedLog.attempts[0].error).toContain('no such mailbox here');
  expect(sink.mailsTo(REFUSED)).toHaveLength(0);
  // 451 twice, then taken: three attempts of one delivery, one mail.
  const [laterLog] = await settled(later.id, 1);
  expect(laterLog.status).toBe('delivered');
  expect(laterLog.attempts.map((a: { smtpCode: number }) => a.smtpCode)).toEqual([451, 451, 250]);
  expect(sink.mailsTo(LATER)).toHaveLength(1);

  // The other tenant's recipient heard nothing of these jobs, and neither tenant sees the other's recipients.
  expect(sink.mailsTo(OTHER)).toHaveLength(0);
  expect((await (await otherApi.call('GET', `/v1/email-recipients/${otherRecipient.id}/deliveries`)).json()).deliveries).toEqual([]);
  await expectProblem(await otherApi.call('GET', `/v1/email-recipients/${ops.id}`), 404);
  await expectProblem(await otherApi.call('GET', `/v1/email-recipients/${ops.id}/deliveries`), 404);
  await expectProblem(await otherApi.call('DELETE', `/v1/email-recipients/${ops.id}`), 404);
  expect((await (await otherApi.call('GET', '/v1/email-recipients')).json()).emailRecipients.map((r: { id: string }) => r.id)).toEqual([otherRecipient.id]);

  expect((await api.call('DELETE', `/v1/email-recipients/${ops.id}`)).status).toBe(204);
  await expectProblem(await api.call('GET', `/v1/email-recipients/${ops.id}`), 404);
});
