// Webhook deliveries, one attempt per activity: the event as JSON (a completed job's with its files and fresh
// links), signed per Standard Webhooks with every valid secret of the endpoint, POSTed through the SSRF guard;
// the attempt and its answer go to the delivery's log. An endpoint that answers 410, or fails `disableAfter`
// deliveries in a row, is disabled.
import { Webhook } from 'standardwebhooks';
import { postWebhook, WebhookPostError } from '../../connectors/http/webhook-post';
import type { FileLinks } from '../../connectors/s3/job-files';
import { completedRunFiles } from './completed-files';
import { outcomeOf, type DeliveryOutcome } from '../../domain/delivery';
import { partReadyData } from './part-ready';
import type { DeliveryWork, EventStore } from '../../store/events';
import type { JobStore } from '../../store/jobs';
import type { WebhookStore } from '../../store/webhooks';

export interface NotifyDeps {
  events: EventStore;
  webhooks: Pick<WebhookStore, 'signingSecrets'>;
  jobs: Pick<JobStore, 'get'>;
  files: FileLinks;
  allowPrivate: boolean;
  timeoutMs: number;
  /** Failed deliveries in a row after which an endpoint is disabled. */
  disableAfter: number;
  /** Hears of each attempt's outcome (the worker's metrics). */
  attempted?: (outcome: DeliveryOutcome) => void;
}

export const createNotifyActivities = (d: NotifyDeps) => ({
  async attemptWebhookDelivery(a: { deliveryId: string; attempt: number; last: boolean }): Promise<DeliveryOutcome> {
    const work = await d.events.work(a.deliveryId);
    if (!work) return 'abandoned'; // its endpoint was deleted, and the delivery with it
    if (work.status === 'delivered') return 'delivered'; // this attempt got through before its activity was retried
    const endpoint = work.endpoint;
    if (!endpoint?.enabled) {
      await d.events.recordAttempt(a.deliveryId, { attempt: a.attempt, status: null, error: 'the endpoint is disabled', responsePrefix: null, durationMs: null }, 'failed');
      return 'abandoned';
    }
    const body = JSON.stringify({ type: work.event.type, timestamp: work.event.createdAt.toISOString(), data: await dataOf(d, endpoint.tenantId, work) });
    const now = new Date();
    const secrets = await d.webhooks.signingSecrets(endpoint.tenantId, endpoint.id);
    const headers = {
      'webhook-id': a.deliveryId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': secrets.map((s) => new Webhook(s).sign(a.deliveryId, now, body)).join(' '),
    };
    let status: number | null = null;
    let error: string | null = null;
    let responsePrefix: string | null = null;
    let durationMs: number | null = null;
    try {
      const answer = await postWebhook(endpoint.url, body, headers, { allowPrivate: d.allowPrivate, timeoutMs: d.timeoutMs });
      ({ status, durationMs } = answer);
      responsePrefix = answer.bodyPrefix;
    } catch (err) {
      if (!(err instanceof WebhookPostError)) throw err;
      status = err.details.status ?? null;
      error = `${err.code}: ${err.message}`;
    }
    const outcome = outcomeOf(error ? null : status, a.last); // a refused redirect has a status, and is no delivery
    await d.events.recordAttempt(a.deliveryId, { attempt: a.attempt, status, error, responsePrefix, durationMs }, outcome === 'delivered' ? 'delivered' : outcome === 'retry' ? 'pending' : 'failed');
    d.attempted?.(outcome);
    if (outcome === 'gone') await d.events.disableEndpoint(endpoint.id, 'the receiver answered 410 Gone');
    else if (outcome === 'failed' && (await d.events.failingStreak(endpoint.id, d.disableAfter))) {
      await d.events.disableEndpoint(endpoint.id, `the last ${d.disableAfter} deliveries failed`);
    }
    return outcome;
  },
});

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

// A completed job's event carries its files with fresh links.
async function dataOf(d: NotifyDeps, tenantId: string, work: DeliveryWork): Promise<Record<string, unknown>> {
  const data = work.event.payload;
  if (work.event.type === 'job.part_ready') return partReadyData(d, tenantId, work.event); // with its file's link
  if (work.event.type !== 'job.completed') return data;
  const files = await completedRunFiles(d, tenantId, work.event);
  return files ? { ...data, files } : data;
}
