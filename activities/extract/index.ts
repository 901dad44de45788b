import type { ExtractDeps } from './deps';
import { deleteJobFiles, writeManifest } from './files';
import { extractPart, extractStream } from './old-activity-types';
import { planExtraction } from './plan';
import { extractRun } from './run';
import { SpecCache } from './spec';

export type { ExtractDeps } from './deps';
export type { ExtractHeartbeat } from './extract-parts';
export type { DeleteFilesInput, ManifestInput } from './files';
export type { PlanInput } from './plan';
export type { RunInput } from './run';
export type { PartHeartbeat } from './heartbeat';

export const createExtractActivities = (deps: ExtractDeps) => {
  const specs = new SpecCache(deps.plans);
  const run = extractRun(deps, specs);
  return {
    planExtraction: planExtraction(deps, specs),
    extractRun: run,
    extractPart: extractPart(run),
    extractStream: extractStream(run),
    writeManifest: writeManifest(deps, specs),
    deleteJobFiles: deleteJobFiles(deps),
  };
};

export type ExtractActivities = ReturnType<typeof createExtractActivities>;
