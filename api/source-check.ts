// Checks a request against the source's catalog before anything runs, so a wrong table, column, time zone
// or query syntax is a 400 naming the field instead of a failed job, and estimates its answer with EXPLAIN.
// A source that cannot be reached is not the request's fault: the answer is null, and a job (which retries)
// can still be made.
import type { SourcePools } from '../connectors/postgres/pools';
import { estimate, requireDistinctNames, resolveQuery, resolveTable } from '../connectors/postgres/catalog';
import { ReadSession } from '../connectors/postgres/read-session';
import { classifyError } from '../domain/errors';
import type { ExtractionRequest } from '../domain/extraction-request';
import { answerBytes, type SizeEstimate } from '../domain/inline-decision';
import type { SelectSpec } from '../domain/plan';
import type { SourceAccess } from '../store/connections';
import { badRequest } from './problem';

const REQUEST_FAULTS = /^(42|22|25|0A|54)/; // syntax/undefined objects, bad values, read-only violations, unsupported (a writing WITH), program limits

export interface SourceFacts {
  select: SelectSpec;
  estimate: SizeEstimate;
}

// A query runs as the connection's queryRole (when it has one); a table is resolved as the login role.
export async function checkAgainstSource(pools: SourcePools, source: SourceAccess, request: ExtractionRequest): Promise<SourceFacts | null> {
  let session: ReadSession;
  try {
    const role = request.query ? source.queryRole : null;
    session = await ReadSession.open(pools.get(source.url), { timeZone: request.timeZone, statementTimeoutMs: 5000, role });
  } catch (err) {
    const e = err as { code?: string; message: string; hint?: string; field?: string };
    if (e.code === '22023') throw badRequest('timeZone', e.message, 'use an IANA time zone name such as "UTC" or "Europe/Paris"');
    if (e.field) throw badRequest(e.field, e.message, e.hint); // the source's queryRole cannot be used
    return null;
  }
  try {
    const select = request.query ? await resolveQuery(session.client, request.query) : (await resolveTable(session.client, request)).spec;
    if (request.format === 'parquet') requireDistinctNames(select.columns);
    const planned = await estimate(session, select);
    await session.commit();
    const bytes = answerBytes(planned, select.columns.map((c) => c.name), request.format);
    return { select, estimate: { rows: planned.rows, bytes, cost: planned.cost } };
  } catch (err) {
    session.close(err as Error);
    const e = session.explainDenied(err) as { code?: unknown; message: string; hint?: string; field?: string };
    if (typeof e.code === 'string' && REQUEST_FAULTS.test(e.code)) {
      throw badRequest(e.field ?? (request.query ? 'query' : 'table'), e.message, e.hint ?? classifyError(e).suggestion);
    }
    return null;
  }
}
