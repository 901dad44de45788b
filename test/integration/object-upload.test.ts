// writeObject stores exactly the bytes written, with their size and SHA-256: a small object in one PutObject, a
// large one as a multipart upload of several parts, written in chunks of any size, with uploads at once and after
// each other sharing part buffers. An upload stopped midway leaves neither an object nor an unfinished multipart
// upload behind.
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { writeObject } from '../../connectors/s3/upload';
import { testSluice, uniqueName, type TestSluice } from '../support/stack';

let s: TestSluice;
beforeAll(async () => {
  s = await testSluice();
});
afterAll(() => s?.close());

const bucket = () => s.config.SLUICE_S3_BUCKET;
const target = (key: string) => ({ bucket: bucket(), key, contentType: 'application/octet-stream', encryption: { mode: 'none' as const } });

async function write(key: string, data: Buffer, chunk: number) {
  const w = writeObject(s.rt.s3, target(key));
  for (let at = 0; at < data.length; at += chunk) {
    if (!w.input.write(data.subarray(at, at + chunk))) await new Promise((ok) => w.input.once('drain', ok));
  }
  w.input.end();
  return w.done;
}

test.each([
  ['empty', 0, 1000],
  ['small: one PutObject', 300_000, 65_536],
  ['12 MiB: three parts', 12 * 1024 * 1024, 65_536],
  ['exactly two parts of 5 MiB', 10 * 1024 * 1024, 1024 * 1024],
  ['chunks of odd sizes', 7 * 1024 * 1024 + 3, 100_003],
])('%s: the object holds exactly the bytes written', async (_name, size, chunk) => {
  const key = `${uniqueName('upload')}.bin`;
  const data = randomBytes(size);
  const stored = await write(key, data, chunk);
  const sha256 = createHash('sha256').update(data).digest('hex');
  expect(stored).toEqual({ key, bytes: size, sha256 });
  const got = await s.rt.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
});

test('uploads at once and one after another each hold their own bytes (part buffers are used again)', async () => {
  for (const round of [3, 2]) {
    const uploads = Array.from({ length: round }, () => ({ key: `${uniqueName('shared')}.bin`, data: randomBytes(11 * 1024 * 1024 + 17) }));
    await Promise.all(uploads.map((u) => write(u.key, u.data, 65_536 + 1)));
    for (const u of uploads) {
      const got = await s.rt.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: u.key }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(u.data)).toBe(true);
    }
  }
});

test('an upload aborted after some parts leaves no object and no unfinished upload', async () => {
  const key = `${uniqueName('aborted')}.bin`;
  const w = writeObject(s.rt.s3, target(key));
  const data = randomBytes(12 * 1024 * 1024);
  for (let at = 0; at < data.length; at += 65_536) {
    if (!w.input.write(data.subarray(at, at + 65_536))) await new Promise((ok) => w.input.once('drain', ok));
  }
  await w.abort();
  await expect(s.rt.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key }))).rejects.toMatchObject({ name: 'NotFound' });
  const uploads = await s.rt.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket(), Prefix: key }));
  expect(uploads.Uploads ?? []).toEqual([]);
});
