// Text PostgreSQL cannot hold — a NUL, an unpaired UTF-16 surrogate — in the paths and bodies of connections,
// webhooks and email recipients (found by the OpenAPI fuzz run): a 400 naming where it is, never a 500.
import { startApi, testSluice, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

let s: TestSluice;
let api: TestApi;

beforeAll(async () => {
  // Bodies must get past the address check and the email setting to reach the database.
  s = await testSluice({ SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_SMTP_URL: 'smtp://127.0.0.1:9' });
  api = await startApi(s);
});

afterAll(async () => {
  await api?.close();
  await s?.close();
});

const NUL_PATHS: [string, string][] = [
  ['GET', '/v1/connections/%00'], ['GET', '/v1/connections/a%00b'], ['PUT', '/v1/connections/a%00'], ['DELETE', '/v1/connections/%00'],
  ['POST', '/v1/connections/%00/test'], ['GET', '/v1/webhooks/%00'], ['DELETE', '/v1/webhooks/wh_%00'], ['POST', '/v1/webhooks/%00/rotate-secret'],
  ['GET', '/v1/webhooks/%00/deliveries'], ['POST', '/v1/webhooks/wh_00000000000000000000/deliveries/msg_%00/replay'],
  ['GET', '/v1/email-recipients/%00'], ['DELETE', '/v1/email-recipients/%00'], ['GET', '/v1/email-recipients/rcp_%00/deliveries'],
];

test.each(NUL_PATHS)('%s %s: 400 for the path', async (method, path) => {
  await expectProblem(await api.call(method, path, method === 'PUT' ? { url: 'postgres://u@h/d' } : undefined), 400, 'path');
});

const part = { name: 'pgtext', host: 'h', database: 'd', user: 'u' };
const BODIES: [string, string, unknown, string][] = [
  ['POST', '/v1/connections', { ...part, database: 'd\ud800' }, 'database'],
  ['POST', '/v1/connections', { ...part, user: '\udc00u' }, 'user'],
  ['POST', '/v1/connections', { ...part, host: 'h\ud800' }, 'host'],
  ['POST', '/v1/connections', { ...part, password: 'p\ud800' }, 'password'],
  ['PUT', '/v1/connections/pgtext', { host: 'h', database: 'd', user: 'u', password: '\ud800' }, 'password'],
  ['POST', '/v1/connections', { name: 'pgtext', url: 'postgres://u@h/d%00' }, 'url'],
  ['POST', '/v1/connections', { name: 'pgtext', url: 'postgres://u%00@h/d' }, 'url'],
  ['POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook\u0000', events: ['job.completed'] }, 'url'],
  ['POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['job.completed'], description: 'a\u0000b' }, 'description'],
  ['POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['job.completed'], description: '\ud800' }, 'description'],
  ['POST', '/v1/email-recipients', { address: 'ops@example.com', events: ['job.failed'], description: 'a\u0000' }, 'description'],
  ['POST', '/v1/email-recipients', { address: 'ops@example.com', events: ['job.failed'], description: '\udc00' }, 'description'],
];

test.each(BODIES)('%s %s %j: 400 for %s', async (method, path, body, field) => {
  await expectProblem(await api.call(method, path, body), 400, field);
});
