// Extraction jobs: POST /v1/extractions, the jobs, their files and runs, and the actions on them.
import { extractionRequestSchema } from '../../domain/extraction-request';
import { JOB_ID } from '../ids';
import { JOB_POST_ACTIONS } from '../routes/job-actions';
import { jobListQuerySchema } from '../routes/jobs';
import { idParameter, inputSchema, pathParameter, queryParameters } from './json-schema';
import { json, locationHeader, noContent, operation, type PathItem } from './operation';

const jobId = idParameter('id', 'the job id, as in the Location of the 202 that made it', JOB_ID);
const tag = 'Extraction jobs';
const job = (description: string) => json(description, { type: 'object', description: 'a job: id, state, run, queue, progress, plan, timings, error, files, allowedActions' });
const notAllowed = 'The job\'s state does not allow it: the problem names state and allowedActions';

const decisionHeaders = Object.fromEntries(
  ['Sluice-Mode', 'Sluice-Rule', 'Sluice-Estimated-Rows', 'Sluice-Estimated-Bytes', 'Sluice-Estimated-Cost'].map((h) => [h, { description: 'what was decided, and on which estimate', schema: { type: 'string' } }]),
);

export const jobPaths: Record<string, PathItem> = {
  '/v1/extractions': {
    post: operation({
      operationId: 'createExtraction', tag, summary: 'Extract rows: answered inline when small, else as a job',
      description: 'Give either table (with columns, filter, orderBy) or query. The request is checked against the source\'s catalog and estimated with EXPLAIN; mode decides between an inline answer and a job.',
      body: { schema: inputSchema(extractionRequestSchema) },
      responses: {
        200: {
          description: 'The rows, inline: CSV with the header or NDJSON (Content-Encoding gzip to a client that accepts it)',
          headers: { ...decisionHeaders, 'Sluice-Rows': { schema: { type: 'string' } }, 'Sluice-Bytes': { schema: { type: 'string' } } },
          content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } } },
        },
        202: json('A job was made: the job and decision {mode, rule, estimate, limits, seen}', { type: 'object' }, { ...locationHeader, ...decisionHeaders }),
      },
      errors: {
        409: 'notify names email addresses, and no SMTP server is configured',
        413: 'The body is larger than 1 MB, or mode is inline and the answer is over a limit (rule, estimate, limits, seen)',
        503: 'Temporal cannot be reached, or (mode inline) inline answers are busy or the source is unavailable: Retry-After',
        504: 'mode inline: the answer took longer than SLUICE_INLINE_TIMEOUT_MS',
      },
    }),
  },
  '/v1/jobs': {
    get: operation({
      operationId: 'listJobs', tag, summary: "The tenant's jobs, newest first",
      parameters: queryParameters(jobListQuerySchema),
      responses: { 200: json('{jobs, nextCursor}: nextCursor pages on, null on the last page') },
      errors: { 400: undefined },
    }),
  },
  '/v1/jobs/{id}': {
    get: operation({
      operationId: 'getJob', tag, summary: 'A job, from Sluice\'s database alone', parameters: [jobId],
      responses: { 200: job('The job') }, errors: { 404: undefined },
    }),
    delete: operation({
      operationId: 'deleteJob', tag, summary: 'Deletes an ended job with its files and runs', parameters: [jobId],
      responses: { 204: noContent('Deleted'), 202: job('Accepted; not yet done after 30 s') },
      errors: { 404: undefined, 409: `${notAllowed} (cancel an active job first)`, 503: undefined },
    }),
  },
  '/v1/jobs/{id}/files': {
    get: operation({
      operationId: 'getJobFiles', tag, summary: 'The files of a job, each part with a fresh presigned link', parameters: [jobId],
      responses: { 200: json('{columns, rows, bytes, complete, parts: [{rows, bytes, sha256, url}], manifest}') },
      errors: { 404: undefined, 409: 'The job has no files yet (state)', 410: 'The files expired and were deleted (expiredAt)' },
    }),
  },
  '/v1/jobs/{id}/runs': {
    get: operation({
      operationId: 'listJobRuns', tag, summary: 'The runs of a job, newest first', parameters: [jobId],
      responses: { 200: json('{jobId, runs: [{run, state, startedAt, endedAt, durationMs, records, bytes, error}]}') },
      errors: { 404: undefined },
    }),
  },
  '/v1/jobs/{id}/{action}': {
    post: operation({
      operationId: 'actOnJob', tag, summary: 'pause, resume, restart or cancel a job',
      description: 'The job\'s workflow decides: 200 with the job in the state it comes to rest in, 202 when accepted but not in effect after 30 s.',
      parameters: [jobId, pathParameter('action', 'what to do', { type: 'string', enum: [...JOB_POST_ACTIONS] })],
      responses: { 200: job('The job in its next state'), 202: job('Accepted; not yet in effect after 30 s') },
      errors: { 404: 'No such job, or no such action', 409: notAllowed, 503: undefined },
    }),
  },
};
