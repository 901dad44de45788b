// A worker process for tests that kill it: as workers/extraction.ts, but with the workflow bundle the test run
// built once (a worker bundling its own takes seconds of CPU at every start).
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../workers/config';
import { createExtractionWorker } from '../../workers/extraction-worker';
import { createRuntime } from '../../workers/runtime';

async function main() {
  const rt = await createRuntime(loadConfig());
  const connection = await NativeConnection.connect({ address: rt.config.TEMPORAL_ADDRESS });
  const { run } = await createExtractionWorker(rt, connection, { workflowBundle: { codePath: process.env.SLUICE_TEST_WORKFLOW_BUNDLE! } });
  await run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
