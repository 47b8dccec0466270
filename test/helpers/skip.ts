// One way to not run a test: uvu's test.skip, which uvu and scripts/run-tests.mjs count as Skipped,
// with the reason printed. Returning early from a test body instead would count a pass.
import { test as uvuTest, type Test } from 'uvu';

/**
 * Registers `name` as a test when `why` is empty; otherwise as a counted skip with `why` printed.
 * `ciInstalls`: CI (CI=true) installs or sets up what the test needs, so there a missing
 * prerequisite is a failure, not a skip.
 */
export function testIf(why: string, name: string, fn: () => void | Promise<void>, opts: { ciInstalls?: boolean; suite?: Test } = {}): void {
  const t = opts.suite ?? uvuTest;
  if (!why) {
    t(name, fn);
    return;
  }
  if (opts.ciInstalls && process.env.CI === 'true') {
    t(name, () => {
      throw new Error(`CI installs what this test needs, but: ${why}`);
    });
    return;
  }
  console.log(`SKIP ${name}: ${why}`);
  t.skip(name, fn);
}
