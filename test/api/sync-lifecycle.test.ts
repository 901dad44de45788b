// The sync lifecycle over the real API with a real worker (design.md §2, the table for syncs). In every state a
// test can reach, every action of start|pause|resume|restart over POST, and DELETE: the allowed ones do what the
// table says, the refused ones are 409 problems naming the state and exactly the actions it allows. The same
// actions as Temporal signals (what the Web UI and `temporal workflow signal` send) move a sync the same way.
// Full mode ends Succeeded; the streaming modes stay Running and catch up; a restart opens a new instance (with a
// new slot); delete removes everything Sluice made, on the source, the target and in its own database.
import { Client as PgClient } from 'pg';
import { syncWorkflowIdFor } from '../../api/sync-control';
import { syncActionSignals, type SyncAction } from '../../workflows/sync-job';
import { stackInfo, uniqueName } from '../support/stack';
import { expectProblem } from './support';
import { act, defineSync, discard, expectOnlyAllowed, expectSameRows, FAST, streamedPast, useSyncStack, waitGone } from './sync-lifecycle-support';
import { rows, sleep, waitForSync, writerTable } from './sync-support';

const stack = useSyncStack();
const streaming = (x: { state: string; phase: string }) => x.state === 'Running' && x.phase === 'streaming';
const newTable = () => `public.${uniqueName('life')}`;

const instancesOf = async (id: string) => (await (await stack().api.call('GET', `/v1/syncs/${id}/instances`)).json()).instances;

/** The source's replication slots of the sync (one per job, whatever the instance). */
const slotsOf = async (id: string) =>
  (await stack().src.query<{ slot_name: string; restart_lsn: string }>(
    `SELECT slot_name, restart_lsn::text FROM pg_replication_slots WHERE slot_name LIKE $1`, [`%${id}%`],
  )).rows;

test('Created allows start and delete; Initializing allows pause alone, and a pause there stops initializing', async () => {
  const { api, src, dst } = stack();
  const table = newTable();
  await writerTable(src, table, 500);
  const sync = await defineSync(api, [table], { options: FAST });
  expect(sync).toMatchObject({ state: 'Created', allowedActions: ['start', 'delete'], instance: null });
  await expectOnlyAllowed(api, sync.id, 'Created', ['start', 'delete']);

  // Initializing reads the table's shape from the source catalog, which waits for a lock held here: the sync
  // stays Initializing for as long as this transaction holds it.
  const locker = new PgClient({ connectionString: stackInfo().sourceUrl });
  await locker.connect();
  try {
    await locker.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const started = await act(api, sync.id, 'start');
    expect(started).toMatchObject({ state: 'Initializing', allowedActions: ['pause'], instance: { run: 1 } });
    await expectOnlyAllowed(api, sync.id, 'Initializing', ['pause']);
    const pausing = api.call('POST', `/v1/syncs/${sync.id}/pause`);
    await sleep(1000); // the pause reaches the workflow while initializing waits; then the lock goes
    await locker.query('ROLLBACK');
    const paused = await pausing;
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ state: 'Paused', allowedActions: ['resume', 'restart', 'delete'], instance: { run: 1 } });
  } finally {
    await locker.end();
  }
  await expectOnlyAllowed(api, sync.id, 'Paused', ['resume', 'restart', 'delete']);

  // Resumed, it goes on from where the pause left it (same instance) to the stream.
  expect(await act(api, sync.id, 'resume')).toMatchObject({ state: 'Running', instance: { run: 1 } });
  await waitForSync(api, sync.id, streaming);
  await expectOnlyAllowed(api, sync.id, 'Running', ['pause']);
  await src.query(`UPDATE ${table} SET n = n + 1 WHERE id % 7 = 0`);
  await streamedPast(api, src, sync.id);
  await expectSameRows(src, dst, table);
  expect(await instancesOf(sync.id)).toEqual([expect.objectContaining({ number: 1, status: 'Running' })]);
  await discard(api, sync.id);
});

