import type { ExtractionInput } from '../../domain/extraction-job';
import { chooseSplit, partCount, type ExtractionPlan } from '../../domain/plan';
import { estimate, requireDistinctNames, resolveQuery, resolveTable } from '../../connectors/postgres/catalog';
import { ReadSession } from '../../connectors/postgres/read-session';
import { sourcePool, type ExtractDeps } from './deps';
import { toActivityFailure } from './failure';

export const planExtraction = (deps: ExtractDeps) => async (input: ExtractionInput): Promise<ExtractionPlan> => {
  const { request, options } = input;
  try {
    const pool = await sourcePool(deps, input.tenantId, request.source);
    const session = await ReadSession.open(pool, { timeZone: request.timeZone, statementTimeoutMs: deps.statementTimeoutMs });
    try {
      let plan: ExtractionPlan;
      if (request.query) {
        const select = await resolveQuery(session.client, request.query);
        if (request.format === 'parquet') requireDistinctNames(select.columns);
        const est = await estimate(session, select);
        plan = { select, strategy: 'single-stream', ranges: [{}], estimatedRows: est.rows, estimatedBytes: est.bytes };
      } else {
        const facts = await resolveTable(session.client, request);
        const est = await estimate(session, facts.spec);
        const split = chooseSplit(
          { relkind: facts.relkind, splitColumn: facts.spec.splitColumn?.name, keyBounds: facts.keyBounds, pages: facts.pages, orderBy: facts.spec.orderBy },
          partCount(est.rows, options.partRows, options.maxParts),
        );
        plan = { select: facts.spec, ...split, estimatedRows: est.rows, estimatedBytes: est.bytes };
      }
      await session.commit();
      return plan;
    } catch (err) {
      session.close(err as Error);
      throw err;
    }
  } catch (err) {
    throw toActivityFailure(err);
  }
};
