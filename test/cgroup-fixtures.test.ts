// cgroupOf and readCgroupStats on captured trees (cgroup v2 from a real 6.1 kernel, a hybrid host,
// cgroup namespaces) and on small made-up trees for the layouts this host cannot show.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupOf } from '../lib/cgroup/locate.js';
import { cgroupRates } from '../lib/cgroup/sampler.js';
import { readCgroupStats } from '../lib/cgroup/stats.js';
import type { CgroupStats } from '../lib/cgroup/types.js';
import { NsError } from '../lib/errors.js';

const fx = (p: string): string => fileURLToPath(new URL(`./fixtures/${p}`, import.meta.url));
const tree = (name: string) => ({ procRoot: fx(`${name}/proc`), sysRoot: fx(`${name}/sys`) });
const V2 = tree('cgroup-v2/host');
const M = 64 * 1024 * 1024;

const tmp = mkdtempSync(join(tmpdir(), `nsjoin-test-cgfx-${process.pid}-`));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
/** A made-up tree: files given as { 'proc/self/mountinfo': text, 'sys/fs/cgroup/x/memory.max': '...' }. */
function fake(files: Record<string, string>) {
  const base = join(tmp, String(++n));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, p)), { recursive: true });
    writeFileSync(join(base, p), text);
  }
  return { procRoot: join(base, 'proc'), sysRoot: join(base, 'sys'), base };
}

test('v2 capture: cgroupOf finds the cgroup and its enabled controllers', () => {
  const loc = cgroupOf(114, V2);
  const dir = `${V2.sysRoot}/fs/cgroup/test`;
  assert.is(loc.mode, 'v2');
  assert.is(loc.unified, dir);
  assert.equal(loc.controllers, { cpu: dir, io: dir, memory: dir, pids: dir });
});

test('v2 capture: the snapshot shows the limits it was made with (64M, 0.5 cores, pids 100), in bytes and ns', () => {
  const s = readCgroupStats(114, V2);
  assert.is(s.mode, 'v2');
  assert.equal(s.cpu, {
    usageNs: 1729273000,
    userNs: 1116822000,
    systemNs: 612450000,
    limitCores: 0.5,
    quotaUs: 50000,
    periodUs: 100000,
    weight: 100,
    throttled: { periods: 59, throttledPeriods: 32, throttledNs: 2302535000 },
  });
  const m = s.memory!;
  assert.is(m.limit, M);
  assert.is(m.usage, 29151232);
  assert.is(m.workingSet, 29151232, 'inactive_file is 0');
  assert.is(m.anon, 28037120);
  assert.is(m.cache, 0);
  assert.is(m.peak, 29151232);
  assert.equal(m.swap, { usage: 0, limit: null });
  assert.equal(m.oom, { kills: 0, events: 0 });
  assert.is(m.stat['file_mapped'], 0);
  assert.equal(s.io, {
    devices: [{ major: 254, minor: 0, readBytes: 16777216, writeBytes: 8388608, readOps: 16, writeOps: 8 }],
    readBytes: 16777216,
    writeBytes: 8388608,
    readOps: 16,
    writeOps: 8,
  });
  assert.equal(s.pids, { current: 7, limit: 100 });
  assert.is(s.pressure!.cpu!.some.totalNs, 1548370000);
  assert.is(s.pressure!.io!.full!.avg10, 25.71);
  assert.ok(Number.isFinite(s.timestampNs));
});

test('v2 capture: the real OOM kill is counted (memory.events oom_kill 0 -> 1)', () => {
  const before = readCgroupStats({ path: '/test', version: 2 }, V2);
  const after = readCgroupStats({ path: `${V2.sysRoot}/fs/cgroup/oom-after`, version: 2 }, V2);
  assert.is(before.memory!.oom.kills, 0);
  assert.is(after.memory!.oom.kills - before.memory!.oom.kills, 1);
  assert.is(after.memory!.oom.events, 1);
  assert.is(after.memory!.limit, M);
  assert.is(after.memory!.peak, 100663296);
});