// Temporal signals carry no answer: an action the state does not allow is ignored, and the one after it is
// applied as usual. A Temporal cancel request (Web UI, CLI) pauses, keeping the slot.
test('the actions as Temporal signals move a sync as the API does; a refused one changes nothing; a cancel request pauses', async () => {
  const { api, src, dst, s } = stack();
  const table = newTable();
  await writerTable(src, table, 500);
  const sync = await defineSync(api, [table], { options: FAST });
  const handle = s.temporal.workflow.getHandle(syncWorkflowIdFor(s.tenantId, sync.id));
  const signal = (action: SyncAction) => handle.signal(syncActionSignals[action]);

  await signal('start');
  await waitForSync(api, sync.id, streaming);
  await signal('resume'); // not allowed while Running: ignored
  await signal('pause');
  expect(await waitForSync(api, sync.id, (x) => x.state === 'Paused')).toMatchObject({ instance: { run: 1 }, allowedActions: ['resume', 'restart', 'delete'] });
  await signal('resume');
  await waitForSync(api, sync.id, streaming);
  await signal('pause');
  await waitForSync(api, sync.id, (x) => x.state === 'Paused');
  await signal('restart');
  await waitForSync(api, sync.id, (x) => streaming(x) && x.instance.run === 2);
  await src.query(`DELETE FROM ${table} WHERE id % 5 = 0`);
  await streamedPast(api, src, sync.id);
  await expectSameRows(src, dst, table);

  await handle.cancel();
  expect(await waitForSync(api, sync.id, (x) => x.state === 'Paused')).toMatchObject({ instance: { run: 2 } });
  await handle.cancel(); // while paused: it stays paused, and goes on taking actions
  await signal('resume');
  await waitForSync(api, sync.id, streaming);
  await signal('pause');
  await waitForSync(api, sync.id, (x) => x.state === 'Paused');
  expect((await instancesOf(sync.id)).map((i: { number: number; status: string }) => [i.number, i.status])).toEqual([[2, 'Paused'], [1, 'Paused']]);
  expect(await slotsOf(sync.id)).toHaveLength(1);
  await signal('delete');
  await waitGone(api, sync.id);
  expect(await slotsOf(sync.id)).toEqual([]);
});

test('full: Succeeded with target == source; restart opens instance 2, and truncateOnRestart drops rows deleted meanwhile', async () => {
  const { api, src, dst } = stack();
  const table = newTable();
  await writerTable(src, table, 3000);
  const sync = await defineSync(api, [table], { mode: 'full', start: true, options: { truncateOnRestart: true, rowsPerRange: 1000 } });
  const done = await waitForSync(api, sync.id, (x) => x.state === 'Succeeded');
  expect(done).toMatchObject({ phase: 'done', slot: null, allowedActions: ['restart', 'delete'], snapshot: { rowsCopied: 3000 } });
  await expectSameRows(src, dst, table);
  await expectOnlyAllowed(api, sync.id, 'Succeeded', ['restart', 'delete']);

  await src.query(`DELETE FROM ${table} WHERE id % 3 = 0; UPDATE ${table} SET n = 9 WHERE id % 10 = 1; INSERT INTO ${table} SELECT g, 1, 'new' FROM generate_series(5001, 5100) g`);
  const left = (await rows(src, table)).length;
  expect(await act(api, sync.id, 'restart')).toMatchObject({ state: 'Initializing', instance: { run: 2 } });
  await waitForSync(api, sync.id, (x) => x.state === 'Succeeded' && x.instance.run === 2);
  await expectSameRows(src, dst, table);

  const instances = await instancesOf(sync.id);
  expect(instances).toEqual([
    expect.objectContaining({ id: `${sync.id}-2`, number: 2, status: 'Succeeded', records: left, error: null }),
    expect.objectContaining({ id: `${sync.id}-1`, number: 1, status: 'Succeeded', records: 3000, error: null }),
  ]);
  for (const i of instances) {
    expect(i.bytes).toBeGreaterThan(0);
    expect(i.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(i.endedAt)).toBeGreaterThanOrEqual(Date.parse(i.startedAt));
  }
  expect((await api.call('DELETE', `/v1/syncs/${sync.id}`)).status).toBe(204);
});

