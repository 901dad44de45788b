// Recordings of sync workflows for the replay test (test/workflows/replay.test.ts): every path a sync can take
// through syncJob, driven through the API as a client drives it. Only with SLUICE_RECORD_HISTORIES=1.
import { syncWorkflowIdFor } from '../../api/sync-control';
import { sleep, steadyWriter, streamingSync, syncStack, waitForSync, writerTable, type SyncStack } from '../api/sync-support';
import { uniqueName } from '../support/stack';

export const SYNC_PATHS = [
  'sync-created-deleted', 'sync-streamed-paused-resumed', 'sync-restarted', 'sync-failed-no-key', 'sync-reopened-delete',
  'sync-full-succeeded', 'sync-reopened-restart', 'sync-continued', 'sync-continued-2',
] as const;
export type SyncPathName = (typeof SYNC_PATHS)[number];

export interface Recorder {
  save(name: SyncPathName, workflowId: string, runId?: string): Promise<void>;
  /** Run ids of the workflow's executions, oldest first, once there are `count`. */
  executions(t: SyncStack, workflowId: string, count: number): Promise<string[]>;
}

const ok = async (res: Response, status = 200) => {
  if (res.status !== status) throw new Error(`${res.url} answered ${res.status}: ${await res.text()}`);
};

export async function recordSyncHistories(r: Recorder): Promise<void> {
  const t = await syncStack({});
  const { api, src } = t;
  const table = `public.${uniqueName('replay_sync')}`;
  const keyless = `public.${uniqueName('replay_keyless')}`;
  await writerTable(src, table, 500);
  await src.query(`CREATE TABLE ${keyless} (id int, label text)`);
  const wf = (id: string) => syncWorkflowIdFor(t.s.tenantId, id);
  // The execution's history is recorded once it has ended (a deleted sync's workflow returns; a failed one throws).
  const ended = (id: string) => t.s.temporal.workflow.getHandle(wf(id)).result().catch(() => undefined);
  const act = (id: string, action: string) => api.call('POST', `/v1/syncs/${id}/${action}`).then((res) => ok(res));
  const remove = (id: string) => api.call('DELETE', `/v1/syncs/${id}`).then((res) => ok(res, 204));
  const define = async (body: Record<string, unknown>) => {
    const res = await api.call('POST', '/v1/syncs', { source: 'src', target: 'dst', tables: [table], ...body });
    await ok(res, 201);
    return (await res.json()).id as string;
  };
  try {
    const idle = await define({});
    await remove(idle);
    await ended(idle);
    await r.save('sync-created-deleted', wf(idle));

    // Created → start → snapshot → streaming (with changes) → pause → resume → pause → delete.
    const streamed = await streamingSync(api, table, { heartbeatIntervalSeconds: 1 });
    const writer = steadyWriter(src, table);
    await sleep(2000);
    await writer.stop();
    await act(streamed, 'pause');
    await act(streamed, 'resume');
    await waitForSync(api, streamed, (x) => x.state === 'Running');
    await act(streamed, 'pause');
    await remove(streamed);
    await ended(streamed);
    await r.save('sync-streamed-paused-resumed', wf(streamed));

    const restarted = await streamingSync(api, table, { heartbeatIntervalSeconds: 1 });
    await act(restarted, 'pause');
    await act(restarted, 'restart');
    await waitForSync(api, restarted, (x) => x.instance?.run === 2 && x.phase === 'streaming');
    await act(restarted, 'pause');
    await remove(restarted);
    await ended(restarted);
    await r.save('sync-restarted', wf(restarted));

    // A table without a primary key fails initializing; deleting the Failed sync reopens its workflow.
    const failed = await define({ tables: [keyless], start: true });
    await waitForSync(api, failed, (x) => x.state === 'Failed').catch(() => undefined);
    await ended(failed);
    await remove(failed);
    const [failedRun, deleting] = await r.executions(t, wf(failed), 2);
    await ended(failed);
    await r.save('sync-failed-no-key', wf(failed), failedRun);
    await r.save('sync-reopened-delete', wf(failed), deleting);

    // A full sync succeeds and its execution ends; a restart reopens it and it succeeds again.
    const full = await define({ mode: 'full', start: true });
    await waitForSync(api, full, (x) => x.state === 'Succeeded');
    await ended(full);
    await act(full, 'restart');
    await waitForSync(api, full, (x) => x.state === 'Succeeded' && x.instance?.run === 2);
    const [fullRun, reopened] = await r.executions(t, wf(full), 2);
    await ended(full);
    await r.save('sync-full-succeeded', wf(full), fullRun);
    await r.save('sync-reopened-restart', wf(full), reopened);
  } finally {
    await t.close();
  }

  // A paused sync sampling every second fills a low history bound and continues as new; resumed in the new
  // execution, it streams on.
  const c = await syncStack({ SLUICE_HISTORY_EVENTS_LIMIT: '200', SLUICE_SYNC_PAUSED_SAMPLE_SECONDS: '1', SLUICE_SYNC_STREAM_SPELL_SECONDS: '10' });
  try {
    const id = await streamingSync(c.api, table, { heartbeatIntervalSeconds: 1 });
    await c.api.call('POST', `/v1/syncs/${id}/pause`).then((res) => ok(res));
    const [first, second] = await r.executions(c, syncWorkflowIdFor(c.s.tenantId, id), 2);
    await c.api.call('POST', `/v1/syncs/${id}/resume`).then((res) => ok(res));
    await waitForSync(c.api, id, (x) => x.state === 'Running');
    await c.api.call('POST', `/v1/syncs/${id}/pause`).then((res) => ok(res));
    await c.api.call('DELETE', `/v1/syncs/${id}`).then((res) => ok(res, 204));
    await c.s.temporal.workflow.getHandle(syncWorkflowIdFor(c.s.tenantId, id)).result();
    await r.save('sync-continued', syncWorkflowIdFor(c.s.tenantId, id), first);
    await r.save('sync-continued-2', syncWorkflowIdFor(c.s.tenantId, id), second);
  } finally {
    await c.close();
  }
}
