// GET /v1/downloads/:token: a file served by Sluice, for links made for a key with an IP allowlist (a presigned
// link would work from anywhere). No Authorization header (a browser or curl follows the link as is): the token
// names the key, which must still hold and allow the client's address; then the object streams from S3, a
// Range honoured. Mounted before the API key check; the audit log keeps each download under the key's tenant.
import type { S3Client } from '@aws-sdk/client-s3';
import { Router } from 'express';
import { parseCidrs } from '../../domain/cidr';
import { streamObject } from '../../connectors/s3/stream-object';
import type { ApiKeyStore } from '../../store/api-keys';
import { keyRefusal } from '../auth';
import type { DownloadTokens } from '../download-token';
import { notFound, Problem } from '../problem';

export interface DownloadRouteDeps {
  downloadTokens: DownloadTokens;
  apiKeys: Pick<ApiKeyStore, 'checkById'>;
  trustedProxies: readonly string[];
  s3: S3Client;
  bucket: string;
}

export function downloadRoutes(d: DownloadRouteDeps): Router {
  const trusted = parseCidrs(d.trustedProxies);
  const router = Router();
  router.get('/v1/downloads/:token', async (req, res) => {
    const grant = d.downloadTokens.verify(req.params.token);
    // Another tenant's object can never be named: the prefix is checked as well as the signature.
    if (!grant || !grant.objectKey.startsWith(`tenants/${grant.tenantId}/`)) throw notFound('the download');
    const key = await d.apiKeys.checkById(grant.keyId);
    const refused = keyRefusal(key?.tenant.id === grant.tenantId ? key : null, req, trusted);
    if (refused) throw refused;
    req.tenant = key!.tenant;
    req.apiKey = { id: key!.id, tenantId: key!.tenant.id, allowedCidrs: key!.allowedCidrs };
    res.locals.auditTarget = grant.objectKey;
    const sent = await streamObject(d.s3, d.bucket, grant.objectKey, req.get('range'), grant.fileName, res);
    if (sent === 'not_found') throw new Problem(410, 'File gone', 'the file has expired and was deleted', { hint: 'GET /v1/jobs/:id/files tells whether the job still has files' });
    if (sent === 'range_not_satisfiable') throw new Problem(416, 'Range not satisfiable', 'the requested range is outside the file');
  });
  return router;
}

/** Links to Sluice's own download route, for a key with an allowlist; the others get presigned links. */
export const sluiceLinks = (tokens: DownloadTokens, baseUrl: string, tenantId: string, keyId: string) =>
  (objectKey: string, ttlSeconds: number, fileName: string) =>
    `${baseUrl}/v1/downloads/${tokens.sign({ tenantId, keyId, objectKey, fileName, expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds })}`;
