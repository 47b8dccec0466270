// The caller attacked by test/runtimes/hostile-freeze.test.ts: a Node process with a secret in its
// argv (argv[3], e.g. --api-key=...) that starts programs in a hostile container whose init stops
// every other process in it, again and again. Prints one JSON line: how each start settled, and
// how long Node's event loop was ever held up.
//   node --import tsx freeze-caller.ts CONTAINER_PID N SECRET
import { execFile, spawn, spawnSync } from '../../../lib/index.js';

const [pidArg, nArg] = process.argv.slice(2);
const target = Number(pidArg);
const n = Number(nArg);
const TIMEOUT = 1000;
const CONCURRENCY = 10;

// Event-loop lag: the largest gap between 5 ms ticks, less the 5 ms.
let maxLag = 0;
let last = performance.now();
const tick = setInterval(() => {
  const now = performance.now();
  maxLag = Math.max(maxLag, now - last - 5);
  last = now;
}, 5);

// One start: resolves with how long it took to settle (exit, failure, or kill on timeout).
function once(i: number): Promise<number> {
  const started = performance.now();
  const opts = { timeout: TIMEOUT, killSignal: 'SIGKILL' as const, env: { PATH: '/bin' } };
  if (i % 2 === 0) {
    return execFile(target, 'true', [], opts).then(
      () => performance.now() - started,
      () => performance.now() - started,
    );
  }
  return new Promise((resolve) => {
    const c = spawn(target, 'true', [], { ...opts, stdio: 'ignore' });
    c.on('error', () => {
      /* a start failure settles at 'close' too */
    });
    c.on('close', () => resolve(performance.now() - started));
  });
}

const settle: number[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) settle.push(await once(next++));
  }),
);
clearInterval(tick);
// spawnSync may block the loop by design; it must still come back on its timeout.
const syncSettle: number[] = [];
for (let i = 0; i < 10; i++) {
  const started = performance.now();
  spawnSync(target, 'true', [], { timeout: 500, killSignal: 'SIGKILL', env: { PATH: '/bin' } });
  syncSettle.push(performance.now() - started);
}
console.log(
  JSON.stringify({ settled: settle.length, maxSettleMs: Math.max(...settle), maxLagMs: maxLag, maxSyncMs: Math.max(...syncSettle) }),
);
