// Notification retention on Sluice's database: events whose deliveries all ended before the cut go with their
// delivery logs; an event still being delivered, or delivered after the cut, stays; resolved alerts before the
// cut go, open ones stay however old.
import { syncRequestSchema } from '../../domain/sync-request';
import { NotificationRetention } from '../../store/notification-retention';
import { SyncStore } from '../../store/syncs';
import { ownSluiceDatabase, testSluice, type TestSluice } from '../support/stack';

let s: TestSluice;

// A database of its own: pruning counts every tenant's rows, and other tests make events.
beforeAll(async () => {
  s = await testSluice({ SLUICE_DATABASE_URL: await ownSluiceDatabase() });
});

afterAll(async () => {
  await s?.close();
});

const CUT = new Date('2026-06-01T00:00:00Z');
const OLD = '2026-05-01T00:00:00Z';
const NEW = '2026-06-15T00:00:00Z';

async function event(id: string, createdAt: string, delivery?: { status: string; updatedAt: string }) {
  await s.rt.db.query(
    `INSERT INTO events (id, tenant_id, type, subject, dedupe_key, payload, created_at, dispatched_at) VALUES ($1, $2, 'job.completed', 'job_x', $1, '{}', $3, $3)`,
    [id, s.tenantId, createdAt],
  );
  if (!delivery) return;
  await s.rt.db.query(
    `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, attempts, created_at, updated_at) VALUES ($1, $2, 'we_keep', $3, 1, $4, $5)`,
    [`msg_${id}`, id, delivery.status, createdAt, delivery.updatedAt],
  );
  await s.rt.db.query(`INSERT INTO webhook_attempts (delivery_id, attempt, at, status) VALUES ($1, 1, $2, 200)`, [`msg_${id}`, delivery.updatedAt]);
}

const { start: _start, ...request } = syncRequestSchema.parse({ source: 'src', target: 'dst', tables: ['public.orders'] });

async function alert(id: string, kind: string, resolvedAt: string | null) {
  await new SyncStore(s.rt.db).create({ id: `sync_${id}`, tenantId: s.tenantId, request, workflowId: `sluice/${s.tenantId}/sync/sync_${id}` });
  await s.rt.db.query(
    `INSERT INTO alerts (id, tenant_id, sync_id, run, kind, message, opened_at, resolved_at) VALUES ($1, $2, $3, 1, $4, 'm', $5, $6)`,
    [id, s.tenantId, `sync_${id}`, kind, OLD, resolvedAt],
  );
}

const ids = async (sql: string) => (await s.rt.db.query<{ id: string }>(sql)).rows.map((r) => r.id).sort();

test('old finished notifications go; pending, recent and open ones stay', async () => {
  await s.rt.db.query(
    `INSERT INTO webhook_endpoints (id, tenant_id, url, events, secrets) VALUES ('we_keep', $1, 'https://example.com/h', '{job.completed}', '[]')`,
    [s.tenantId],
  );
  await event('evt_old_delivered', OLD, { status: 'delivered', updatedAt: OLD });
  await event('evt_old_failed', OLD, { status: 'failed', updatedAt: OLD });
  await event('evt_old_none', OLD); // no endpoint wanted it
  await event('evt_old_pending', OLD, { status: 'pending', updatedAt: OLD });
  await event('evt_old_replayed', OLD, { status: 'delivered', updatedAt: NEW }); // sent again by hand after the cut
  await event('evt_new', NEW, { status: 'delivered', updatedAt: NEW });
  await alert('alr_old_resolved', 'idle_time_high', OLD);
  await alert('alr_old_open', 'slot_lost', null);
  await alert('alr_new_resolved', 'sync_failed', NEW);

  expect(await new NotificationRetention(s.rt.db).prune(CUT)).toEqual({ events: 3, alerts: 1 });

  expect(await ids('SELECT id FROM events')).toEqual(['evt_new', 'evt_old_pending', 'evt_old_replayed']);
  expect(await ids('SELECT id FROM webhook_deliveries')).toEqual(['msg_evt_new', 'msg_evt_old_pending', 'msg_evt_old_replayed']);
  expect(await ids('SELECT delivery_id AS id FROM webhook_attempts')).toEqual(['msg_evt_new', 'msg_evt_old_pending', 'msg_evt_old_replayed']);
  expect(await ids('SELECT id FROM alerts')).toEqual(['alr_new_resolved', 'alr_old_open']);
});
