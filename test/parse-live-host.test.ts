// Valid input must parse on this very host, whatever its shape: every process's /proc/PID/mountinfo,
// cgroup and net/dev (containers of docker, podman, containerd included, when any run), and the files
// of every cgroup hierarchy, while a network namespace of ours made with `ip netns add` (an nsfs bind
// mount whose root field is `net:[INODE]`) exists. A ParseError on any of them fails: that is how an
// nsfs line from dockerd once broke 11 test files on a docker host while fixtures stayed green.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMountinfo } from '../lib/parse/mountinfo.js';
import { checkCgroupTree, checkProcesses, type LiveCheck } from './helpers/live-files.js';
import { testIf } from './helpers/skip.js';

const NETNS = `nsjoin-live-${process.pid}`;
const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
process.on('exit', () => ip('netns', 'del', NETNS));
const why =
  process.getuid?.() !== 0
    ? 'not root: cannot add a network namespace'
    : ip('-V').error
      ? 'no ip command (Debian: apt-get install iproute2)'
      : '';

testIf(
  why,
  "with an `ip netns add` of ours: every process's mountinfo, cgroup and net/dev parse, our nsfs mount included",
  () => {
    const r = ip('netns', 'add', NETNS);
    assert.is(r.status, 0, r.stderr);
    try {
      const mine = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).find((m) => m.mountPoint === `/run/netns/${NETNS}`);
      assert.ok(mine, 'our netns bind mount is in /proc/self/mountinfo');
      assert.is(mine!.fsType, 'nsfs');
      assert.is(mine!.root, `net:[${statSync(`/run/netns/${NETNS}`).ino}]`);
      const live: LiveCheck = { parsed: 0, failures: [] };
      checkProcesses(live);
      console.log(`  ${live.parsed} live /proc files parsed`);
      assert.equal(live.failures, []);
      assert.ok(live.parsed > 3, `${live.parsed} files`);
    } finally {
      assert.is(ip('netns', 'del', NETNS).status, 0);
    }
  },
  { ciInstalls: true },
);

test('every file of every cgroup hierarchy on this host (three levels down) parses', () => {
  const roots = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2');
  assert.ok(roots.length > 0, 'a cgroup filesystem is mounted');
  const live: LiveCheck = { parsed: 0, failures: [] };
  for (const m of roots) checkCgroupTree(m.mountPoint, live);
  console.log(`  ${live.parsed} cgroup files parsed under ${roots.length} mounts`);
  assert.equal(live.failures, []);
  assert.ok(live.parsed > 10, `${live.parsed} files`);
});

test.run();
