// Answers an extraction inline with the same read-only REPEATABLE READ session and COPY as a job. The output
// is held in memory (with gzip, compressed as it comes) until COPY ends, so that an answer larger than the
// limits becomes a job before any byte of it is sent; crossing a limit (counted before compression) stops the
// COPY at once (its connection is closed). One deadline covers the wait for a connection and the COPY;
// statement_timeout stops the source's work too.
import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { copyOutput } from '../../connectors/postgres/copy-output';
import { ReadSession, type SessionSettings } from '../../connectors/postgres/read-session';
import { classifyError, type ErrorLike, type JobError } from '../../domain/errors';
import type { ExtractionRequest } from '../../domain/extraction-request';
import { overrun, type InlineLimits, type OverrunRule, type Seen } from '../../domain/inline-decision';
import type { SelectSpec } from '../../domain/plan';
import { holdAnswer } from './held-answer';

export type InlineOutcome =
  | { kind: 'answer'; body: Buffer[]; seen: Seen } // compressed when the request asks for it
  | { kind: 'overrun'; rule: OverrunRule; seen: Seen }
  | { kind: 'failed'; error: JobError } // the source refused the statement or failed
  | { kind: 'abandoned' }; // the client went away

const QUERY_CANCELED = '57014'; // statement_timeout

/** `source.role`: the role a user's query runs as (the connection's queryRole), null for a table. */
export async function answerInline(
  source: { pool: Pool; role: string | null }, select: SelectSpec, request: ExtractionRequest, limits: InlineLimits, gzipLevel: number, clientGone: AbortSignal,
): Promise<InlineOutcome> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const stop = AbortSignal.any([deadline, clientGone]);
  const seen: Seen = { rows: 0, bytes: 0 };
  const held = holdAnswer(request.compression, gzipLevel);
  let session: ReadSession | undefined;
  let copy: Readable | undefined;
  const halt = () => {
    session?.close(stop.reason);
    copy?.destroy(stop.reason);
  };
  stop.addEventListener('abort', halt, { once: true });
  try {
    session = await openUnlessStopped(source.pool, { timeZone: request.timeZone, statementTimeoutMs: limits.timeoutMs, role: source.role }, stop);
    const { copy: stream, rows, rowCount } = await copyOutput(session, select, request.format);
    copy = stream;
    let header = request.format === 'csv';
    for await (const chunk of rows) {
      seen.rows += chunk.rows - (header ? 1 : 0);
      header = false;
      seen.bytes += chunk.data.length;
      const rule = overrun(seen, limits);
      if (rule) {
        session.close(new Error(`inline answer stopped: ${rule}`));
        copy.destroy();
        held.discard();
        return { kind: 'overrun', rule, seen };
      }
      await held.add(chunk.data, chunk.release);
    }
    await session.commit();
    if (seen.rows !== rowCount()) throw new Error(`counted ${seen.rows} rows but COPY reported ${rowCount()}`);
    return { kind: 'answer', body: await held.end(), seen };
  } catch (err) {
    session?.close(err as Error);
    held.discard();
    if (clientGone.aborted) return { kind: 'abandoned' };
    if (deadline.aborted || (err as { code?: unknown }).code === QUERY_CANCELED) return { kind: 'overrun', rule: 'inline_timeout', seen };
    const error = classifyError(err as ErrorLike);
    if (error.code === 'internal_error') throw err; // not the source's: a 500, logged
    return { kind: 'failed', error };
  } finally {
    stop.removeEventListener('abort', halt);
  }
}

// The pool may have no free connection; the deadline bounds that wait too. A session that arrives after the
// stop goes straight back to the pool.
async function openUnlessStopped(pool: Pool, settings: SessionSettings, stop: AbortSignal): Promise<ReadSession> {
  stop.throwIfAborted();
  const opening = ReadSession.open(pool, settings);
  const stopped = new Promise<never>((_, reject) => stop.addEventListener('abort', () => reject(stop.reason), { once: true }));
  try {
    return await Promise.race([opening, stopped]);
  } catch (err) {
    opening.then((late) => late.close(new Error('inline answer stopped')), () => undefined);
    throw err;
  }
}
