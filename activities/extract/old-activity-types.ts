// The activity types workflows started before patch 'one-extract-activity' call (workflows/extraction-job.ts),
// over extractRun. They stay registered while such executions may be open, and go with
// deprecatePatch('one-extract-activity').
import type { PartResult } from '../../domain/extraction-job';
import type { PartRange } from '../../domain/plan';
import type { RunRef } from './read';
import type { RunInput } from './run';

type Run = (input: RunInput) => Promise<PartResult[]>;

export interface PartInput extends RunRef {
  index: number;
  range: PartRange;
}

export interface StreamInput extends RunRef {
  partRows: number;
}

export const extractPart = (run: Run) => async ({ index, ...rest }: PartInput): Promise<PartResult> =>
  (await run({ ...rest, firstIndex: index }))[0];

export const extractStream = (run: Run) => (input: StreamInput): Promise<PartResult[]> => run({ ...input, firstIndex: 0 });
