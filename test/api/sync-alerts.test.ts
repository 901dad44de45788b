// Alerts of a sync as an operator meets them: a stalled apply (the target table locked) opens the latency
// alerts once Idle and Emit Event Time have stayed above their thresholds for the grace period, and resolves
// them when the apply goes on — one sync.alert and one sync.alert_resolved notification each; a pause whose
// retained WAL passes the budget opens wal_over_budget. GET /v1/alerts lists them.
import { Webhook } from 'standardwebhooks';
import { startReceiver, until } from '../support/webhook-receiver';
import { uniqueName } from '../support/stack';
import { sleep, steadyWriter, streamingSync, syncStack, writerTable, type SyncStack } from './sync-support';

let t: SyncStack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let secret: string;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await syncStack({
    SLUICE_SYNC_METRICS_SECONDS: '1', SLUICE_ALERT_EVALUATE_SECONDS: '1', SLUICE_SYNC_PAUSED_SAMPLE_SECONDS: '1',
    SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_WEBHOOK_RETRY_SCHEDULE: '0,1',
  });
  const hook = await t.api.call('POST', '/v1/webhooks', { url: `${receiver.url}/alerts`, events: ['sync.alert', 'sync.alert_resolved'] });
  secret = (await hook.json()).secret;
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

type AlertEvent = { type: string; data: { alertId: string; syncId: string; kind: string; message: string; value: number | null; threshold: number | null } };
const notified = (syncId: string) =>
  receiver.received
    .map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as AlertEvent)
    .filter((e) => e.data.syncId === syncId);
const alertsOf = async (syncId: string) => ((await (await t.api.call('GET', '/v1/alerts')).json()).alerts as { syncId: string; kind: string; state: string; id: string }[]).filter((a) => a.syncId === syncId);

test('a stalled apply opens the latency alerts after the grace period and resolves them when it goes on', async () => {
  const table = `public.${uniqueName('alerted')}`;
  await writerTable(t.src, table, 100);
  const id = await streamingSync(t.api, table, { heartbeatIntervalSeconds: 1, alerts: { idleTimeSeconds: 2, emitEventTimeSeconds: 2, graceSeconds: 2 } });
  const writer = steadyWriter(t.src, table);
  try {
    await sleep(3000);
    expect(await alertsOf(id)).toEqual([]); // keeping up: nothing fires
    await t.dst.query('BEGIN');
    await t.dst.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const open = await until('both latency alerts open', async () => {
      const alerts = (await alertsOf(id)).filter((a) => a.state === 'open');
      return alerts.length === 2 ? alerts : undefined;
    });
    expect(open.map((a) => a.kind).sort()).toEqual(['emit_event_time_high', 'idle_time_high']);
    await sleep(3000); // still stalled: no second notification
  } finally {
    await t.dst.query('ROLLBACK');
  }
  try {
    await until('both resolved', async () => {
      const alerts = await alertsOf(id);
      return alerts.length === 2 && alerts.every((a) => a.state === 'resolved') ? alerts : undefined;
    });
  } finally {
    await writer.stop();
  }
  const events = await until('four notifications', () => {
    const e = notified(id);
    return e.length >= 4 ? e : undefined;
  });
  await sleep(1500); // nothing more comes
  expect(notified(id).map((e) => `${e.type}:${e.data.kind}`).sort()).toEqual([
    'sync.alert:emit_event_time_high', 'sync.alert:idle_time_high', 'sync.alert_resolved:emit_event_time_high', 'sync.alert_resolved:idle_time_high',
  ]);
  expect(new Set(events.map((e) => e.data.alertId)).size).toBe(2);
  await t.api.call('POST', `/v1/syncs/${id}/pause`);
  await t.api.call('DELETE', `/v1/syncs/${id}`);
});

test('paused while the source writes past the WAL budget: wal_over_budget opens', async () => {
  const table = `public.${uniqueName('budgeted')}`;
  await writerTable(t.src, table, 100);
  const id = await streamingSync(t.api, table, { heartbeatIntervalSeconds: 1, walBudgetBytes: 1 << 20 });
  expect((await t.api.call('POST', `/v1/syncs/${id}/pause`)).status).toBe(200);
  await t.src.query(`INSERT INTO ${table} SELECT g, 1, md5(g::text) FROM generate_series(1000, 40000) g`); // several MiB of WAL
  const [alert] = await until('wal_over_budget', async () => {
    const alerts = (await alertsOf(id)).filter((a) => a.kind === 'wal_over_budget' && a.state === 'open');
    return alerts.length ? alerts : undefined;
  });
  expect(alert).toMatchObject({ kind: 'wal_over_budget', state: 'open' });
  expect((await (await t.api.call('GET', '/v1/alerts?state=open')).json()).alerts).toContainEqual(expect.objectContaining({ id: alert.id }));
  expect((await t.api.call('GET', '/v1/alerts?state=closed')).status).toBe(400);
  const event = await until('its notification', () => notified(id).find((e) => e.type === 'sync.alert' && e.data.kind === 'wal_over_budget'));
  expect(event.data.threshold).toBe(1 << 20); // what it measured, and the budget it is over
  expect(event.data.value).toBeGreaterThan(1 << 20);
  expect((await t.api.call('DELETE', `/v1/syncs/${id}`)).status).toBe(204);
});