test('full without truncateOnRestart: a restart copies again; rows deleted meanwhile go from integer-keyed tables and stay in others', async () => {
  const { api, src, dst } = stack();
  const keyed = newTable(); // integer key: copied in key ranges
  const coded = newTable(); // text key: copied in heap block ranges, merged by key
  await writerTable(src, keyed, 2000);
  await src.query(`CREATE TABLE ${coded} (id text PRIMARY KEY, n int); INSERT INTO ${coded} SELECT 'k' || g, g FROM generate_series(1, 2000) g`);
  const sync = await defineSync(api, [keyed, coded], { mode: 'full', start: true, options: { rowsPerRange: 1000 } });
  await waitForSync(api, sync.id, (x) => x.state === 'Succeeded');

  await src.query(`DELETE FROM ${keyed} WHERE id % 4 = 0; DELETE FROM ${coded} WHERE n % 4 = 0; UPDATE ${keyed} SET n = 5; UPDATE ${coded} SET n = -n`);
  await act(api, sync.id, 'restart');
  await waitForSync(api, sync.id, (x) => x.state === 'Succeeded' && x.instance.run === 2);
  // Integer key: each key range is replaced whole (what the target holds in it is deleted, then the range copied),
  // and the ranges cover every key, so rows deleted on the source meanwhile are gone from the target too.
  await expectSameRows(src, dst, keyed);
  // Any other key: heap block ranges are merged into the target by key, and nothing read from the source says a
  // row is gone, so rows deleted meanwhile stay on the target as they were (every other row is the source's). A
  // user who wants the target to be the source again after a restart sets truncateOnRestart (test above).
  const copied = await dst.query<{ r: string }>(`SELECT t::text AS r FROM ${coded} t WHERE n < 0 ORDER BY id`);
  expect(copied.rows.map((x) => x.r)).toEqual((await src.query<{ r: string }>(`SELECT t::text AS r FROM ${coded} t ORDER BY id`)).rows.map((x) => x.r));
  const stale = await dst.query<{ n: number }>(`SELECT n FROM ${coded} WHERE n > 0 ORDER BY n`);
  expect(stale.rows.map((x) => x.n)).toEqual(Array.from({ length: 500 }, (_, i) => 4 * (i + 1)));
  expect((await api.call('DELETE', `/v1/syncs/${sync.id}`)).status).toBe(204);
});

test('incremental and full+incremental stay Running; once the stream passes the last write, target == source', async () => {
  const { api, src, dst } = stack();
  const fresh = newTable(); // incremental copies nothing: a table empty at the start can be compared whole
  const filled = newTable();
  await writerTable(src, fresh, 0);
  await writerTable(src, filled, 2000);
  const inc = await defineSync(api, [fresh], { mode: 'incremental', start: true, options: FAST });
  const both = await defineSync(api, [filled], { mode: 'full+incremental', start: true, options: FAST });
  await waitForSync(api, inc.id, streaming);
  await waitForSync(api, both.id, streaming);

  for (let i = 1; i <= 40; i++) {
    await src.query(`INSERT INTO ${fresh} VALUES ($1, 0, md5($1::text)); INSERT INTO ${filled} VALUES ($1 + 10000, 0, 'x')`.replaceAll('$1', String(i)));
    await src.query(`UPDATE ${fresh} SET n = n + 1 WHERE id = ${1 + (i % 10)}; UPDATE ${filled} SET payload = 'u${i}' WHERE id = ${i * 37}`);
    if (i % 4 === 0) await src.query(`DELETE FROM ${fresh} WHERE id = ${i - 1}; DELETE FROM ${filled} WHERE id = ${i * 41}`);
  }
  for (const [id, table] of [[inc.id, fresh], [both.id, filled]]) {
    expect(await streamedPast(api, src, id)).toMatchObject({ state: 'Running', allowedActions: ['pause'] });
    await expectSameRows(src, dst, table);
  }
  await discard(api, inc.id);
  await discard(api, both.id);
});

