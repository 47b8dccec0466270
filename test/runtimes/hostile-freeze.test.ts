// Issue 22, item 6: a hostile container (root inside, docker's defaults) cannot freeze Node or read
// Node's argv through the programs nsjoin starts in it. Its init runs
//   while :; do kill -STOP -1; grep -q SECRET /proc/[0-9]*/cmdline && echo read > /hits; done
// so every other process in its pid namespace, ours included, is stopped as soon as it appears and
// never continued, and every command line is read while it is stopped. A separate Node process
// (test/runtimes/scripts/freeze-caller.ts, the secret in its argv) starts 200 programs there with
// 1 s timeouts. Before the trampoline, a program stopped between clone and execve held Node's
// thread in the vfork wait (Node hung, timeouts never fired) and showed Node's own argv.
import { spawn as nodeSpawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDocker, withRuntime } from '../helpers/runtimes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SPAWNS = 200;
// What the caller must finish within: 200 starts, 10 at a time, each settled by its 1 s timeout
// at worst, plus 10 spawnSync of 500 ms; far above that means Node was held.
const DEADLINE_MS = 90_000;
// Slack over the 1 s timeout for a start to settle, on a shared 2-core machine.
const SETTLE_SLACK_MS = 2500;
// Event-loop lag bound: measured 4-40 ms here with the trampoline (spawn's own synchronous part
// under load); main's code held the loop until the caller was killed.
const MAX_LAG_MS = 500;

withRuntime('docker', 'a kill -STOP -1 loop in the container neither freezes Node nor reads its argv', async () => {
  const secret = randomBytes(8).toString('hex');
  // The pattern [${secret[0]}] matches the secret but not this command line itself.
  const pattern = `nsjoin-secret-[${secret[0]}]${secret.slice(1)}`;
  const c = startDocker({
    cmd: [
      'sh',
      '-c',
      `: > /hits; while :; do kill -STOP -1; if grep -q -a '${pattern}' /proc/[0-9]*/cmdline 2>/dev/null; then echo read > /hits; fi; done`,
    ],
  });
  try {
    const caller = nodeSpawn(
      process.execPath,
      ['--import', 'tsx', 'test/runtimes/scripts/freeze-caller.ts', String(c.pid), String(SPAWNS), `--api-key=nsjoin-secret-${secret}`],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    caller.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const timer = setTimeout(() => caller.kill('SIGKILL'), DEADLINE_MS);
    // 'exit', not 'close': a program frozen before its execve keeps the caller's stdout open.
    const [code, sig] = await new Promise<[number | null, string | null]>((r) => caller.on('exit', (a, b) => r([a, b])));
    clearTimeout(timer);
    await new Promise((r) => {
      caller.stdout!.once('end', r);
      setTimeout(r, 2000);
    });
    const hits = readFileSync(`/proc/${c.pid}/root/hits`, 'utf8');
    assert.is(hits, '', "the container never read the caller's argv");
    assert.equal([code, sig], [0, null], `the caller finished within ${DEADLINE_MS} ms (else it was frozen)`);
    const r = JSON.parse(out) as { settled: number; maxSettleMs: number; maxLagMs: number; maxSyncMs: number };
    console.log(
      `  settled ${r.settled}, slowest ${r.maxSettleMs.toFixed(0)} ms; event-loop lag max ${r.maxLagMs.toFixed(0)} ms; spawnSync slowest ${r.maxSyncMs.toFixed(0)} ms`,
    );
    assert.is(r.settled, SPAWNS);
    assert.ok(r.maxSettleMs < 1000 + SETTLE_SLACK_MS, `every start settled by its timeout (slowest ${r.maxSettleMs} ms)`);
    assert.ok(r.maxSyncMs < 500 + SETTLE_SLACK_MS, `spawnSync came back on its timeout (slowest ${r.maxSyncMs} ms)`);
    assert.ok(r.maxLagMs < MAX_LAG_MS, `the event loop was never held (max lag ${r.maxLagMs} ms)`);
  } finally {
    c.remove();
  }
});

test.run();
