// Hands events to their endpoints and email recipients: every `intervalMs`, events not handed out yet become
// deliveries, each with a workflow of its own (started idempotently: its id is the delivery's). Deliveries whose
// workflow never started (the worker died between) are started again.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type pino from 'pino';
import type { ChannelDeliveryRef, DeliveryRef, EventStore } from '../store/events';
import { every } from './every';
import { emailDelivery, emailDeliveryWorkflowId, type EmailDeliveryInput } from '../workflows/email-delivery';
import { webhookDelivery, webhookDeliveryWorkflowId } from '../workflows/webhook-delivery';

export interface EventDispatcherDeps {
  events: EventStore;
  temporal: Client;
  taskQueue: string;
  scheduleSeconds: number[];
  /** The retry policy of email deliveries. */
  email: Omit<EmailDeliveryInput, 'deliveryId'>;
  intervalMs: number;
  log: pino.Logger;
}

// False when the delivery's workflow runs (or ran) already.
async function startOnce(start: () => Promise<unknown>): Promise<boolean> {
  try {
    await start();
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

export const startDelivery = (d: Pick<EventDispatcherDeps, 'temporal' | 'taskQueue' | 'scheduleSeconds'>, ref: DeliveryRef, firstAttempt = 1) =>
  startOnce(() => d.temporal.workflow.start(webhookDelivery, {
    taskQueue: d.taskQueue, workflowId: webhookDeliveryWorkflowId(ref.tenantId, ref.deliveryId),
    args: [{ deliveryId: ref.deliveryId, scheduleSeconds: d.scheduleSeconds, firstAttempt }],
  }));

const startEmailDelivery = (d: EventDispatcherDeps, ref: DeliveryRef) =>
  startOnce(() => d.temporal.workflow.start(emailDelivery, {
    taskQueue: d.taskQueue, workflowId: emailDeliveryWorkflowId(ref.tenantId, ref.deliveryId), args: [{ deliveryId: ref.deliveryId, ...d.email }],
  }));

const startChannel = (d: EventDispatcherDeps, ref: ChannelDeliveryRef) => (ref.channel === 'email' ? startEmailDelivery(d, ref) : startDelivery(d, ref));

async function dispatchOnce(d: EventDispatcherDeps): Promise<void> {
  for (const ref of await d.events.dispatch()) await startChannel(d, ref);
  for (const ref of await d.events.unstarted(30)) await startChannel(d, ref);
}

export const startEventDispatcher = (d: EventDispatcherDeps): (() => void) => every(d.intervalMs, () => dispatchOnce(d), d.log, 'events not dispatched');
