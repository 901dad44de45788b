// One email delivery: the activity sends the mail and records each attempt; Temporal's retry policy spaces the
// attempts (backoff doubling from `retryInitialSeconds`). A server that refuses for good (5xx) ends it at once:
// the activity says so instead of throwing. An activity that still throws after the last attempt (Sluice's own
// database away all along) ends the delivery as failed.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { EmailActivities, EmailOutcome } from '../activities/notify/email';

export interface EmailDeliveryInput {
  deliveryId: string;
  maxAttempts: number;
  retryInitialSeconds: number;
}

export async function emailDelivery(input: EmailDeliveryInput): Promise<EmailOutcome> {
  const { sendEmailDelivery } = proxyActivities<EmailActivities>({
    startToCloseTimeout: '2m',
    retry: { initialInterval: input.retryInitialSeconds * 1000, backoffCoefficient: 2, maximumInterval: '10m', maximumAttempts: input.maxAttempts },
  });
  try {
    return await sendEmailDelivery({ deliveryId: input.deliveryId, maxAttempts: input.maxAttempts });
  } catch (err) {
    if (err instanceof ActivityFailure) return 'failed';
    throw err;
  }
}

/** Tenant-scoped, as every Sluice workflow id: operators filter the Web UI by it. */
export const emailDeliveryWorkflowId = (tenantId: string, deliveryId: string) => `sluice/${tenantId}/email/${deliveryId}`;
