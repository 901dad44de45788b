// Sends one mail over SMTP (nodemailer) to the server SLUICE_SMTP_URL names, and says what came of it: taken
// (the server's 250 reply), refused for good (a 5xx reply: sending it again gets the same), or not now (a 4xx
// reply, no connection, a timeout: worth another attempt later).
import nodemailer, { type NodemailerError } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The same on every attempt of a delivery, so a reader's client shows a repeat as one mail. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface SentMail {
  /** The server's reply, e.g. "250 OK: queued as …". */
  response: string;
}

export class SmtpSendError extends Error {
  constructor(message: string, readonly smtpCode: number | null, readonly response: string | null, readonly permanent: boolean) {
    super(message);
  }
}

export interface Mailer {
  /** Resolves when the server took the mail; rejects with SmtpSendError otherwise. */
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

// Long enough for a slow server, short enough that an attempt ends well inside its activity's deadline.
const TIMEOUT_MS = 30_000;

export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(
    { url: smtpUrl, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS },
    { from },
  );
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId, headers: mail.headers });
        return { response: String(info.response ?? '') };
      } catch (err) {
        throw sendErrorOf(err as NodemailerError);
      }
    },
    close: () => transport.close(),
  };
}

function sendErrorOf(err: NodemailerError): SmtpSendError {
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  // nodemailer marks the reply's class; 503 (bad sequence) is a session fault, not a refusal of the mail.
  const permanent = err.permanent ?? (code !== null && code >= 500 && code < 600 && code !== 503);
  const what = code !== null ? `the SMTP server answered ${code}` : `no answer from the SMTP server (${err.code ?? 'error'})`;
  return new SmtpSendError(`${what}: ${err.response ?? err.message}`, code, err.response ?? null, permanent);
}
