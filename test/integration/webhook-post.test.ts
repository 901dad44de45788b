// One webhook request against real HTTP servers on loopback: the address guard, the exact request sent, no
// redirect followed, the deadline, and only the start of a large answer kept.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook, WebhookPostError } from '../../connectors/http/webhook-post';

type Received = { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string };
type Receiver = { url: string; received: Received[]; close: () => Promise<void> };

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** A server on 127.0.0.1 that records every request and leaves the answer to `answer`. */
async function receiver(answer: (res: http.ServerResponse) => void): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const r = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close };
  receivers.push(r);
  return r;
}

async function refusal(delivery: Promise<unknown>): Promise<WebhookPostError> {
  const err = await delivery.then(
    () => {
      throw new Error('the delivery was expected to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookPostError);
  return err as WebhookPostError;
}

const ok = (res: http.ServerResponse) => res.writeHead(202).end('accepted');
const local = { allowPrivate: true, timeoutMs: 10_000 };
const publicOnly = { allowPrivate: false, timeoutMs: 10_000 };

test('loopback is refused without allowPrivate, and nothing is sent', async () => {
  const r = await receiver(ok);
  const err = await refusal(postWebhook(`${r.url}/hook`, '{}', {}, publicOnly));
  expect(err.code).toBe('address_forbidden');
  expect(err.details).toEqual({ address: '127.0.0.1', reason: 'loopback address' });
  expect(r.received).toEqual([]);
});

test('a name that resolves to loopback is refused', async () => {
  const r = await receiver(ok);
  const port = new URL(r.url).port;
  const err = await refusal(postWebhook(`http://localhost:${port}/hook`, '{}', {}, publicOnly));
  expect(err.code).toBe('address_forbidden');
  expect(err.details.reason).toBe('loopback address');
  expect(r.received).toEqual([]);
});

test('with allowPrivate the request arrives exactly, and the answer comes back', async () => {
  const r = await receiver(ok);
  const body = '{"type":"job.completed","data":{"jobId":"j_1","note":"ünïcode"}}';
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc=' };
  const answer = await postWebhook(`${r.url}/hooks/sluice?tenant=t1`, body, headers, local);
  expect(answer).toMatchObject({ status: 202, bodyPrefix: 'accepted' });
  expect(r.received).toHaveLength(1);
  const [request] = r.received;
  expect(request).toMatchObject({ method: 'POST', url: '/hooks/sluice?tenant=t1', body });
  expect(request.headers).toMatchObject({
    ...headers,
    'content-type': 'application/json',
    'user-agent': 'Sluice-Webhooks',
    'content-length': String(Buffer.byteLength(body)),
  });
});

test('a 302 is not followed: the other server sees nothing', async () => {
  const elsewhere = await receiver(ok);
  const r = await receiver((res) => res.writeHead(302, { location: `${elsewhere.url}/stolen` }).end());
  const err = await refusal(postWebhook(`${r.url}/hook`, '{}', {}, local));
  expect(err.code).toBe('redirect_refused');
  expect(err.details.status).toBe(302);
  expect(r.received).toHaveLength(1);
  expect(elsewhere.received).toEqual([]);
});

test('a server that never answers is a timeout', async () => {
  const r = await receiver(() => undefined);
  const err = await refusal(postWebhook(`${r.url}/hook`, '{}', {}, { allowPrivate: true, timeoutMs: 300 }));
  expect(err.code).toBe('timeout');
});

test('of a 5 MB answer only the prefix is kept', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024, 'abcdefghij');
  const r = await receiver((res) => res.writeHead(200, { 'content-length': big.length }).end(big));
  const answer = await postWebhook(`${r.url}/hook`, '{}', {}, local);
  expect(answer.status).toBe(200);
  expect(answer.bodyPrefix).toBe(big.subarray(0, 1024).toString());
  const shorter = await postWebhook(`${r.url}/hook`, '{}', {}, { ...local, bodyPrefixBytes: 10 });
  expect(shorter.bodyPrefix).toBe('abcdefghij');
});

test.each(['ftp://127.0.0.1/hook', 'file:///etc/passwd', 'http://user:pw@127.0.0.1/', 'not a url'])('%s is an invalid_url', async (url) => {
  const err = await refusal(postWebhook(url, '{}', {}, local));
  expect(err.code).toBe('invalid_url');
});
