// Prints the plain `N passed, N failed` line CI counts, from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no test report at ${file}: the test run did not finish`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// A suite that fails to load has no test results; count it as a failure so it is never silent.
const brokenSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
const failed = (r.numFailedTests ?? 0) + brokenSuites;
console.log(`${r.numPassedTests ?? 0} passed, ${failed} failed`);
process.exit(failed === 0 && r.success !== false ? 0 : 1);
