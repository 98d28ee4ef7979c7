#!/usr/bin/env node
// Runs vitest and ends with one line CI can read: `N passed, N failed` (CI does not parse vitest's
// own summary). Extra arguments go to vitest. Exits with vitest's exit code.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportFile = path.join(root, '.vitest.json');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');

rmSync(reportFile, { force: true }); // a report from an earlier run must not count for this one

const env = { ...process.env };
if (env.CI) env.NO_COLOR = '1';

const child = spawn(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile=${reportFile}`, ...process.argv.slice(2)],
  { cwd: root, env, stdio: 'inherit' },
);

// Let vitest handle Ctrl-C and CI cancellation itself; we only report afterwards.
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);

child.on('error', (error) => {
  console.error(`could not start vitest: ${error.message}`);
  finish(1);
});
child.on('exit', (code, signal) => finish(code ?? (signal ? 1 : 0)));

let finished = false;
function finish(vitestExitCode) {
  if (finished) return;
  finished = true;
  // No report means vitest crashed before writing it, which counts as one failure.
  let passed = 0;
  let failed = 1;
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    if (Number.isInteger(report.numPassedTests) && Number.isInteger(report.numFailedTests)) {
      passed = report.numPassedTests;
      // A suite that fails outside its tests (a hook timing out, a file that does not load) fails
      // no test, yet the run failed: count each such suite as one failure.
      const brokenSuites = Number.isInteger(report.numFailedTestSuites) ? report.numFailedTestSuites : 0;
      failed = report.numFailedTests > 0 ? report.numFailedTests : brokenSuites;
      if (failed === 0 && vitestExitCode !== 0) failed = 1;
    }
  } catch {
    // keep the crash counts
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = vitestExitCode !== 0 ? vitestExitCode : failed > 0 ? 1 : 0;
}
