// One webhook delivery: attempts on the Standard Webhooks schedule (by default at once, then after 5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h and 10 h) until the receiver takes it, says it is gone (410), or the schedule ends.
// An attempt that cannot even be made (Sluice's database down) is retried by Temporal; an answer that is not
// 2xx waits for the next slot of the schedule.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify';
import type { DeliveryOutcome } from '../domain/delivery';

export interface WebhookDeliveryInput {
  deliveryId: string;
  /** Seconds to wait before each attempt. */
  scheduleSeconds: number[];
  /** The number of the first attempt (a replay counts on from the attempts before). */
  firstAttempt: number;
}

const { attemptWebhookDelivery } = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<DeliveryOutcome> {
  const { scheduleSeconds: schedule } = input;
  for (let i = 0; i < schedule.length; i++) {
    if (schedule[i] > 0) await sleep(schedule[i] * 1000);
    const outcome = await attemptWebhookDelivery({ deliveryId: input.deliveryId, attempt: input.firstAttempt + i, last: i === schedule.length - 1 });
    if (outcome !== 'retry') return outcome;
  }
  return 'failed';
}

/** Tenant-scoped, as every Sluice workflow id: operators filter the Web UI by it. */
export const webhookDeliveryWorkflowId = (tenantId: string, deliveryId: string) => `sluice/${tenantId}/webhook/${deliveryId}`;
