// `npm run build`, after tsc has compiled the code into dist/ (tsconfig.build.json): bundles the workflows once,
// here, into dist/workflow-bundle.js, which the compiled worker loads (SLUICE_WORKFLOW_BUNDLE) instead of running
// webpack at every start; and copies the files the compiled code reads at run time to where it looks for them
// (beside itself, as the sources do): the migrations (store/migrate.ts) and the dashboard (api/dashboard.ts).
// The bundle is made from the TypeScript sources, as the tests make theirs.
import { bundleWorkflowCode } from '@temporalio/worker';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const dist = join(root, 'dist');

async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  writeFileSync(join(dist, 'workflow-bundle.js'), code);
  cpSync(join(root, 'store', 'migrations'), join(dist, 'store', 'migrations'), { recursive: true });
  cpSync(join(root, 'ui'), join(dist, 'ui'), { recursive: true, filter: (file) => !file.endsWith('.d.ts') });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