test('v2 capture: the root cgroup has no memory or pids figures (their files are absent there), cpu without a limit', () => {
  const s = readCgroupStats(130, V2);
  assert.is(s.memory, undefined);
  assert.is(s.pids, undefined);
  assert.is(s.cpu!.usageNs, 7132000000);
  assert.is(s.cpu!.limitCores, null);
  assert.is(s.cpu!.quotaUs, null);
  assert.is(s.io!.readOps, 19);
  assert.ok(s.pressure!.memory);
});

test('{ path, version: 2 }: a cgroup path and a directory give the same snapshot as the pid', () => {
  const byPid = readCgroupStats(114, V2);
  for (const path of ['/test', `${V2.sysRoot}/fs/cgroup/test`]) {
    const s = readCgroupStats({ path, version: 2 }, V2);
    assert.equal({ ...s, timestampNs: 0 }, { ...byPid, timestampNs: 0 });
  }
});

test('cgroup namespace capture (0::/, cgroup2 remounted inside): resolves to the namespace root mount', () => {
  const roots = tree('cgroup-v2/cgns');
  const loc = cgroupOf(204, roots);
  assert.is(loc.unified, `${roots.sysRoot}/fs/cgroup`);
  const s = readCgroupStats(loc, roots);
  assert.is(s.memory!.limit, M);
  assert.is(s.cpu!.limitCores, 0.5);
  assert.equal(s.pids, { current: 9, limit: 100 });
});

test('cgroup namespace, outer mount (0::/ and mount root /..): found by the pid in cgroup.procs', () => {
  const roots = tree('cgroup-v2/cgns-outer-mount');
  const loc = cgroupOf(204, roots);
  assert.is(loc.unified, `${roots.sysRoot}/fs/cgroup/test`);
  const s = readCgroupStats(loc, roots);
  assert.is(s.memory!.limit, M);
  assert.is(s.cpu!.limitCores, 0.5);
  assert.is(s.cpu!.usageNs, 3341382000);
});

test('hybrid capture: each v1 controller on its own mount, named hierarchy, cgroup2 for the rest', () => {
  const roots = tree('hybrid');
  const loc = cgroupOf(4242, roots);
  const cg = `${roots.sysRoot}/fs/cgroup`;
  assert.is(loc.mode, 'hybrid');
  assert.is(loc.controllers['memory'], `${cg}/memory/session/f4baa9e21f34c5751a7f6b045fcc7f00`);
  assert.is(loc.controllers['cpu'], `${cg}/cpu`);
  assert.is(loc.controllers['cpuacct'], `${cg}/cpuacct`);
  assert.is(loc.controllers['name=systemd'], `${cg}/systemd`);
  assert.is(loc.controllers['pids'], `${cg}/pids`);
  assert.is(loc.unified, `${cg}/unified`);
  assert.is(loc.mountRoots['memory'], `${cg}/memory`);
});

const tmpfs = '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n';

test('co-mounted cpu,cpuacct, ":" in the path, escaped mount point', () => {
  const t = fake({
    'proc/self/mountinfo':
      tmpfs +
      '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n' +
      '33 31 0:30 / /sys/fs/cgroup/my\\040memory rw,relatime - cgroup cgroup rw,memory\n' +
      '34 31 0:31 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n',
    'proc/77/cgroup':
      '3:name=systemd:/system.slice/containerd.service\n2:memory:/kubepods/pod1/cri-containerd:abc\n1:cpu,cpuacct:/kubepods/pod1/cri-containerd:abc\n0::/\n',
  });
  const loc = cgroupOf(77, t);
  const cg = `${t.sysRoot}/fs/cgroup`;
  assert.is(loc.mode, 'v1', 'no cgroup2 mount: v1, whatever the 0:: line says');
  assert.is(loc.controllers['cpu'], `${cg}/cpu,cpuacct/kubepods/pod1/cri-containerd:abc`);
  assert.is(loc.controllers['cpuacct'], `${cg}/cpu,cpuacct/kubepods/pod1/cri-containerd:abc`);
  assert.is(loc.controllers['memory'], `${cg}/my memory/kubepods/pod1/cri-containerd:abc`);
  assert.is(loc.controllers['name=systemd'], `${cg}/systemd/system.slice/containerd.service`);
  assert.is(loc.unified, undefined);
});

