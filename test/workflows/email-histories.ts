// Recordings of email delivery workflows for the replay test (test/workflows/replay.test.ts): taken at once,
// taken after a 451 (Temporal's retry), and refused with a 550. Only with SLUICE_RECORD_HISTORIES=1.
import { finished, startExtraction } from '../support/jobs';
import { startMailSink } from '../support/smtp-sink';
import { ownSluiceDatabase, sourceClient, startApi, testSluice, uniqueName } from '../support/stack';
import { until } from '../support/webhook-receiver';
import { emailDeliveryWorkflowId } from '../../workflows/email-delivery';

export const EMAIL_PATHS = ['email-delivered', 'email-retried-delivered', 'email-refused'] as const;
export type EmailPathName = (typeof EMAIL_PATHS)[number];

export async function recordEmailHistories(save: (name: EmailPathName, workflowId: string) => Promise<void>): Promise<void> {
  const sink = await startMailSink({
    'later@example.com': [{ code: 451, message: '4.3.0 try again later' }, { code: 250, message: '' }],
    'refused@example.com': [{ code: 550, message: '5.1.1 no such mailbox' }],
  });
  // A database of its own: only this worker (with the SMTP server) hands the events out.
  const s = await testSluice({ SLUICE_DATABASE_URL: await ownSluiceDatabase(), SLUICE_SMTP_URL: sink.url, SLUICE_EMAIL_RETRY_INITIAL_SECONDS: '1' });
  await s.startWorker();
  const api = await startApi(s);
  try {
    const names: [string, EmailPathName][] = [['ok@example.com', 'email-delivered'], ['later@example.com', 'email-retried-delivered'], ['refused@example.com', 'email-refused']];
    const recipients: Record<string, string> = {};
    for (const [address] of names) {
      recipients[address] = (await (await api.call('POST', '/v1/email-recipients', { address, events: ['job.completed'] })).json()).id;
    }
    const src = await sourceClient();
    const table = uniqueName('replay_mailed');
    await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 10) g`);
    await src.end();
    await finished((await startExtraction(s, { table })).handle);
    for (const [address, name] of names) {
      const delivery = await until(`the delivery to ${address}`, async () => {
        const [d] = (await (await api.call('GET', `/v1/email-recipients/${recipients[address]}/deliveries`)).json()).deliveries;
        return d && d.status !== 'pending' ? d : undefined;
      });
      const workflowId = emailDeliveryWorkflowId(s.tenantId, delivery.id);
      await s.temporal.workflow.getHandle(workflowId).result();
      await save(name, workflowId);
    }
  } finally {
    await api.close();
    await s.close();
    await sink.close();
  }
}
