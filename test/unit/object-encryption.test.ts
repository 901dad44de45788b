import { encryptionParams } from '../../connectors/s3/encryption';
import { loadConfig } from '../../workers/config';

const env = { SLUICE_DATABASE_URL: 'postgres://sluice@127.0.0.1/sluice', SLUICE_SECRET_KEYS: `k=${Buffer.alloc(32).toString('base64')}` };

test('writes ask for the configured server-side encryption', () => {
  expect(encryptionParams({ mode: 'none' })).toEqual({});
  expect(encryptionParams({ mode: 'AES256' })).toEqual({ ServerSideEncryption: 'AES256' });
  expect(encryptionParams({ mode: 'aws:kms' })).toEqual({ ServerSideEncryption: 'aws:kms' });
  expect(encryptionParams({ mode: 'aws:kms', kmsKeyId: 'alias/sluice' })).toEqual({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/sluice' });
});

test('SSE-S3 by default; a KMS key only with aws:kms', () => {
  expect(loadConfig(env).SLUICE_S3_SSE).toBe('AES256');
  expect(loadConfig({ ...env, SLUICE_S3_SSE: 'aws:kms', SLUICE_S3_SSE_KMS_KEY_ID: 'sluice' })).toMatchObject({ SLUICE_S3_SSE: 'aws:kms', SLUICE_S3_SSE_KMS_KEY_ID: 'sluice' });
  expect(() => loadConfig({ ...env, SLUICE_S3_SSE: 'aes256' })).toThrow(/SLUICE_S3_SSE/);
  expect(() => loadConfig({ ...env, SLUICE_S3_SSE_KMS_KEY_ID: 'sluice' })).toThrow(/SLUICE_S3_SSE_KMS_KEY_ID: applies only with SLUICE_S3_SSE=aws:kms \(it is AES256\)/);
});
