// Sync jobs: define, list, read, act on and delete them; their instances and metrics over time.
import { SYNC_STATES } from '../../domain/lifecycle';
import { syncRequestSchema } from '../../domain/sync-request';
import { SYNC_ID } from '../ids';
import { listQuerySchema } from '../list-query';
import { metricsRangeQuerySchema } from '../metrics-range';
import { SYNC_POST_ACTIONS } from '../routes/syncs';
import { idParameter, inputSchema, pathParameter, queryParameters } from './json-schema';
import { json, locationHeader, noContent, operation, type PathItem } from './operation';

const tag = 'Sync jobs';
const syncId = idParameter('id', 'the sync id, as in the Location of the 201 that made it', SYNC_ID);
const sync = (description: string) =>
  json(description, { type: 'object', description: 'a sync: id, state, allowedActions, instance, phase, snapshot, stream, metrics, slot, warnings, error' });
const notAllowed = 'The sync\'s state does not allow it: the problem names state and allowedActions';

export const syncPaths: Record<string, PathItem> = {
  '/v1/syncs': {
    post: operation({
      operationId: 'createSync', tag, summary: 'Defines a sync (Created, or started with start: true)',
      body: { schema: inputSchema(syncRequestSchema), description: 'Give tables or schema, not both. source and target are connections with those roles, not the same one.' },
      responses: { 201: { ...sync('The sync; startProblem when it could not be started'), headers: locationHeader } },
      errors: { 409: 'notify names email addresses, and no SMTP server is configured', 503: undefined },
    }),
    get: operation({
      operationId: 'listSyncs', tag, summary: "The tenant's syncs, newest first", parameters: queryParameters(listQuerySchema(SYNC_STATES)),
      responses: { 200: json('{syncs, nextCursor}') }, errors: { 400: undefined },
    }),
  },
  '/v1/syncs/{id}': {
    get: operation({ operationId: 'getSync', tag, summary: 'A sync', parameters: [syncId], responses: { 200: sync('The sync') }, errors: { 404: undefined } }),
    delete: operation({
      operationId: 'deleteSync', tag, summary: 'Deletes a sync that is not active, with its slot, publication, instances and metrics', parameters: [syncId],
      responses: { 204: noContent('Deleted'), 202: sync('Accepted; not yet done after 30 s') },
      errors: { 404: undefined, 409: `${notAllowed} (pause an active sync first)`, 503: undefined },
    }),
  },
  '/v1/syncs/{id}/{action}': {
    post: operation({
      operationId: 'actOnSync', tag, summary: 'start, pause, resume or restart a sync',
      parameters: [syncId, pathParameter('action', 'what to do', { type: 'string', enum: [...SYNC_POST_ACTIONS] })],
      responses: { 200: sync('The sync in its next state'), 202: sync('Accepted; not yet in effect after 30 s') },
      errors: { 404: 'No such sync, or no such action', 409: notAllowed, 503: undefined },
    }),
  },
  '/v1/syncs/{id}/instances': {
    get: operation({
      operationId: 'listSyncInstances', tag, summary: 'One instance per start and restart, newest first', parameters: [syncId],
      responses: { 200: json('{syncId, instances: [{id, run, startedAt, durationMs, status, records, bytes, error}]}') }, errors: { 404: undefined },
    }),
  },
  '/v1/syncs/{id}/metrics': {
    get: operation({
      operationId: 'getSyncMetrics', tag, summary: 'The six metrics and retained WAL over time (at most 1,000 points)',
      description: 'from/to: an ISO 8601 time with its offset, a duration before now (-1h, -7d) or now; step: 10s, 5m, 1h. Default: the last hour by 10 s.',
      parameters: [syncId, ...queryParameters(metricsRangeQuerySchema)],
      responses: { 200: json('{syncId, from, to, stepSeconds, points: [...]}') }, errors: { 400: undefined, 404: undefined },
    }),
  },
};
