import type { ExtractDeps } from './deps';
import { deleteJobFiles, writeManifest } from './files';
import { extractPart } from './part';
import { planExtraction } from './plan';
import { SpecCache } from './spec';
import { extractStream } from './stream';

export type { ExtractDeps } from './deps';
export type { DeleteFilesInput, ManifestInput } from './files';
export type { PartInput } from './part';
export type { PlanInput } from './plan';
export type { StreamHeartbeat, StreamInput } from './stream';
export type { PartHeartbeat } from './heartbeat';

export const createExtractActivities = (deps: ExtractDeps) => {
  const specs = new SpecCache(deps.plans);
  return {
    planExtraction: planExtraction(deps, specs),
    extractPart: extractPart(deps, specs),
    extractStream: extractStream(deps, specs),
    writeManifest: writeManifest(deps, specs),
    deleteJobFiles: deleteJobFiles(deps),
  };
};

export type ExtractActivities = ReturnType<typeof createExtractActivities>;
