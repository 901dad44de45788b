// What the lifecycle tests of syncs share: defining a sync, acting on it as a client would, the refusals of a
// state checked action by action, and waiting until the stream has applied everything written so far, read from
// GET /v1/syncs/:id as a user would read it.
import type { Client as PgClient } from 'pg';
import { compareLsn } from '../../connectors/postgres/sync/wal-reader';
import type { TestApi } from '../support/stack';
import { expectProblem } from './support';
import { getSync, rows, sleep, syncStack, waitForSync, type SyncBody, type SyncStack } from './sync-support';

const POST_ACTIONS = ['start', 'pause', 'resume', 'restart'] as const;

/** Sync options for these tests: a heartbeat message every second keeps a quiet source's stream moving. */
export const FAST = { heartbeatIntervalSeconds: 1 };

/** A Sluice for the test file, made before its tests and closed after them; the function returns it. */
export function useSyncStack(): () => SyncStack {
  let t: SyncStack | undefined;
  // A metrics sample every second: GET /v1/syncs/:id shows the applied LSN soon after it moves.
  beforeAll(async () => {
    t = await syncStack({ SLUICE_SYNC_METRICS_SECONDS: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });
  return () => t!;
}

/** POST /v1/syncs of `tables` from `src` into `dst`; the 201 body. */
export async function defineSync(api: TestApi, tables: string[], body: Record<string, unknown> = {}): Promise<SyncBody> {
  const res = await api.call('POST', '/v1/syncs', { source: 'src', target: 'dst', tables, ...body });
  if (res.status !== 201) throw new Error(`POST /v1/syncs answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** An action the state allows: 200 with the sync where it comes to rest. */
export async function act(api: TestApi, id: string, action: (typeof POST_ACTIONS)[number]): Promise<SyncBody> {
  const res = await api.call('POST', `/v1/syncs/${id}/${action}`);
  if (res.status !== 200) throw new Error(`POST /v1/syncs/${id}/${action} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * Every action `state` does not allow (over POST, and DELETE) is a 409 problem naming the state and exactly
 * `allowed`; afterwards the sync is still in `state`, allowing the same.
 */
export async function expectOnlyAllowed(api: TestApi, id: string, state: string, allowed: string[]): Promise<void> {
  const refused = async (res: Response, action: string) => {
    const body = await expectProblem(res, 409);
    expect({ action, state: body.state, allowedActions: body.allowedActions }).toEqual({ action, state, allowedActions: allowed });
    expect(body.detail).toContain(`${action} is not allowed while sync ${id} is ${state}`);
  };
  for (const action of POST_ACTIONS.filter((a) => !allowed.includes(a))) await refused(await api.call('POST', `/v1/syncs/${id}/${action}`), action);
  if (!allowed.includes('delete')) await refused(await api.call('DELETE', `/v1/syncs/${id}`), 'delete');
  expect(await getSync(api, id)).toMatchObject({ state, allowedActions: allowed });
}

/**
 * Writes a marker into the source's WAL after every write so far and polls GET /v1/syncs/:id until the stream's
 * applied LSN (`stream.appliedLsn`, from its latest metrics sample) has passed it.
 */
export async function streamedPast(api: TestApi, src: PgClient, id: string, timeoutMs = 60_000): Promise<SyncBody> {
  const marker = (await src.query<{ lsn: string }>(`SELECT pg_logical_emit_message(true, 'test', 'marker')::text AS lsn`)).rows[0].lsn;
  return waitForSync(api, id, (x) => typeof x.stream?.appliedLsn === 'string' && compareLsn(x.stream.appliedLsn, marker) >= 0, timeoutMs);
}

/** The target's table holds exactly the source's rows, row by row (tables keyed by `id`). */
export async function expectSameRows(src: PgClient, dst: PgClient, table: string): Promise<void> {
  const [source, target] = await Promise.all([rows(src, table), rows(dst, table)]);
  expect(source.length).toBeGreaterThan(0);
  expect(target).toEqual(source);
}

/** Polls until GET /v1/syncs/:id is a 404 (a deleted sync's workflow removes it). */
export async function waitGone(api: TestApi, id: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await api.call('GET', `/v1/syncs/${id}`)).status !== 404) {
    if (Date.now() > end) throw new Error(`sync ${id} is still there after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Pauses a streaming sync if need be and deletes it, so its slot holds no WAL for the rest of the run. */
export async function discard(api: TestApi, id: string): Promise<void> {
  const sync = await getSync(api, id);
  if (sync.allowedActions.includes('pause')) await act(api, id, 'pause');
  const res = await api.call('DELETE', `/v1/syncs/${id}`);
  if (res.status !== 204) throw new Error(`DELETE /v1/syncs/${id} answered ${res.status}: ${await res.text()}`);
}
