// Hands events to their endpoints: every `intervalMs`, events not handed out yet become deliveries, each with a
// workflow of its own (started idempotently: its id is the delivery's). Deliveries whose workflow never started
// (the worker died between) are started again.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type pino from 'pino';
import type { DeliveryRef, EventStore } from '../store/events';
import { every } from './every';
import { webhookDelivery, webhookDeliveryWorkflowId } from '../workflows/webhook-delivery';

export interface EventDispatcherDeps {
  events: EventStore;
  temporal: Client;
  taskQueue: string;
  scheduleSeconds: number[];
  intervalMs: number;
  log: pino.Logger;
}

export async function startDelivery(d: Pick<EventDispatcherDeps, 'temporal' | 'taskQueue' | 'scheduleSeconds'>, ref: DeliveryRef, firstAttempt = 1): Promise<boolean> {
  try {
    await d.temporal.workflow.start(webhookDelivery, {
      taskQueue: d.taskQueue, workflowId: webhookDeliveryWorkflowId(ref.tenantId, ref.deliveryId),
      args: [{ deliveryId: ref.deliveryId, scheduleSeconds: d.scheduleSeconds, firstAttempt }],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

async function dispatchOnce(d: EventDispatcherDeps): Promise<void> {
  for (const ref of await d.events.dispatch()) await startDelivery(d, ref);
  for (const ref of await d.events.unstarted(30)) await startDelivery(d, ref);
}

export const startEventDispatcher = (d: EventDispatcherDeps): (() => void) => every(d.intervalMs, () => dispatchOnce(d), d.log, 'events not dispatched');