test('bind-mounted sub-hierarchy: the mount root is taken off the path; the widest mount wins', () => {
  const inside = fake({
    'proc/self/mountinfo':
      tmpfs +
      '40 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n' +
      '41 31 0:33 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n',
    'proc/9/cgroup': '4:memory:/docker/abc/sub\n0::/docker/abc\n',
  });
  const a = cgroupOf(9, inside);
  assert.is(a.mode, 'hybrid');
  assert.is(a.controllers['memory'], `${inside.sysRoot}/fs/cgroup/memory/sub`);
  assert.is(a.unified, `${inside.sysRoot}/fs/cgroup`);
  const both = fake({
    'proc/self/mountinfo':
      tmpfs +
      '40 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n' +
      '42 1 0:32 / /host/memory rw - cgroup cgroup rw,memory\n',
    'proc/9/cgroup': '4:memory:/docker/abc\n',
  });
  assert.is(cgroupOf(9, both).controllers['memory'], '/host/memory/docker/abc', 'the whole hierarchy keeps ancestors reachable');
  const outside = fake({
    'proc/self/mountinfo': tmpfs + '40 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n',
    'proc/9/cgroup': '4:memory:/docker/other\n',
  });
  assert.is(cgroupOf(9, outside).controllers['memory'], undefined, 'a cgroup outside every mount is left out');
});

test('effective limits: a parent limit applies to the child (v1 and v2 trees)', () => {
  const v1 = fake({
    'proc/self/mountinfo':
      tmpfs +
      '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n' +
      '36 31 0:33 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n37 31 0:34 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n',
    'proc/5/cgroup': '3:cpuacct:/a/b\n2:cpu:/a/b\n1:memory:/a/b\n',
    'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'sys/fs/cgroup/memory/a/memory.limit_in_bytes': '33554432\n',
    'sys/fs/cgroup/memory/a/b/memory.limit_in_bytes': '9223372036854771712\n',
    'sys/fs/cgroup/memory/a/b/memory.usage_in_bytes': '10000000\n',
    'sys/fs/cgroup/memory/a/b/memory.stat':
      'cache 5\ninactive_file 999\ntotal_cache 3000000\ntotal_rss 6000000\ntotal_inactive_file 2000000\ntotal_inactive_file_extra 1\nhierarchical_memory_limit 9223372036854771712\n',
    'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
    'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    'sys/fs/cgroup/cpu/a/cpu.cfs_quota_us': '150000\n',
    'sys/fs/cgroup/cpu/a/cpu.cfs_period_us': '100000\n',
    'sys/fs/cgroup/cpu/a/b/cpu.cfs_quota_us': '-1\n',
    'sys/fs/cgroup/cpu/a/b/cpu.cfs_period_us': '100000\n',
    'sys/fs/cgroup/cpuacct/a/b/cpuacct.usage': '123456789\n',
    'sys/fs/cgroup/cpuacct/a/b/cpuacct.stat': 'user 7\nsystem 3\n',
  });
  const s = readCgroupStats(5, v1);
  assert.is(s.memory!.limit, 32 * 1024 * 1024);
  assert.is(s.memory!.workingSet, 8000000, 'usage - total_inactive_file, not the local inactive_file');
  assert.is(s.memory!.cache, 3000000);
  assert.is(s.memory!.anon, 6000000);
  assert.is(s.memory!.stat['hierarchical_memory_limit'], Infinity, 'unlimited in memory.stat is Infinity, not 9223372036854772000');
  assert.equal(s.cpu, { usageNs: 123456789, userNs: 70_000_000, systemNs: 30_000_000, limitCores: 1.5, quotaUs: null, periodUs: 100000 });
  const v2 = fake({
    'proc/self/mountinfo': '27 23 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n',
    'proc/5/cgroup': '0::/a/b\n',
    'sys/fs/cgroup/a/b/cgroup.controllers': 'memory pids\n',
    'sys/fs/cgroup/a/memory.max': '50331648\n',
    'sys/fs/cgroup/a/pids.max': '20\n',
    'sys/fs/cgroup/a/b/memory.max': 'max\n',
    'sys/fs/cgroup/a/b/pids.max': '30\n',
    'sys/fs/cgroup/a/b/memory.current': '4096\n',
    'sys/fs/cgroup/a/b/pids.current': '1\n',
    'sys/fs/cgroup/a/b/memory.stat': 'anon 4096\nfile 8192\ninactive_file 8192\n',
    'sys/fs/cgroup/a/b/memory.events': 'oom 0\noom_kill 0\n',
  });
  const t = readCgroupStats(5, v2);
  assert.is(t.memory!.limit, 48 * 1024 * 1024);
  assert.is(t.memory!.workingSet, 0, 'never below 0');
  assert.equal(t.pids, { current: 1, limit: 20 });
  assert.is(t.cpu, undefined, 'cpu not enabled and no cpu.stat: left out');
});

