// Download links served by Sluice itself (for keys with an IP allowlist: a presigned link would work from
// anywhere). The token names the file, the tenant and the key it was made for, and when it expires, signed with
// HMAC-SHA256 under a key derived from the ring's current secret key (KeyRing.derive); the download checks the API
// key again (revoked, expired, the client's address) before any byte is sent. A link outlives no key rotation.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const payloadSchema = z.strictObject({
  tenantId: z.string().min(1),
  keyId: z.string().min(1),
  objectKey: z.string().min(1),
  fileName: z.string().min(1),
  /** Unix seconds. */
  expiresAt: z.number().int(),
});
export type DownloadGrant = z.infer<typeof payloadSchema>;

export class DownloadTokens {
  constructor(private readonly key: Buffer) {}

  sign(grant: DownloadGrant): string {
    const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The grant when the token is one of ours and not expired at `now`; null otherwise (no reason given out). */
  verify(token: string, now = new Date()): DownloadGrant | null {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return null;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const grant = payloadSchema.safeParse(parsed);
    if (!grant.success || grant.data.expiresAt * 1000 <= now.getTime()) return null;
    return grant.data;
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}
