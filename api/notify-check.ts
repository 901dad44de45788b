// A request's extra recipients (notify) checked against the tenant before its job or sync is made: each webhook
// must be one of the tenant's endpoints, and email must be configured to name addresses.
import type { NotifyRequest } from '../domain/notify-request';
import type { WebhookStore } from '../store/webhooks';
import { badRequest, Problem } from './problem';

export interface NotifyCheckDeps {
  webhooks: Pick<WebhookStore, 'get'>;
  /** SLUICE_SMTP_URL is set. */
  emailConfigured: boolean;
}

export const emailNotConfigured = () =>
  new Problem(409, 'Email not configured', 'this Sluice sends no email: no SMTP server is configured', {
    hint: 'an operator sets SLUICE_SMTP_URL (smtp://user:pass@host:port) on the API and the workers; webhooks work meanwhile',
  });

export async function notifyProblem(d: NotifyCheckDeps, tenantId: string, notify: NotifyRequest | undefined): Promise<Problem | null> {
  if (!notify) return null;
  const webhooks = notify.webhooks ?? [];
  for (let i = 0; i < webhooks.length; i++) {
    if (!(await d.webhooks.get(tenantId, webhooks[i]))) {
      return badRequest(`notify.webhooks[${i}]`, `there is no webhook ${webhooks[i]}`, 'register the endpoint with POST /v1/webhooks first; GET /v1/webhooks lists yours');
    }
  }
  if (notify.emails && !d.emailConfigured) return emailNotConfigured();
  return null;
}
