// Where a webhook URL leads: its host resolved, every address checked by the guard. Registration asks this to
// refuse a URL at once; each delivery asks again (a name may resolve elsewhere later) and connects only to the
// addresses it was given.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkWebhookAddress } from './address-guard';

export interface WebhookTargetRefusal {
  code: 'invalid_url' | 'address_forbidden' | 'dns_failed';
  detail: string;
  /** address_forbidden: the address refused, and why. */
  address?: string;
  reason?: string;
}

export type ResolvedTarget = { ok: true; url: URL; host: string; addresses: { address: string; family: number }[] } | ({ ok: false } & WebhookTargetRefusal);

// The URL is not repeated in details: its path or query may hold the receiver's secret.
export async function resolveWebhookTarget(text: string, o: { allowPrivate: boolean }): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, code: 'invalid_url', detail: 'the webhook URL cannot be read as a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, code: 'invalid_url', detail: `webhooks go to http or https URLs, not ${url.protocol}` };
  if (url.username || url.password) return { ok: false, code: 'invalid_url', detail: 'a webhook URL must not carry a user name or password; sign the request instead' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true });
    } catch (err) {
      return { ok: false, code: 'dns_failed', detail: `${host} did not resolve: ${(err as Error).message}` };
    }
  }
  // Every address, not only the first: a connection may try each of them.
  for (const { address } of addresses) {
    const verdict = checkWebhookAddress(address, o);
    if (verdict.allowed) continue;
    const what = address === host ? address : `${host} resolves to ${address}`;
    return { ok: false, code: 'address_forbidden', detail: `${what}: ${verdict.reason}; webhooks go only to public addresses`, address, reason: verdict.reason };
  }
  return { ok: true, url, host, addresses };
}
