// Delivers one webhook request: a POST to a tenant's URL, sent only to addresses the guard allows and pinned to
// the address that was checked, never following a redirect, within one deadline, keeping only the start of the
// answer.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { resolveWebhookTarget } from './webhook-target';

export type WebhookPostErrorCode = 'invalid_url' | 'address_forbidden' | 'dns_failed' | 'timeout' | 'connection_failed' | 'redirect_refused';

export class WebhookPostError extends Error {
  constructor(
    readonly code: WebhookPostErrorCode,
    message: string,
    /** address_forbidden: the refused address and why; redirect_refused: the status. */
    readonly details: { address?: string; reason?: string; status?: number } = {},
  ) {
    super(message);
    this.name = 'WebhookPostError';
  }
}

export type WebhookPostOptions = { allowPrivate: boolean; timeoutMs: number; bodyPrefixBytes?: number; signal?: AbortSignal };

export type WebhookAnswer = { status: number; bodyPrefix: string; durationMs: number };

type Address = { address: string; family: number };

/**
 * POSTs `body` as JSON to `url` and resolves to the answer's status and the first `bodyPrefixBytes` (1024) of
 * its body, whatever the status, except 3xx. `timeoutMs` bounds the whole call, name resolution included.
 * Rejects with a WebhookPostError; when `signal` aborts, with the signal's reason, as fetch does.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, o: WebhookPostOptions): Promise<WebhookAnswer> {
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([deadline.signal, o.signal]) : deadline.signal;
  let host = '';
  try {
    const resolved = await untilAborted(resolveWebhookTarget(url, o), signal);
    if (!resolved.ok) throw new WebhookPostError(resolved.code, resolved.detail, { address: resolved.address, reason: resolved.reason });
    const { url: target, addresses } = resolved;
    host = target.host;
    const answer = await send(target, body, headers, addresses, o.bodyPrefixBytes ?? 1024, signal);
    return { ...answer, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (o.signal?.aborted) throw o.signal.reason;
    if (deadline.signal.aborted) throw new WebhookPostError('timeout', `${host || 'the receiver'} did not answer within ${o.timeoutMs} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function send(target: URL, body: string, headers: Record<string, string>, addresses: Address[], prefixBytes: number, signal: AbortSignal) {
  const payload = Buffer.from(body);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1'); // an IPv6 literal without its brackets
  const options: https.RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Sluice-Webhooks', 'content-length': payload.length },
    agent: false,
    lookup: pinnedTo(addresses),
    servername: isIP(host) ? undefined : host, // the certificate is still checked against the name
    signal,
  };
  return new Promise<{ status: number; bodyPrefix: string }>((resolve, reject) => {
    const req = target.protocol === 'https:' ? https.request(target, options) : http.request(target, options);
    req.on('error', (err) => reject(new WebhookPostError('connection_failed', `${target.host}: ${err.message}`)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.destroy();
        const to = res.headers.location ? ` to ${res.headers.location}` : '';
        reject(new WebhookPostError('redirect_refused', `${target.host} answered ${status}, a redirect${to}; webhooks do not follow redirects`, { status }));
        return;
      }
      readPrefix(res, prefixBytes).then((bodyPrefix) => resolve({ status, bodyPrefix }), reject);
    });
    req.end(payload);
  });
}

// The connection gets the addresses that were checked instead of asking DNS again, whose second answer
// could be another address (DNS rebinding). Node asks for all of them when it races IPv4 against IPv6.
function pinnedTo(addresses: Address[]): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

// Reads at most `limit` bytes, then hangs up: a large body is never buffered.
function readPrefix(res: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      // A character cut by the limit is left out rather than shown broken.
      resolve(new StringDecoder('utf8').write(Buffer.concat(chunks).subarray(0, limit)));
      res.destroy();
    };
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) done();
    });
    res.on('end', done);
    res.on('error', () => undefined); // 'close' follows, and settles the answer
    res.on('close', () => reject(new WebhookPostError('connection_failed', 'the connection closed during the answer')));
  });
}
