// Files at rest under server-side encryption (SLUICE_S3_SSE): every object a job writes, parts and manifest,
// carries it; MinIO's disk holds no plaintext of them; presigned links still download the right bytes.
import { HeadObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client as PgClient } from 'pg';
import { createS3Client, ensureBucket } from '../../connectors/s3/client';
import { listKeys, presignGet } from '../../connectors/s3/objects';
import { writeObject } from '../../connectors/s3/upload';
import type { ObjectEncryption } from '../../connectors/s3/encryption';
import { manifestKey, runPrefix } from '../../domain/plan';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName } from '../support/stack';
import { waitForState } from './support';

const BUCKET = 'sluice-test';
const MARKER = `plaintext_${randomBytes(6).toString('hex')}`;
const table = uniqueName('sse');
let src: PgClient;

beforeAll(async () => {
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
  await src.query(`INSERT INTO ${table} SELECT g, '${MARKER} ' || g FROM generate_series(1, 250) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await src?.end();
});

const kmsKeyId = () => stackInfo().s3KmsKeyId;
const s3 = () => {
  const info = stackInfo();
  return createS3Client({ endpoint: info.s3Endpoint, region: 'us-east-1', accessKeyId: info.s3AccessKeyId, secretAccessKey: info.s3SecretAccessKey, forcePathStyle: true });
};

function expectEncryption(head: HeadObjectCommandOutput, mode: ObjectEncryption['mode']) {
  if (mode === 'none') return expect(head.ServerSideEncryption).toBeUndefined();
  expect(head.ServerSideEncryption).toBe(mode);
  if (mode === 'aws:kms') expect(head.SSEKMSKeyId).toContain(kmsKeyId());
}

// The bytes MinIO keeps on disk for the objects under `prefix` (small objects live inline in xl.meta).
function bytesOnDisk(prefix: string): Buffer {
  const dir = join(process.env.SLUICE_TEST_DIR!, 'minio', 'data', BUCKET, prefix);
  return Buffer.concat(readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name))));
}

test.each(['AES256', 'aws:kms', 'none'] as const)('SLUICE_S3_SSE=%s: a job\'s parts and manifest are stored so, and download through their links', async (mode) => {
  const s = await testSluice({ SLUICE_S3_SSE: mode, SLUICE_PART_ROWS: '100', ...(mode === 'aws:kms' ? { SLUICE_S3_SSE_KMS_KEY_ID: kmsKeyId() } : {}) });
  try {
    await s.startWorker();
    const api = await startApi(s);
    try {
      const res = await api.call('POST', '/v1/extractions', { source: 'src', table, orderBy: [{ column: 'id' }], format: 'csv', compression: 'none', mode: 'job' });
      expect(res.status).toBe(202);
      const { id } = await res.json();
      await waitForState(api, id, ['Completed']);
      const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
      expect(files.parts.length).toBeGreaterThan(1);

      const prefix = runPrefix(s.tenantId, id, files.run);
      const keys = await listKeys(s.rt.s3, BUCKET, prefix);
      expect(keys).toContain(manifestKey(s.tenantId, id, files.run));
      expect(keys).toHaveLength(files.parts.length + 1);
      for (const key of keys) expectEncryption(await s.rt.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })), mode);

      let text = '';
      for (const part of files.parts) {
        const body = Buffer.from(await (await fetch(part.url)).arrayBuffer());
        expect(createHash('sha256').update(body).digest('hex')).toBe(part.sha256);
        text += body.toString('utf8');
      }
      expect(text.match(new RegExp(`${MARKER} \\d+`, 'g'))).toHaveLength(250);
      const manifest = (await (await fetch(files.manifest.url)).json()) as { parts: { sha256: string }[] };
      expect(manifest.parts.map((p) => p.sha256)).toEqual(files.parts.map((p: { sha256: string }) => p.sha256));

      expect(bytesOnDisk(prefix).includes(MARKER)).toBe(mode === 'none');
    } finally {
      await api.close();
    }
  } finally {
    await s.close();
  }
});

test.each(['AES256', 'aws:kms'] as const)('a multipart upload (over 8 MiB) is stored under %s and reads back through a presigned link', async (mode) => {
  const client = s3();
  try {
    await ensureBucket(client, BUCKET);
    const key = `${uniqueName('multipart')}/big.bin`;
    const writer = writeObject(client, { bucket: BUCKET, key, contentType: 'application/octet-stream', encryption: { mode, kmsKeyId: kmsKeyId() } });
    const body = randomBytes(9 * 1024 * 1024);
    writer.input.end(body);
    const stored = await writer.done;
    expectEncryption(await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })), mode);
    const download = Buffer.from(await (await fetch(await presignGet(client, BUCKET, key, 60, 'big.bin'))).arrayBuffer());
    expect(createHash('sha256').update(download).digest('hex')).toBe(stored.sha256);
  } finally {
    client.destroy();
  }
});
