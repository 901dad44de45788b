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
