// The first step of each run a schedule fires: decide whether it goes ahead and, if so, make its job (with the
// run's window filled into the request) so the job is listed like any other from its first moment.
import type { ExtractionOptions } from '../../domain/extraction-job';
import type { ExtractionRequest } from '../../domain/extraction-request';
import { runWindow, withRunWindow, type RunWindow } from '../../domain/run-window';
import { fireSpecOf, runSkip, type RunSkip } from '../../domain/schedule-run';
import type { JobStore } from '../../store/jobs';
import type { ScheduleStore } from '../../store/schedules';

export interface ScheduleDeps {
  schedules: Pick<ScheduleStore, 'get' | 'recordRun'>;
  jobs: Pick<JobStore, 'create'>;
  /** True when the tenant has used up a daily quota. */
  quotaSpent(tenantId: string): Promise<boolean>;
  options: ExtractionOptions;
}

export interface ScheduledRunStart {
  scheduleId: string;
  tenantId: string;
  /** The scheduled execution (its run id): one run of the schedule, noted once. */
  executionId: string;
  /** When the run was due (Temporal's nominal time, without jitter). */
  nominalTime: string;
  /** The workflow time of the execution's first task: when a worker first took it. */
  firstChance: string;
  jobId: string;
  workflowId: string;
}

export type OpenedRun =
  | { go: true; request: ExtractionRequest; options: ExtractionOptions; window: RunWindow }
  | { go: false; skipped: RunSkip | 'schedule_deleted'; window: RunWindow | null };

export const createScheduleActivities = (d: ScheduleDeps) => ({
  async openScheduledRun(r: ScheduledRunStart): Promise<OpenedRun> {
    const schedule = await d.schedules.get(r.tenantId, r.scheduleId);
    // Deleted while this run waited for a worker: no job appears after the schedule is gone.
    if (!schedule) return { go: false, skipped: 'schedule_deleted', window: null };
    const def = schedule.definition;
    const nominal = new Date(r.nominalTime);
    const window = runWindow(fireSpecOf(def), nominal);
    const takenAt = new Date(r.firstChance);
    const note = { scheduleId: r.scheduleId, executionId: r.executionId, nominalTime: nominal, window, takenAt };
    const skipped = runSkip({ catchupWindow: def.catchupWindow, nominal, firstChance: takenAt, quotaSpent: await d.quotaSpent(r.tenantId) });
    if (skipped) {
      await d.schedules.recordRun({ ...note, jobId: null, skipped });
      return { go: false, skipped, window };
    }
    const request = { ...withRunWindow(def.request, window), ...(def.notify ? { notify: def.notify } : {}) };
    await d.jobs.create({ id: r.jobId, tenantId: r.tenantId, request, workflowId: r.workflowId, schedule: { id: r.scheduleId, nominalTime: nominal.toISOString(), window } });
    await d.schedules.recordRun({ ...note, jobId: r.jobId, skipped: null });
    return { go: true, request, options: d.options, window };
  },
});

export type ScheduleActivities = ReturnType<typeof createScheduleActivities>;
