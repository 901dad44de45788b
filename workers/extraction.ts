// Entry script: the extraction worker process.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from './config';
import { createExtractionWorker } from './extraction-worker';
import { createRuntime } from './runtime';

async function main() {
  const rt = await createRuntime(loadConfig());
  const connection = await NativeConnection.connect({ address: rt.config.TEMPORAL_ADDRESS });
  const { run, pools } = await createExtractionWorker(rt, connection);
  rt.log.info({ taskQueue: rt.config.SLUICE_TASK_QUEUE }, 'extraction worker running');
  await run();
  await pools.end();
  await connection.close();
  await rt.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
