import type { ExtractionOptions } from '../../domain/extraction-job';
import type { ExtractionRequest } from '../../domain/extraction-request';
import { chooseSplit, partCount, type PlannedExtraction, type ReadSpec } from '../../domain/plan';
import { estimate, requireDistinctNames, resolveQuery, resolveTable } from '../../connectors/postgres/catalog';
import type { ReadSession } from '../../connectors/postgres/read-session';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import { explainLockTimeout, openSession } from './read';
import type { SpecCache } from './spec';

export interface PlanInput {
  jobId: string;
  tenantId: string;
  run: number;
  request: ExtractionRequest;
  options: ExtractionOptions;
}

// Resolves the request against the source's catalog, estimates it and splits it; saves what the run reads
// (the read spec) for its parts, and returns the split.
export const planExtraction = (deps: ExtractDeps, specs: SpecCache) => async (input: PlanInput): Promise<PlannedExtraction> => {
  const { request, options } = input;
  let session: ReadSession | undefined;
  try {
    session = await openSession(deps, input.tenantId, request, !!request.query);
    session.watchWaits(deps.waitPollMs ?? 2000);
    let spec: ReadSpec;
    let planned: Omit<PlannedExtraction, 'columns'>;
    const read = { source: request.source, format: request.format, compression: request.compression, timeZone: request.timeZone };
    if (request.query) {
      const select = await resolveQuery(session.client, request.query);
      if (request.format === 'parquet') requireDistinctNames(select.columns);
      const est = await estimate(session, select);
      spec = { ...read, select, strategy: 'single-stream' };
      planned = { strategy: 'single-stream', ranges: [{}], estimatedRows: est.rows, estimatedBytes: est.bytes };
    } else {
      const facts = await resolveTable(session.client, request);
      const est = await estimate(session, facts.spec);
      const split = chooseSplit(
        { relkind: facts.relkind, splitColumn: facts.spec.splitColumn?.name, keyBounds: facts.keyBounds, pages: facts.pages, orderBy: facts.spec.orderBy },
        partCount(est.rows, options.partRows, options.maxParts, options.parallelism),
      );
      spec = { ...read, select: facts.spec, strategy: split.strategy };
      planned = { ...split, estimatedRows: est.rows, estimatedBytes: est.bytes };
    }
    await session.commit();
    await specs.save(input.jobId, input.run, spec);
    return { ...planned, columns: spec.select.columns };
  } catch (err) {
    session?.close(err as Error);
    throw toActivityFailure(explainLockTimeout(session?.explainDenied(err) ?? err, deps, session, request.table ?? null));
  }
};
