// Recordings of scheduled runs for the replay test (test/workflows/replay.test.ts): a run whose job completed, a
// run cancelled with its job by the next one due (cancel_previous), and a run that made no job (its schedule
// was gone). Only with SLUICE_RECORD_HISTORIES=1.
import { sourceClient, startApi, testSluice, uniqueName } from '../support/stack';
import { until } from '../support/webhook-receiver';

export const SCHEDULE_PATHS = ['scheduled-run-completed', 'scheduled-run-cancelled', 'scheduled-run-skipped'] as const;
export type SchedulePathName = (typeof SCHEDULE_PATHS)[number];

export async function recordScheduleHistories(save: (name: SchedulePathName, workflowId: string, runId?: string) => Promise<void>): Promise<void> {
  const s = await testSluice();
  await s.startWorker();
  const api = await startApi(s);
  const src = await sourceClient();
  const table = uniqueName('replay_scheduled');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 10) g`);
  await src.end();
  // The scheduled runs of a schedule (closed ones too), oldest first.
  const runs = async (id: string) => {
    const found: { workflowId: string; runId: string; status: string; startTime: Date }[] = [];
    for await (const w of s.temporal.workflow.list({ query: `TemporalScheduledById = "sluice/${s.tenantId}/schedule/${id}"` })) {
      found.push({ workflowId: w.workflowId, runId: w.runId, status: w.status.name, startTime: w.startTime });
    }
    return found.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  };
  const create = async (body: Record<string, unknown>): Promise<string> => (await (await api.call('POST', '/v1/schedules', body)).json()).id;
  try {
    const completed = await create({ interval: '1h', request: { source: 'src', table } });
    await api.call('POST', `/v1/schedules/${completed}/pause`);
    await api.call('POST', `/v1/schedules/${completed}/trigger`);
    const done = await until('a completed run', async () => (await runs(completed)).find((r) => r.status === 'COMPLETED'));
    await save('scheduled-run-completed', done.workflowId, done.runId);

    const slow = { source: 'src', query: 'SELECT g AS id FROM generate_series(1, 4) g CROSS JOIN LATERAL (SELECT 1 FROM pg_sleep(0.5 + 0 * g)) s' };
    const cancelling = await create({ interval: '1s', overlap: 'cancel_previous', request: slow });
    const cancelled = await until('a run cancelled by the next', async () => (await runs(cancelling)).find((r) => r.status === 'CANCELLED'));
    await api.call('POST', `/v1/schedules/${cancelling}/pause`);
    await save('scheduled-run-cancelled', cancelled.workflowId, cancelled.runId);

    const gone = await create({ interval: '1h', request: { source: 'src', table } });
    await api.call('POST', `/v1/schedules/${gone}/pause`);
    await s.rt.schedules.delete(s.tenantId, gone); // Sluice's record only: Temporal's schedule still fires
    await s.temporal.schedule.getHandle(`sluice/${s.tenantId}/schedule/${gone}`).trigger();
    const skipped = await until('a run without its schedule', async () => (await runs(gone)).find((r) => r.status === 'COMPLETED'));
    await save('scheduled-run-skipped', skipped.workflowId, skipped.runId);
    await s.temporal.schedule.getHandle(`sluice/${s.tenantId}/schedule/${gone}`).delete();
  } finally {
    await api.close();
    await s.close();
  }
}
