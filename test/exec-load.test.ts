// Many runs: every status right, no zombie, no fd left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from '../lib/index.js';
import { startTarget, type Target } from './helpers/target.js';

let t: Target;
test.before(async () => { t = await startTarget({ ns: ['uts', 'net', 'ipc', 'pid', 'mnt', 'cgroup'] }); });
test.after(() => t?.kill());

// Under TCG in the kernel rig everything is ~10x slower: fewer runs prove the same there.
const SEQUENTIAL = process.env.NSJOIN_KERNEL_VM ? 300 : 1000;
const CONCURRENT = process.env.NSJOIN_KERNEL_VM ? 100 : 200;
const fdCount = () => readdirSync('/proc/self/fd').length;
/** Our children that are not test targets, and how many of them are zombies. */
function children(): { all: number[]; zombies: number[] } {
  const all = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
    .filter((p) => p !== t.outerPid);
  const zombies = all.filter((p) => {
    try { return / Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\)/, ')')); } catch { return false; }
  });
  return { all, zombies };
}

test(`${SEQUENTIAL} sequential runs: each status right; no zombie; same fd count`, async () => {
  await execFile(t.pid, 'true', [], { env: {} }); // warm up: lazily opened fds
  const fds = fdCount();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const c = spawn(t.pid, '/bin/sh', ['-c', `exit ${i % 256}`], { env: {}, stdio: 'ignore' });
    const code = await new Promise((r) => c.on('exit', r));
    assert.is(code, i % 256);
  }
  assert.equal(children(), { all: [], zombies: [] });
  assert.is(fdCount(), fds);
});

test(`${CONCURRENT} concurrent runs with output: each right; no zombie; same fd count`, async () => {
  const fds = fdCount();
  const runs = Array.from({ length: CONCURRENT }, (_, i) => execFile(t.pid, '/bin/sh', ['-c', `echo ${i}; exit 0`], { env: {} }));
  const outs = await Promise.all(runs);
  outs.forEach((o, i) => assert.is(o.stdout, `${i}\n`));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(children(), { all: [], zombies: [] });
  assert.is(fdCount(), fds);
});

test.run();
