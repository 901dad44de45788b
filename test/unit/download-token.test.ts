// Download tokens: what is signed comes back; anything altered, expired, or signed under another key does not.
import { DownloadTokens, type DownloadGrant } from '../../api/download-token';

const tokens = new DownloadTokens(Buffer.alloc(32, 1));
const grant: DownloadGrant = { tenantId: 't1', keyId: 'key_1', objectKey: 'tenants/t1/jobs/job_1/runs/1/part-00001.csv', fileName: 'part-00001.csv', expiresAt: 2_000_000_000 };
const now = new Date(1_900_000_000_000);

test('a token gives back its grant until it expires', () => {
  const token = tokens.sign(grant);
  expect(tokens.verify(token, now)).toEqual(grant);
  expect(tokens.verify(token, new Date(2_000_000_000_000))).toBeNull();
});

test.each([
  ['another body', (t: string) => `${Buffer.from(JSON.stringify({ ...grant, objectKey: 'tenants/t2/x' })).toString('base64url')}.${t.split('.')[1]}`],
  ['a cut signature', (t: string) => t.slice(0, -2)],
  ['no signature', (t: string) => t.split('.')[0]],
  ['a third part', (t: string) => `${t}.x`],
  ['not base64 JSON', () => 'bm90IGpzb24.AAAA'],
  ['empty', () => ''],
])('refuses %s', (_what, alter) => {
  expect(tokens.verify(alter(tokens.sign(grant)), now)).toBeNull();
});

test('a token of another key is refused', () => {
  expect(new DownloadTokens(Buffer.alloc(32, 2)).verify(tokens.sign(grant), now)).toBeNull();
});
