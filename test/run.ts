// `npm test`: gets the binaries the stack needs and the browser the dashboard's tests drive (with visible progress,
// outside Jest's timeouts), runs every Jest project, and ends with one line "N passed, N failed" for CI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, ensureChromium } from '../dev/binaries';

async function main(): Promise<number> {
  await ensureBinaries();
  await ensureChromium();
  const report = join(mkdtempSync(join(tmpdir(), 'sluice-jest-')), 'report.json');
  // --forceExit: a test that fails midway can leave a connection open, and Jest would then wait on it for ever
  // after writing its report (it still names what it waited on).
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--json', '--forceExit', `--outputFile=${report}`, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let passed = 0;
  let failed = 0;
  try {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed = result.numPassedTests;
    failed = result.numFailedTests + result.numRuntimeErrorTestSuites;
  } catch {
    failed = 1; // Jest died before writing its report
  }
  console.log(`${passed} passed, ${failed} failed`);
  return jest.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
