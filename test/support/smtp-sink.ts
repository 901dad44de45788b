// The dev SMTP sink (dev/smtp-sink.ts) for tests: every mail it takes kept in memory, in arrival order;
// recipients answered from a script of SMTP replies per address (the last one repeats; 250 takes the mail).
import { startSmtpSink, type SunkMail } from '../../dev/smtp-sink';

export async function startMailSink(replies: Record<string, { code: number; message: string }[]> = {}) {
  const mails: SunkMail[] = [];
  const seen = new Map<string, number>();
  const sink = await startSmtpSink({
    onMail: (m) => void mails.push(m),
    refuse(recipient) {
      const script = replies[recipient];
      if (!script) return null;
      const n = seen.get(recipient) ?? 0;
      seen.set(recipient, n + 1);
      const reply = script[Math.min(n, script.length - 1)];
      return reply.code === 250 ? null : reply;
    },
  });
  return { ...sink, mails, mailsTo: (address: string) => mails.filter((m) => m.to.includes(address)) };
}
