// An SMTP server on loopback that takes every mail and hands it on parsed (mailparser): `npm run dev` writes
// each to a .eml file, tests keep them in memory. `refuse` answers a recipient with an SMTP error instead, as a
// real server refusing a mailbox does (550) or asking to try later (4xx).
import { simpleParser, type ParsedMail } from 'mailparser';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  /** The envelope's recipients (RCPT TO). */
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpSinkOptions {
  port?: number;
  onMail(mail: SunkMail): void | Promise<void>;
  refuse?(recipient: string): { code: number; message: string } | null;
}

export interface SmtpSink {
  port: number;
  /** What SLUICE_SMTP_URL is set to for Sluice to send here. */
  url: string;
  close(): Promise<void>;
}

export async function startSmtpSink(o: SmtpSinkOptions): Promise<SmtpSink> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'], // loopback only: plain text, no certificate to make
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = o.refuse?.(address.address);
      callback(refusal ? Object.assign(new Error(refusal.message), { responseCode: refusal.code }) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address);
        simpleParser(raw)
          .then((parsed) => o.onMail({ to, raw, parsed }))
          .then(() => callback(), (err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** Writes each mail to `<dir>/<timestamp>-<id>.eml`, which any mail client opens; sorted by name, oldest first. */
export const mailToDir = (dir: string) => async (mail: SunkMail): Promise<void> => {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await writeFile(join(dir, `${stamp}-${randomBytes(4).toString('hex')}.eml`), mail.raw);
};
