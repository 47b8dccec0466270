// Many runs: every status right, no zombie, no fd left behind.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from '../lib/index.js';
import { startTarget, type Target } from './helpers/target.js';

let t: Target;
test.before(async () => {
  t = await startTarget({ ns: ['uts', 'net', 'ipc', 'pid', 'mnt', 'cgroup'] });
});
test.after(() => t?.kill());

// Under TCG in the kernel rig everything is ~10x slower: fewer runs prove the same there.
const SEQUENTIAL = process.env.NSJOIN_KERNEL_VM ? 300 : 1000;
const CONCURRENT = process.env.NSJOIN_KERNEL_VM ? 100 : 200;
// Each fd with what it is: no fd may be left open by nsjoin, while Node itself may close fds it
// opened lazily (Node 22 and 24 do), so the check is "nothing new", not an equal count.
const fds = () =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [`${fd} ${readlinkSync(`/proc/self/fd/${fd}`)}`];
    } catch {
      return [];
    }
  });
const added = (before: string[]) => fds().filter((fd) => !before.includes(fd));
/** Our children that are not test targets, and how many of them are zombies. */
function children(): { all: number[]; zombies: number[] } {
  const all = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((p) => p !== t.outerPid);
  const zombies = all.filter((p) => {
    try {
      return / Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\)/, ')'));
    } catch {
      return false;
    }
  });
  return { all, zombies };
}

test(`${SEQUENTIAL} sequential runs: each status right; no zombie; no fd left open`, async () => {
  await execFile(t.pid, 'true', [], { env: {} }); // warm up: lazily opened fds
  const before = fds();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const c = spawn(t.pid, '/bin/sh', ['-c', `exit ${i % 256}`], { env: {}, stdio: 'ignore' });
    const code = await new Promise((r) => c.on('exit', r));
    assert.is(code, i % 256);
  }
  assert.equal(children(), { all: [], zombies: [] });
  assert.equal(added(before), []);
});

test(`${CONCURRENT} concurrent runs with output: each right; no zombie; no fd left open`, async () => {
  const before = fds();
  const runs = Array.from({ length: CONCURRENT }, (_, i) => execFile(t.pid, '/bin/sh', ['-c', `echo ${i}; exit 0`], { env: {} }));
  const outs = await Promise.all(runs);
  outs.forEach((o, i) => assert.is(o.stdout, `${i}\n`));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(children(), { all: [], zombies: [] });
  assert.equal(added(before), []);
});

test.run();
