// A sync's history stays bounded however long it lives (design.md §4: continue-as-new well before 10k events,
// carrying the state). With a low bound (SLUICE_HISTORY_EVENTS_LIMIT=200) and a paused sync sampling its slot
// every second, its workflow continues as new every few dozen samples; pause/resume cycles while streaming fill
// it too. Every execution stays under the bound, and across executions the sync keeps its state, its one
// instance and its slot: resumed, it streams on and the target ends equal to the source.
import { syncWorkflowIdFor } from '../../api/sync-control';
import { syncStatusQuery } from '../../workflows/sync-job';
import { caughtUp, getSync, rows, sleep, steadyWriter, streamingSync, syncStack, writerTable, type SyncStack } from '../api/sync-support';
import { uniqueName } from '../support/stack';

const LIMIT = 200;
// The bound is checked at each paused sample, at each pause and between stream spells: an execution may pass it
// by what one pause/resume cycle adds.
const SLACK = 100;

let t: SyncStack;
const table = `public.${uniqueName('long_sync')}`;

beforeAll(async () => {
  t = await syncStack({
    SLUICE_HISTORY_EVENTS_LIMIT: String(LIMIT), SLUICE_SYNC_PAUSED_SAMPLE_SECONDS: '1', SLUICE_SYNC_STREAM_SPELL_SECONDS: '10',
  });
  await writerTable(t.src, table, 1000);
});

afterAll(async () => {
  await t?.close();
});

/** Run ids of the workflow's executions so far, oldest first (each execution's first event names the one before). */
async function executions(workflowId: string): Promise<string[]> {
  const runs: { runId: string; startTime: Date }[] = [];
  for await (const e of t.s.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(e);
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime()).map((r) => r.runId);
}

test('a long paused, then paused and resumed sync: every execution under the bound, one instance, state kept', async () => {
  const { api, src, dst, s } = t;
  const id = await streamingSync(api, table, { heartbeatIntervalSeconds: 1 });
  const workflowId = syncWorkflowIdFor(s.tenantId, id);
  const before = await getSync(api, id);
  const writer = steadyWriter(src, table, { everyMs: 100 });
  try {
    // Paused for long enough to continue as new at least twice, the writer going on.
    expect((await api.call('POST', `/v1/syncs/${id}/pause`)).status).toBe(200);
    const end = Date.now() + 180_000;
    while ((await executions(workflowId)).length < 3) {
      if (Date.now() > end) throw new Error('the paused sync did not continue as new twice');
      await sleep(1000);
    }
    // The newest execution carries the sync as it was: Paused, instance 1, its slot and snapshot.
    const carried = await s.temporal.workflow.getHandle(workflowId).query(syncStatusQuery);
    expect(carried).toMatchObject({ state: 'Paused', run: 1, phase: 'streaming', slot: before.slot && { name: before.slot.name } });
    expect((await getSync(api, id)).slot.retainedWalBytes).toBeGreaterThan(0);

    // Pause/resume cycles while streaming fill the history as well.
    for (let i = 0; i < 12; i++) {
      expect(await (await api.call('POST', `/v1/syncs/${id}/resume`)).json()).toMatchObject({ state: 'Running' });
      await sleep(300);
      expect(await (await api.call('POST', `/v1/syncs/${id}/pause`)).json()).toMatchObject({ state: 'Paused' });
    }
    expect((await api.call('POST', `/v1/syncs/${id}/resume`)).status).toBe(200);
    await sleep(1000);
  } finally {
    await writer.stop();
  }
  await caughtUp(src, dst, id, 120_000);
  expect(await rows(dst, table)).toEqual(await rows(src, table));

  const after = await getSync(api, id);
  expect(after).toMatchObject({ state: 'Running', phase: 'streaming', instance: before.instance, snapshot: { rowsCopied: before.snapshot.rowsCopied } });
  const instances = (await (await api.call('GET', `/v1/syncs/${id}/instances`)).json()).instances;
  expect(instances).toEqual([expect.objectContaining({ number: 1, status: 'Running' })]); // continue-as-new opens no instance

  // Read each execution's own history: visibility's historyLength lags for executions still running.
  const runIds = await executions(workflowId);
  expect(runIds.length).toBeGreaterThanOrEqual(3);
  for (const runId of runIds) {
    const history = await s.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    expect(history.events!.length).toBeLessThanOrEqual(LIMIT + SLACK);
  }

  expect((await api.call('POST', `/v1/syncs/${id}/pause`)).status).toBe(200);
  expect((await api.call('DELETE', `/v1/syncs/${id}`)).status).toBe(204); // drops the slot
}, 400_000);
