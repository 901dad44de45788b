// What PostgreSQL itself says a selection looks like (psql's COPY, row_to_json), and checks of a finished job's
// files against its manifest. Shared by the integration tests; not a test file itself.
import { WorkflowFailedError } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { escapeIdentifier, type Client as PgClient } from 'pg';
import type { JobError } from '../../domain/errors';
import type { ExtractionSnapshot, Manifest } from '../../domain/extraction-job';
import { progressQuery } from '../../workflows/extraction-job';
import { decompressed, readObject, startExtraction } from '../support/jobs';
import { stackInfo, type TestSluice } from '../support/stack';

/** "schema"."name", quoted as PostgreSQL needs it. */
export const qualified = (schema: string, name: string): string => `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;

/** What `psql -c "COPY (sql) TO STDOUT WITH (FORMAT csv, HEADER true)"` writes, with PGTZ=timeZone. */
export function psqlCsv(sql: string, timeZone = 'UTC'): string {
  return execFileSync('psql', [stackInfo().sourceUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY (${sql}) TO STDOUT WITH (FORMAT csv, HEADER true)`], {
    env: { ...process.env, PGTZ: timeZone, PGCLIENTENCODING: 'UTF8' }, maxBuffer: 1 << 28,
  }).toString('utf8');
}

/** `row_to_json` of every row of `sql`, in order, as PostgreSQL writes it with the session TimeZone `timeZone`. */
export async function rowToJson(client: PgClient, sql: string, timeZone = 'UTC'): Promise<string[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('TimeZone', $1, true)`, [timeZone]);
    const res = await client.query<{ line: string }>(`SELECT row_to_json(sluice_t)::text AS line FROM (${sql}) sluice_t`);
    return res.rows.map((r) => r.line);
  } finally {
    await client.query('COMMIT');
  }
}

/**
 * Downloads every part of a finished job, checks each object's size and SHA-256 against the manifest and that
 * the parts' rows add up to the manifest's; returns the stored objects in part order.
 */
export async function verifiedFiles(s: TestSluice, manifest: Manifest): Promise<Buffer[]> {
  expect(manifest.complete).toBe(true);
  expect(manifest.parts.map((p) => p.index)).toEqual(manifest.parts.map((_, i) => i));
  expect(manifest.rows).toBe(manifest.parts.reduce((n, p) => n + p.rows, 0));
  expect(manifest.bytes).toBe(manifest.parts.reduce((n, p) => n + p.bytes, 0));
  return Promise.all(manifest.parts.map(async (p) => {
    const raw = await readObject(s, p.key);
    expect({ key: p.key, bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex') }).toEqual({ key: p.key, bytes: p.bytes, sha256: p.sha256 });
    return raw;
  }));
}

/** verifiedFiles of a CSV or NDJSON job: the parts' text, decompressed. */
export async function verifiedParts(s: TestSluice, manifest: Manifest): Promise<string[]> {
  const files = await verifiedFiles(s, manifest);
  return files.map((raw) => decompressed(raw, manifest.compression).toString('utf8'));
}

/** The lines of NDJSON parts joined: every line ends with "\n", and there is nothing after the last one. */
export function ndjsonLines(parts: string[]): string[] {
  const text = parts.join('');
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** Rows (lines after the header) of a CSV part whose values hold no line breaks. */
export const csvRows = (csv: string): string[] => csv.split('\n').slice(1, -1);

/** Runs a job that must fail; resolves to its final snapshot (state Failed, with the error). */
export async function failedJob(s: TestSluice, request: Record<string, unknown>): Promise<ExtractionSnapshot & { error: JobError }> {
  const { handle } = await startExtraction(s, request);
  const err = await handle.result().then(() => new Error('the job completed'), (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const snapshot = await handle.query(progressQuery);
  expect(snapshot.state).toBe('Failed');
  expect(snapshot.error).not.toBeNull();
  return snapshot as ExtractionSnapshot & { error: JobError };
}
