// Starts one stack (PostgreSQL, Temporal, MinIO on free ports) and bundles the workflows once for every test
// file of the `stack` project. Test files read both from the environment.
import { bundleWorkflowCode } from '@temporalio/worker';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../dev/stack';

declare global {
  var sluiceTestStack: { stack: Stack; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root and must reach its data dir
  const stack = await startStack(dir, undefined, (l) => console.error(`[stack] ${l}`));
  globalThis.sluiceTestStack = { stack, dir };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.env.SLUICE_TEST_STACK = JSON.stringify(stack.info);
  process.env.SLUICE_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.SLUICE_TEST_DIR = dir;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };
