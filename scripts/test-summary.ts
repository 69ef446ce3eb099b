// Prints the plain closing line CI counts — `N passed, N failed` — from vitest's JSON report,
// and exits non-zero when any test failed, the report is missing, or an earlier step failed.
import { existsSync, readFileSync } from 'node:fs';

type Report = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  numTodoTests?: number;
  numFailedTestSuites?: number;
  success?: boolean;
};

const [file, priorStatus = '0'] = process.argv.slice(2);
if (!file || !existsSync(file)) {
  console.error(
    `test-summary: no vitest JSON report at ${file ?? '(none given)'}; the test run did not finish`,
  );
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
const failed = report.numFailedTests + (report.numFailedTestSuites && !report.numFailedTests ? 1 : 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const ok = failed === 0 && priorStatus === '0';
if (priorStatus !== '0' && failed === 0)
  console.error('test-summary: an earlier step (build, lint, typecheck, publint) failed');
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
