// spawnSync when poll() itself fails. The program lowers Node's RLIMIT_NOFILE below the number of
// fds spawnSync polls (poll fails with EINVAL from then on), then writes, which wakes the wait. It
// used to ask poll again at once, for ever, at full CPU: spawnSync never returned. Now the program
// is killed and the failure is the result's error. In a Node process of its own (its limit is
// lowered), from the built package (npm test builds).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

test('poll failing inside spawnSync: the program is killed and the result carries the errno (no endless loop)', () => {
  assert.ok(existsSync(DIST), `${DIST} is missing: run npm run build first`);
  // The program's parent is Node (CLONE_PARENT): $PPID is the pid whose limit it lowers. It then
  // sleeps: only the kill ends it within the timeout below.
  const script = `import { spawnSync } from ${JSON.stringify(DIST)};
    const r = spawnSync(process.pid, 'sh', ['-c', 'prlimit --pid $PPID --nofile=2: && echo lowered && exec sleep 30'], { encoding: 'utf8' });
    console.log(JSON.stringify({ code: r.error?.code, syscall: r.error?.syscall, signal: r.signal, stdout: r.stdout, status: r.status, stderr: r.stderr }));`;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.signal, null, `the Node process was killed after ${Date.now() - t0} ms (it hung): ${r.stderr}`);
  assert.is(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(got, { code: 'EINVAL', syscall: 'poll', signal: 'SIGKILL', stdout: 'lowered\n', status: null, stderr: '' });
  assert.ok(Date.now() - t0 < 15_000, 'returned long before the program would have ended (sleep 30)');
});

test.run();
