// Sluice's API as the bench calls it (fetch, in this process): for jobs, whose timing does not hang on one
// request's transfer. Inline answers are timed with curl instead (clients.ts).
export class SluiceHttp {
  constructor(readonly url: string, readonly apiKey: string) {}

  /** The JSON answer of a request; any status but `expect` throws with the answer's body. */
  async json<T>(method: string, path: string, expect: number, body?: unknown): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== expect) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
}
