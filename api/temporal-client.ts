// The API's Temporal client. Temporal's default retries an unreachable server for about 20 s; the API gives up
// sooner, so that a client gets a retryable 503 within a few seconds instead of a hung request. A server that is
// up but slow is waited for: only failed calls (UNAVAILABLE and the like) are retried, and these few times.
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

// 100 ms × 1.7^n between attempts: six attempts give up after about 3.3 s.
const API_ATTEMPTS = 6;

export async function connectApiClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({
    address,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: API_ATTEMPTS }))],
  });
  return new Client({ connection, namespace });
}