test('a file that should be there but cannot be read is an NsError, not a zero', () => {
  const t = fake({
    'proc/self/mountinfo': '27 23 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n',
    'proc/5/cgroup': '0::/a\n',
    'sys/fs/cgroup/a/cgroup.controllers': 'memory\n',
    'sys/fs/cgroup/a/memory.current': '4096\n',
  });
  try {
    readCgroupStats(5, t);
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, NsError);
    assert.is((err as NsError).code, 'ENOENT');
    assert.match((err as NsError).path ?? '', /memory\.stat$/);
  }
  try {
    cgroupOf(5, { procRoot: join(tmp, 'nope'), sysRoot: t.sysRoot });
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, NsError);
  }
  assert.throws(
    () => cgroupOf('5' as never, t),
    (e: unknown) => e instanceof TypeError,
  );
});

const snap = (t: number, usageNs: number, periods: number, throttled: number, rb: number): CgroupStats => ({
  mode: 'v2',
  timestampNs: t,
  cpu: { usageNs, limitCores: 0.5, quotaUs: 50000, periodUs: 100000, throttled: { periods, throttledPeriods: throttled, throttledNs: 0 } },
  memory: { usage: 100, limit: 1000, workingSet: 60, oom: { kills: 0 }, stat: {} },
  io: { devices: [], readBytes: rb, writeBytes: 0, readOps: 0, writeOps: 0 },
});

test('cgroupRates: cores, % of limit, throttled share, IO per second; resets never go negative', () => {
  const r = cgroupRates(snap(0, 0, 0, 0, 0), snap(2e9, 1e9, 20, 15, 4096));
  assert.is(r.intervalNs, 2e9);
  assert.equal(r.cpu, { cores: 0.5, percentOfLimit: 100, throttledShare: 0.75 });
  assert.equal(r.memory, { usage: 100, workingSet: 60, limit: 1000 });
  assert.is(r.io!.readBytesPerSec, 2048);
  const reset = cgroupRates(snap(0, 5e9, 100, 50, 9999), snap(1e9, 1e8, 3, 1, 10));
  assert.is(reset.cpu!.cores, 0);
  assert.is(reset.io!.readBytesPerSec, 0);
  assert.throws(
    () => cgroupRates(snap(5, 0, 0, 0, 0), snap(5, 0, 0, 0, 0)),
    (e: unknown) => e instanceof RangeError,
  );
});

test.run();
