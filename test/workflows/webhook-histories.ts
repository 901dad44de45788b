// Recordings of webhook delivery workflows for the replay test (test/workflows/replay.test.ts): delivered at
// once, delivered after failed attempts, and ended by a 410. Only with SLUICE_RECORD_HISTORIES=1.
import { finished, startExtraction } from '../support/jobs';
import { sourceClient, startApi, testSluice, uniqueName } from '../support/stack';
import { startReceiver, until } from '../support/webhook-receiver';
import { webhookDeliveryWorkflowId } from '../../workflows/webhook-delivery';

export const WEBHOOK_PATHS = ['webhook-delivered', 'webhook-retried-delivered', 'webhook-gone'] as const;
export type WebhookPathName = (typeof WEBHOOK_PATHS)[number];

export async function recordWebhookHistories(save: (name: WebhookPathName, workflowId: string) => Promise<void>): Promise<void> {
  const receiver = await startReceiver({ '/ok': [200], '/flaky': [500, 503, 200], '/gone': [410] });
  const s = await testSluice({ SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_WEBHOOK_RETRY_SCHEDULE: '0,1,1,1' });
  await s.startWorker();
  const api = await startApi(s);
  try {
    const endpoints: Record<string, string> = {};
    for (const path of ['/ok', '/flaky', '/gone']) {
      const res = await api.call('POST', '/v1/webhooks', { url: `${receiver.url}${path}`, events: ['job.completed'] });
      endpoints[path] = (await res.json()).id;
    }
    const src = await sourceClient();
    const table = uniqueName('replay_hooked');
    await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 10) g`);
    await src.end();
    await finished((await startExtraction(s, { table })).handle);
    const names: [string, WebhookPathName][] = [['/ok', 'webhook-delivered'], ['/flaky', 'webhook-retried-delivered'], ['/gone', 'webhook-gone']];
    for (const [path, name] of names) {
      const delivery = await until(`the delivery to ${path}`, async () => {
        const [d] = (await (await api.call('GET', `/v1/webhooks/${endpoints[path]}/deliveries`)).json()).deliveries;
        return d && d.status !== 'pending' ? d : undefined;
      });
      const workflowId = webhookDeliveryWorkflowId(s.tenantId, delivery.id);
      await s.temporal.workflow.getHandle(workflowId).result();
      await save(name, workflowId);
    }
  } finally {
    await api.close();
    await s.close();
    await receiver.close();
  }
}