test('restart of a paused streaming sync: a new slot in place of the old (one for the job), a new instance, target == source', async () => {
  const { api, src, dst } = stack();
  const table = newTable();
  await writerTable(src, table, 1000);
  const sync = await defineSync(api, [table], { start: true, options: FAST });
  await waitForSync(api, sync.id, streaming);
  await act(api, sync.id, 'pause');
  const before = await slotsOf(sync.id);
  expect(before).toHaveLength(1);

  // Written while paused: the old slot holds it; the new instance copies it in its snapshot.
  await src.query(`UPDATE ${table} SET n = n + 1 WHERE id % 2 = 0; DELETE FROM ${table} WHERE id % 9 = 0`);
  expect(await act(api, sync.id, 'restart')).toMatchObject({ state: 'Initializing', instance: { run: 2 } });
  await waitForSync(api, sync.id, (x) => streaming(x) && x.instance.run === 2);
  const after = await slotsOf(sync.id);
  expect(after).toEqual([{ slot_name: before[0].slot_name, restart_lsn: expect.any(String) }]);
  const newer = await src.query(`SELECT $1::pg_lsn > $2::pg_lsn AS newer`, [after[0].restart_lsn, before[0].restart_lsn]);
  expect(newer.rows[0].newer).toBe(true);
  expect((await dst.query(`SELECT run FROM _sluice.sync_watermarks WHERE job_id = $1`, [sync.id])).rows).toEqual([{ run: 2 }]);
  expect((await instancesOf(sync.id)).map((i: { number: number; status: string }) => [i.number, i.status])).toEqual([[2, 'Running'], [1, 'Paused']]);

  await src.query(`INSERT INTO ${table} SELECT g, 2, 'after' FROM generate_series(2001, 2050) g`);
  await streamedPast(api, src, sync.id);
  await expectSameRows(src, dst, table);
  await discard(api, sync.id);
});

test('delete: refused while Running (pause first); once paused it removes slot, publication, watermark, the sync, its instances and metrics', async () => {
  const { api, src, dst, s } = stack();
  const table = newTable();
  await writerTable(src, table, 500);
  const sync = await defineSync(api, [table], { start: true, options: FAST });
  await waitForSync(api, sync.id, streaming);
  await src.query(`UPDATE ${table} SET n = 1 WHERE id < 50`);
  await streamedPast(api, src, sync.id);

  const left = async () => ({
    slots: (await slotsOf(sync.id)).length,
    publications: Number((await src.query(`SELECT count(*) FROM pg_publication WHERE pubname LIKE $1`, [`%${sync.id}%`])).rows[0].count),
    watermarks: Number((await dst.query(`SELECT count(*) FROM _sluice.sync_watermarks WHERE job_id = $1`, [sync.id])).rows[0].count),
    jobs: Number((await s.rt.db.query(`SELECT count(*) FROM jobs WHERE id = $1`, [sync.id])).rows[0].count),
    instances: Number((await s.rt.db.query(`SELECT count(*) FROM job_runs WHERE job_id = $1`, [sync.id])).rows[0].count),
    metrics: Number((await s.rt.db.query(`SELECT count(*) FROM sync_metrics WHERE job_id = $1`, [sync.id])).rows[0].count) > 0,
  });
  expect(await left()).toEqual({ slots: 1, publications: 1, watermarks: 1, jobs: 1, instances: 1, metrics: true });

  const refused = await expectProblem(await api.call('DELETE', `/v1/syncs/${sync.id}`), 409);
  expect(refused).toMatchObject({ state: 'Running', allowedActions: ['pause'] });
  await act(api, sync.id, 'pause');
  expect((await api.call('DELETE', `/v1/syncs/${sync.id}`)).status).toBe(204);

  for (const path of ['', '/instances', '/metrics']) await expectProblem(await api.call('GET', `/v1/syncs/${sync.id}${path}`), 404);
  expect(await left()).toEqual({ slots: 0, publications: 0, watermarks: 0, jobs: 0, instances: 0, metrics: false });
  await expectProblem(await api.call('POST', `/v1/syncs/${sync.id}/resume`), 404);
});
