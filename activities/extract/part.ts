// Extracts one part: COPY of one key or block range, encoded, compressed and uploaded as one file: a stream with
// one part (extract-parts.ts).
import { Context } from '@temporalio/activity';
import type { PartResult } from '../../domain/extraction-job';
import type { PartRange } from '../../domain/plan';
import type { ExtractDeps } from './deps';
import { extractParts } from './extract-parts';
import type { SpecCache } from './spec';

export interface PartInput {
  jobId: string;
  tenantId: string;
  run: number;
  index: number;
  range: PartRange;
}

export const extractPart = (deps: ExtractDeps, specs: SpecCache) => async (input: PartInput): Promise<PartResult> => {
  const { index, range, ...ref } = input;
  const [part] = await extractParts(deps, specs, Context.current(), { ...ref, firstIndex: index, range, partRows: Infinity });
  return part;
};
