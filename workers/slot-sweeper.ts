// Frees the slots of jobs whose workflow ended without releasing them: terminated from the Web UI or CLI,
// or timed out. Workflows release their own slots otherwise, crashes of workers included. And wakes again a job
// granted a slot long ago that still waits Queued: the signal of its grant was lost (the queue has no timer).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pino from 'pino';
import type { WakeGranted } from '../activities/slots/wake';
import { workflowEndedError } from '../domain/errors';
import type { JobStore } from '../store/jobs';
import type { SlotHolder, SlotStore } from '../store/job-slots';

export interface SlotSweeperDeps {
  slots: SlotStore;
  jobs: JobStore;
  temporal: Client;
  wake: WakeGranted;
  intervalSeconds: number;
  log: pino.Logger;
}

async function endedStatus(temporal: Client, holder: SlotHolder): Promise<string | null> {
  try {
    const { status } = await temporal.workflow.getHandle(holder.workflowId).describe();
    return status.name === 'RUNNING' ? null : status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'NOT_FOUND';
    throw err;
  }
}

async function sweepSlots(d: Omit<SlotSweeperDeps, 'log'>): Promise<number> {
  let freed = 0;
  // Only slots held a while: a job the API made an instant ago may not have its workflow yet.
  for (const holder of await d.slots.grantedBefore(d.intervalSeconds)) {
    const ended = await endedStatus(d.temporal, holder);
    if (!ended) {
      if (holder.stillQueued) await d.wake([holder]);
      continue;
    }
    await d.jobs.markEnded(holder.jobId, workflowEndedError(ended));
    await d.wake(await d.slots.release(holder.jobId));
    freed++;
  }
  return freed;
}

export function startSlotSweeper(d: SlotSweeperDeps): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    d.slots.sweepAlone(() => sweepSlots(d))
      .then((freed) => freed && d.log.warn({ freed }, 'freed the slots of jobs whose workflow had ended'))
      .catch((err) => d.log.warn({ err }, 'slot sweep failed; trying again next interval'))
      .finally(() => { running = false; });
  }, d.intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
