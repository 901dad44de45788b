import type { ExtractDeps } from './deps';
import { deleteJobFiles, writeManifest } from './files';
import { extractPart } from './part';
import { planExtraction } from './plan';
import { extractStream } from './stream';

export type { ExtractDeps } from './deps';

export const createExtractActivities = (deps: ExtractDeps) => ({
  planExtraction: planExtraction(deps),
  extractPart: extractPart(deps),
  extractStream: extractStream(deps),
  writeManifest: writeManifest(deps),
  deleteJobFiles: deleteJobFiles(deps),
});

export type ExtractActivities = ReturnType<typeof createExtractActivities>;
