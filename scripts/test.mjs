// `npm test`: the whole suite. Installs missing system packages, runs the vitest suite (unit
// tests beside the code, integration tests in tests/), then the Playwright browser tests,
// and ends with one line counting both: `tests: N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

import { ensureSystemDeps } from './system-deps.mjs';

const RESULTS = 'test-results';

function run(command, args) {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  return result.status ?? 1;
}

function readJson(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

function vitestCounts() {
  const report = readJson(`${RESULTS}/vitest.json`);
  if (!report) return { passed: 0, failed: 1, skipped: 0 };
  const skipped = report.numPendingTests + report.numTodoTests;
  return { passed: report.numPassedTests, failed: report.numFailedTests, skipped };
}

function playwrightCounts() {
  const report = readJson(`${RESULTS}/playwright.json`);
  if (!report) return { passed: 0, failed: 1, skipped: 0 };
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats ?? {};
  return { passed: expected + flaky, failed: unexpected, skipped };
}

ensureSystemDeps();
mkdirSync(RESULTS, { recursive: true });

const vitestStatus = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${RESULTS}/vitest.json`,
]);
const playwrightStatus = run('npx', ['playwright', 'test']);

const counts = [vitestCounts(), playwrightCounts()].reduce((sum, part) => ({
  passed: sum.passed + part.passed,
  failed: sum.failed + part.failed,
  skipped: sum.skipped + part.skipped,
}));
const failed = vitestStatus !== 0 || playwrightStatus !== 0 ? Math.max(counts.failed, 1) : 0;
console.log(`tests: ${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
