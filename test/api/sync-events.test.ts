// A sync's changes of state reach the endpoints subscribed to sync.state_changed, each once, signed: a full sync
// goes Created → Initializing → Running → Succeeded; paused and resumed in between, it says so too. Deliveries
// run side by side and may arrive in any order: a receiver orders them by their timestamp, as this test does.
import { Webhook } from 'standardwebhooks';
import { startReceiver, until, type Received } from '../support/webhook-receiver';
import { uniqueName } from '../support/stack';
import { act, defineSync } from './sync-lifecycle-support';
import { syncStack, waitForSync, writerTable, type SyncStack } from './sync-support';

let t: SyncStack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await syncStack({ SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_WEBHOOK_RETRY_SCHEDULE: '0,1' });
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const changesOf = (syncId: string, secret: string) =>
  receiver.received
    .map((r: Received) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Change)
    .filter((e) => e.type === 'sync.state_changed' && e.data.syncId === syncId)
    .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp))
    .map((e) => `${e.data.from}→${e.data.to}`);

type Change = { type: string; timestamp: string; data: { syncId: string; from: string; to: string; run: number } };

test('Created → Initializing → Running → Paused → Running → Succeeded, each change once', async () => {
  const hook = await (await t.api.call('POST', '/v1/webhooks', { url: `${receiver.url}/syncs`, events: ['sync.state_changed'] })).json();
  const table = `public.${uniqueName('announced')}`;
  await writerTable(t.src, table, 200_000); // long enough to pause during its snapshot
  const sync = await defineSync(t.api, [table], { mode: 'full', options: { rowsPerRange: 20_000, snapshotParallelism: 1 } });
  await act(t.api, sync.id, 'start');
  await waitForSync(t.api, sync.id, (x) => x.state === 'Running' || x.state === 'Succeeded');
  const paused = await t.api.call('POST', `/v1/syncs/${sync.id}/pause`);
  const wasPaused = paused.status === 200;
  if (wasPaused) await act(t.api, sync.id, 'resume');
  await waitForSync(t.api, sync.id, (x) => x.state === 'Succeeded');

  const expected = ['Created→Initializing', 'Initializing→Running', ...(wasPaused ? ['Running→Paused', 'Paused→Running'] : []), 'Running→Succeeded'];
  const seen = await until('every change of state', () => {
    const changes = changesOf(sync.id, hook.secret);
    return changes.length >= expected.length ? changes : undefined;
  });
  expect(seen).toEqual(expected);
});
