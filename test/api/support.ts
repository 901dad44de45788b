import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { joinCsvParts } from '../support/jobs';
import type { TestApi } from '../support/stack';

export const PROBLEM = 'application/problem+json';

export async function expectProblem(res: Response, status: number, field?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain(PROBLEM);
  const body = (await res.json()) as { errors: { field: string; message: string; hint?: string }[] } & Record<string, unknown>;
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at /); // never a stack trace
  if (field) expect(body.errors.map((e) => e.field)).toContain(field);
  return body;
}

const FINISHED = ['Completed', 'Failed', 'Cancelled'];

// Polls until the job is in one of `states`; a job that finishes otherwise fails the test with its body.
export async function waitForState(api: TestApi, id: string, states: string[]) {
  for (;;) {
    const res = await api.call('GET', `/v1/jobs/${id}`);
    if (res.status !== 200) throw new Error(`GET /v1/jobs/${id} answered ${res.status}: ${await res.text()}`);
    const job = await res.json();
    if (states.includes(job.state)) return job;
    if (FINISHED.includes(job.state)) throw new Error(`job ${id} ended ${job.state}, not ${states.join('/')}: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** POST /v1/extractions with the bytes as they come off the wire: a gzip answer stays gzip (fetch would decode it). */
export function postRaw(api: TestApi, apiKey: string, body: unknown): Promise<RawResponse> {
  return new Promise((ok, fail) => {
    const req = request(`${api.url}/v1/extractions`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(JSON.stringify(body));
  });
}

/** A completed job's files, decompressed and joined: CSV with the header once, NDJSON as is. */
export async function jobOutput(api: TestApi, id: string): Promise<string> {
  const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
  const parts: string[] = [];
  for (const part of files.parts) {
    const body = Buffer.from(await (await fetch(part.url)).arrayBuffer());
    parts.push((files.compression === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
  }
  return files.format === 'csv' ? joinCsvParts(parts) : parts.join('');
}
