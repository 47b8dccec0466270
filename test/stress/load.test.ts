// Load: 10,000 sequential and 1,000 concurrent programs in one target, every status and every
// output checked; afterwards no zombie, no extra child, the same fd count, a JS heap and a native
// RSS that stop growing (the figures are printed for the README).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, spawnSync } from '../../lib/index.js';
import { startTarget, type Target } from '../helpers/target.js';
import { fdCount, ourChildren, rssKiB, stateOf } from './helpers/run.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/** V8's heap in use plus memory held for JavaScript objects outside it (Buffers), in KiB. */
const jsKiB = () => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 1024;
};
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
};

const SEQUENTIAL = Number(process.env.NSJOIN_LOAD_SEQUENTIAL ?? 10_000);
const CONCURRENT = Number(process.env.NSJOIN_LOAD_CONCURRENT ?? 1_000);

let t: Target;
let before: number[] = [];
test.before(async () => {
  before = ourChildren(); // tsx's esbuild service
  t = await startTarget({ ns: ['uts', 'net', 'ipc', 'pid', 'mnt', 'cgroup'], setup: 'hostname loaded' });
});
test.after(() => t?.kill());

const strays = () => ourChildren().filter((p) => p !== t.outerPid && !before.includes(p));

function run(i: number): Promise<{ code: number | null; out: string }> {
  const c = spawn(t.pid, '/bin/sh', ['-c', `echo $(hostname) ${i}; exit ${i % 256}`], { env: {}, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  c.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  return new Promise((resolve, reject) => {
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, out }));
  });
}

test(`${SEQUENTIAL} sequential runs: every status and output right; fds and RSS stable; no zombie`, async () => {
  for (let i = 0; i < 200; i++) await run(i); // warm-up: lazily opened fds, JIT, pools
  await settle();
  const fds0 = fdCount(),
    rss0 = rssKiB();
  let rssHalf = 0,
    heapHalf = 0;
  const started = Date.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const r = await run(i);
    if (r.code !== i % 256 || r.out !== `loaded ${i}\n`) assert.unreachable(`run ${i}: status ${r.code}, output ${JSON.stringify(r.out)}`);
    if (i === SEQUENTIAL / 2 - 1) {
      await settle();
      rssHalf = rssKiB();
      heapHalf = process.memoryUsage().heapUsed;
    }
  }
  const ms = Date.now() - started;
  await settle();
  const fds1 = fdCount(),
    rss1 = rssKiB(),
    heap1 = process.memoryUsage().heapUsed;
  console.log(
    `# load: ${SEQUENTIAL} sequential in ${(ms / 1000).toFixed(1)} s (${(ms / SEQUENTIAL).toFixed(2)} ms each); fds ${fds0} -> ${fds1}; RSS ${(rss0 / 1024).toFixed(1)} -> ${(rssHalf / 1024).toFixed(1)} (half) -> ${(rss1 / 1024).toFixed(1)} MiB; JS heap after GC ${(heapHalf / 2 ** 20).toFixed(1)} -> ${(heap1 / 2 ** 20).toFixed(1)} MiB`,
  );
  assert.equal(strays(), []);
  assert.is(fds1, fds0);
  // RSS with pipes is Node's own business: node:child_process.spawn with a stdout pipe, 2 x 2,500
  // runs, grows 52 -> 65 -> 73 MiB on Node 20 and 56 -> 77 -> 79 MiB on Node 24 (allocator and
  // net.Socket pools, not retained objects), so it is printed, not bounded. What nsjoin could leak
  // here is JavaScript (a retained child, stream or listener per run: 5,000 of them are MiBs) or
  // native memory, which the next test bounds tightly without pipes.
  assert.ok(heap1 - heapHalf < 1024 * 1024, `the JS heap grew by ${heap1 - heapHalf} bytes over the second ${SEQUENTIAL / 2} runs`);
});

test('the native path alone (no pipes): memory flat over 2 x 2,500 runs', async () => {
  const once = (i: number) =>
    new Promise<number | null>((resolve) => {
      const c = spawn(t.pid, '/bin/sh', ['-c', `exit ${i % 256}`], { env: {}, stdio: 'ignore' });
      c.on('exit', (code) => resolve(code));
    });
  for (let i = 0; i < 500; i++) await once(i);
  await settle();
  const rss = [rssKiB()];
  const js = [jsKiB()];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 2500; i++) {
      const code = await once(i);
      if (code !== i % 256) assert.unreachable(`run ${i}: status ${code}`);
    }
    await settle();
    rss.push(rssKiB());
    js.push(jsKiB());
  }
  console.log(
    `# load: native path RSS ${rss.map((k) => (k / 1024).toFixed(1)).join(' -> ')} MiB, JS heap + external ${js.map((k) => (k / 1024).toFixed(1)).join(' -> ')} MiB over 2 x 2,500 runs`,
  );
  assert.ok(js[2]! - js[1]! < 512, `the JS heap and external memory grew by ${js[2]! - js[1]!} KiB over 2,500 runs`);
  // On Node 22 and 24 the RSS of this same loop swings by tens of MiB between rounds, up and down
  // (measured over 14 rounds of 2,000 on Node 24: 105 -> 119 -> 91 -> 118 -> 142 MiB) while the JS
  // heap and external memory stay flat: the process's allocator, not memory we keep. Node 20 holds
  // still enough for a tight bound, which catches native memory kept per spawn.
  if (NODE_MAJOR <= 20) assert.ok(rss[2]! - rss[1]! < 2 * 1024, `RSS grew by ${rss[2]! - rss[1]!} KiB over 2,500 runs`);
  assert.equal(strays(), []);
});

test(`${CONCURRENT} concurrent runs (execFile) and spawnSync between them: every output right; no zombie; same fds`, async () => {
  await settle();
  const fds0 = fdCount(),
    rss0 = rssKiB();
  const started = Date.now();
  let peakFds = 0;
  const runs = Array.from({ length: CONCURRENT }, (_, i) => {
    const p = execFile(t.pid, '/bin/sh', ['-c', `echo $(hostname) ${i}; echo err ${i} >&2; exit 0`], { env: {} });
    if (i % 100 === 0) peakFds = Math.max(peakFds, fdCount());
    return p;
  });
  // spawnSync blocks the loop while the concurrent ones run: their exits must still all arrive.
  const sync = spawnSync(t.pid, '/bin/sh', ['-c', 'echo $(hostname) sync; exit 7'], { env: {}, encoding: 'utf8' });
  assert.is(sync.status, 7);
  assert.is(sync.stdout, 'loaded sync\n');
  const outs = await Promise.all(runs);
  const ms = Date.now() - started;
  outs.forEach((o, i) => {
    if (o.stdout !== `loaded ${i}\n` || o.stderr !== `err ${i}\n`) assert.unreachable(`run ${i}: ${JSON.stringify(o)}`);
  });
  await settle();
  const fds1 = fdCount(),
    rss1 = rssKiB();
  console.log(
    `# load: ${CONCURRENT} concurrent in ${(ms / 1000).toFixed(1)} s; fds ${fds0} -> peak ${peakFds} -> ${fds1}; RSS ${(rss0 / 1024).toFixed(1)} -> ${(rss1 / 1024).toFixed(1)} MiB`,
  );
  const left = strays();
  assert.equal(
    left.map((p) => `${p}:${stateOf(p)}`),
    [],
  );
  assert.is(fds1, fds0);
});

test.run();
