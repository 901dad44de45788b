import type { TestApi } from '../support/stack';

export const PROBLEM = 'application/problem+json';

export async function expectProblem(res: Response, status: number, field?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain(PROBLEM);
  const body = await res.json();
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at /); // never a stack trace
  if (field) expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
  return body;
}

export async function waitForState(api: TestApi, id: string, states: string[]) {
  for (;;) {
    const job = await (await api.call('GET', `/v1/jobs/${id}`)).json();
    if (states.includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}
