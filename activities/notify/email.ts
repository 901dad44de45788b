// Email deliveries, one attempt per activity execution (Temporal's retry policy makes the next one): the
// event's mail (a completed job's with its files and fresh links) sent over SMTP, each attempt and the
// server's reply recorded in the delivery's log. A 5xx refusal, or the last attempt, ends the delivery failed.
import { Context } from '@temporalio/activity';
import { SmtpSendError, type Mailer } from '../../connectors/smtp/mailer';
import { emailContent } from '../../domain/email-content';
import type { EmailAttemptRecord, EmailDeliveryStatus, EmailStore } from '../../store/email';
import { completedRunFiles, type CompletedFilesDeps } from './completed-files';

export type EmailOutcome = 'delivered' | 'failed' | 'abandoned';

export interface EmailDeps extends CompletedFilesDeps {
  emails: Pick<EmailStore, 'work' | 'recordAttempt'>;
  /** Null when SLUICE_SMTP_URL is unset: deliveries fail at once, saying so. */
  mailer: Mailer | null;
}

export const EMAIL_NOT_CONFIGURED = 'email is not configured: SLUICE_SMTP_URL is unset on the worker';

const replyCode = (response: string) => (/^\d{3}/.test(response) ? Number(response.slice(0, 3)) : null);

export const createEmailActivities = (d: EmailDeps) => ({
  async sendEmailDelivery(a: { deliveryId: string; maxAttempts: number }): Promise<EmailOutcome> {
    const attempt = Context.current().info.attempt;
    const work = await d.emails.work(a.deliveryId);
    if (!work) return 'abandoned'; // its recipient was deleted, and the delivery with it
    if (work.status === 'delivered') return 'delivered'; // sent before this activity was retried
    const record = (r: Omit<EmailAttemptRecord, 'at' | 'attempt'>, status: EmailDeliveryStatus) => d.emails.recordAttempt(a.deliveryId, { attempt, ...r }, status);
    if (!d.mailer) {
      await record({ smtpCode: null, error: EMAIL_NOT_CONFIGURED, response: null, durationMs: null }, 'failed');
      return 'failed';
    }
    const { event, recipient } = work;
    const started = Date.now();
    try {
      const files = event.type === 'job.completed' ? await completedRunFiles(d, recipient.tenantId, event) : null;
      const mail = emailContent({ type: event.type, createdAt: event.createdAt, payload: event.payload, files, deliveryId: a.deliveryId, recipientId: recipient.id });
      const sent = await d.mailer.send({
        to: recipient.address, ...mail, messageId: `<${a.deliveryId}@sluice>`,
        headers: { 'X-Sluice-Delivery': a.deliveryId, 'X-Sluice-Event': event.type },
      });
      await record({ smtpCode: replyCode(sent.response), error: null, response: sent.response, durationMs: Date.now() - started }, 'delivered');
      return 'delivered';
    } catch (err) {
      // Every attempt is in the log, whatever stopped it (an SMTP reply, or links that could not be made).
      const smtp = err instanceof SmtpSendError ? err : null;
      const last = smtp?.permanent || attempt >= a.maxAttempts;
      await record({ smtpCode: smtp?.smtpCode ?? null, error: (err as Error).message, response: smtp?.response ?? null, durationMs: Date.now() - started }, last ? 'failed' : 'pending');
      if (last) return 'failed';
      throw err; // not now: Temporal tries again after its backoff
    }
  },
});

export type EmailActivities = ReturnType<typeof createEmailActivities>;
