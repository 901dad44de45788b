// Checks a request against the source's catalog before a job is made, so a wrong table, column, time zone
// or query syntax is a 400 naming the field instead of a failed job. A source that cannot be reached is not
// the request's fault: the job is accepted and retries.
import type { SourcePools } from '../connectors/postgres/pools';
import { requireDistinctNames, resolveQuery, resolveTable } from '../connectors/postgres/catalog';
import { ReadSession } from '../connectors/postgres/read-session';
import { classifyError } from '../domain/errors';
import type { ExtractionRequest } from '../domain/extraction-request';
import { badRequest } from './problem';

const REQUEST_FAULTS = /^(42|22|25|0A)/; // syntax/undefined objects, bad values, read-only violations, unsupported (a writing WITH)

export async function checkAgainstSource(pools: SourcePools, sourceUrl: string, request: ExtractionRequest): Promise<void> {
  let session: ReadSession;
  try {
    session = await ReadSession.open(pools.get(sourceUrl), { timeZone: request.timeZone, statementTimeoutMs: 5000 });
  } catch (err) {
    if ((err as { code?: string }).code === '22023') throw badRequest('timeZone', (err as Error).message, 'use an IANA time zone name such as "UTC" or "Europe/Paris"');
    return;
  }
  try {
    if (request.query) {
      const { columns } = await resolveQuery(session.client, request.query);
      if (request.format === 'parquet') requireDistinctNames(columns);
    } else {
      await resolveTable(session.client, request);
    }
    await session.commit();
  } catch (err) {
    session.close(err as Error);
    const e = err as { code?: unknown; message: string; hint?: string; field?: string };
    if (typeof e.code === 'string' && REQUEST_FAULTS.test(e.code)) {
      throw badRequest(e.field ?? (request.query ? 'query' : 'table'), e.message, e.hint ?? classifyError(e).suggestion);
    }
  }
}
