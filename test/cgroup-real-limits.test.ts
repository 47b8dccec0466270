// Real kernel: cgroups made by the test, limits set on them, a process inside, and what
// readCgroupStats reports for it, checked against the files read by hand. On this hybrid host the
// v1 hierarchies are used; on a pure cgroup v2 host (the qemu rig) the same tests use cgroup2.
import { readFileSync, rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupOf } from '../lib/cgroup/locate.js';
import { readCgroupStats } from '../lib/cgroup/stats.js';
import { hostCgroups, makeCgroup, runIn, setLimits, type TestCgroup } from './helpers/cgroup.js';
import { startTarget } from './helpers/target.js';

const host = hostCgroups();
const M = 64 * 1024 * 1024;
const cleanups: (() => Promise<void> | void)[] = [];
test.after.each(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
function made(cg: TestCgroup): TestCgroup {
  cleanups.push(() => cg.remove());
  return cg;
}

test('mode: hybrid on a host with v1 controllers and a cgroup2 mount, v2 on pure cgroup2', () => {
  const expected = host.version === 2 ? 'v2' : host.v2 ? 'hybrid' : 'v1';
  assert.is(cgroupOf(process.pid).mode, expected);
  if (host.version === 1) assert.is(expected, 'hybrid', 'this host is hybrid (v1 controllers + cgroup2 at /sys/fs/cgroup/unified)');
});

test('limits set by hand are reported exactly: memory 64M, quota 50000/100000 (0.5 cores), pids.max 50; live usage', async () => {
  const cg = made(makeCgroup('limits'));
  setLimits(cg, { memory: M, quotaUs: 50000, periodUs: 100000, pids: 50 });
  const p = await runIn(cg, "/bin/sh -c 'x=0; while [ $x -lt 20000 ]; do x=$((x+1)); done; exec sleep 1000'");
  cleanups.push(() => p.kill());
  await new Promise((r) => setTimeout(r, 300));
  const loc = cgroupOf(p.pid);
  for (const c of ['memory', 'cpu', 'pids']) assert.is(loc.controllers[c], cg.dirs[c], `${c} directory`);
  const s = readCgroupStats(p.pid);
  assert.is(s.memory!.limit, M);
  assert.is(s.cpu!.limitCores, 0.5);
  assert.is(s.cpu!.quotaUs, 50000);
  assert.is(s.cpu!.periodUs, 100000);
  assert.is(s.pids!.limit, 50);
  assert.ok(s.pids!.current >= 1, `pids.current ${s.pids!.current}`);
  assert.ok(s.memory!.usage > 0, `memory usage ${s.memory!.usage}`);
  assert.ok(s.memory!.workingSet > 0 && s.memory!.workingSet <= s.memory!.usage);
  assert.ok(s.cpu!.usageNs > 0, `cpu usage ${s.cpu!.usageNs}`);
  assert.ok(s.cpu!.throttled, 'bandwidth statistics present');
  assert.is(s.memory!.oom.kills, 0);
});

test('our numbers equal the raw files read by hand', async () => {
  const cg = made(makeCgroup('raw'));
  setLimits(cg, { memory: 48 * 1024 * 1024, quotaUs: 30000, periodUs: 100000, pids: 40 });
  // It writes 4 MiB first, so the cgroup holds file cache (inactive_file > 0) and the working set
  // (usage - inactive_file) differs from plain usage; then it sleeps, and nothing moves but the kernel.
  const cache = `/var/tmp/nsjoin-test-ws-${process.pid}`;
  cleanups.push(() => rmSync(cache, { force: true }));
  // In the test:kernel VM /var/tmp is a tmpfs (shmem, not file cache): read 4 MiB of its scratch
  // disk through the page cache instead, from a stretch no other test touches (kernel-v2 writes
  // below 8 MiB, the io test at 32 MiB with O_DIRECT): pages already cached would be charged to
  // whoever read them first, not to this cgroup.
  const vmDisk = process.env.NSJOIN_KERNEL_DISK;
  const fill = vmDisk ? `dd if=${vmDisk} of=/dev/null bs=1M skip=16 count=4` : `dd if=/dev/zero of=${cache} bs=1M count=4 conv=fsync`;
  const p = await runIn(cg, `/bin/sh -c "${fill} 2>/dev/null; exec sleep 1000"`);
  cleanups.push(() => p.kill());
  for (let i = 0; i < 500 && readFileSync(`/proc/${p.pid}/comm`, 'utf8').trim() !== 'sleep'; i++)
    await new Promise((r) => setTimeout(r, 10));
  const num = (f: string): number => Number(cg.read(f).trim());
  const kv = (f: string): Record<string, number> =>
    Object.fromEntries(
      cg
        .read(f)
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([k, v]) => [k, Number(v)]),
    );
  // Live counters move between any two reads: ours must lie between a hand read before and after.
  const usageFile = cg.version === 2 ? 'memory.current' : 'memory.usage_in_bytes';
  const cpuUsageHand = () => (cg.version === 2 ? kv('cpu.stat')['usage_usec']! * 1000 : num('cpuacct.usage'));
  const periodsHand = () => kv('cpu.stat')['nr_periods']!;
  // memory.stat's inactive_file by hand (v1: total_inactive_file).
  const inactiveHand = () => kv('memory.stat')[cg.version === 2 ? 'inactive_file' : 'total_inactive_file']!;
  const before = {
    cpu: cpuUsageHand(),
    mem: num(usageFile),
    periods: periodsHand(),
    mapped: cg.version === 2 ? kv('memory.stat')['file_mapped'] : 0,
  };
  const s = readCgroupStats(p.pid);
  const after = { cpu: cpuUsageHand(), mem: num(usageFile), periods: periodsHand() };
  const between = (v: number, a: number, b: number) => v >= Math.min(a, b) && v <= Math.max(a, b);
  // The working set is usage minus inactive_file, two counters read apart: pages moving between the
  // LRU lists put it outside two hand reads (seen in the VM: 131072 against 339968 and 425984). So
  // the formula is checked on our own snapshot's usage and memory.stat, each of which is checked
  // against the files by hand (usage below, memory.stat keys in the version branches).
  const inactiveKey = cg.version === 2 ? 'inactive_file' : 'total_inactive_file';
  assert.is(s.memory!.workingSet, Math.max(0, s.memory!.usage - s.memory!.stat[inactiveKey]!), 'working set = usage - inactive_file');
  // In the test:kernel VM, once other suites have run, the kernel may still list the fresh 4 MiB as
  // active file (inactive_file 0 in 2 of 3 full runs): there the formula is checked by the hand
  // reads above and the distinction by the v2 views fixtures captured under load in that VM.
  if (!process.env.NSJOIN_KERNEL_VM) {
    assert.ok(inactiveHand() > 0, `the cgroup holds inactive file cache (${inactiveHand()})`);
    assert.ok(s.memory!.workingSet < s.memory!.usage, 'the working set leaves the inactive file cache out');
  }
  assert.ok(between(s.cpu!.usageNs, before.cpu, after.cpu), 'cpu usage between two hand reads');
  assert.ok(
    between(s.memory!.usage, before.mem, after.mem),
    `memory usage ${s.memory!.usage} between hand reads ${before.mem} and ${after.mem}`,
  );
  assert.ok(between(s.cpu!.throttled!.periods, before.periods, after.periods), 'nr_periods between two hand reads');
  if (cg.version === 2) {
    const stat = kv('memory.stat');
    assert.is(s.memory!.limit, num('memory.max'));
    // A live counter: between the hand read before our snapshot and the one after it.
    assert.ok(
      between(s.memory!.stat['file_mapped']!, before.mapped!, stat['file_mapped']!),
      `file_mapped ${s.memory!.stat['file_mapped']} between ${before.mapped} and ${stat['file_mapped']}`,
    );
    assert.is(cg.read('cpu.max').trim(), `${s.cpu!.quotaUs} ${s.cpu!.periodUs}`);
    assert.is(s.memory!.oom.kills, kv('memory.events')['oom_kill']);
  } else {
    const stat = kv('memory.stat');
    assert.is(s.memory!.limit, num('memory.limit_in_bytes'));
    assert.is(s.memory!.cache, stat['total_cache']);
    assert.is(s.memory!.anon, stat['total_rss']);
    assert.is(s.memory!.stat['total_rss_huge'], stat['total_rss_huge']);
    assert.is(
      s.memory!.stat['hierarchical_memsw_limit'] === Infinity ||
        s.memory!.stat['hierarchical_memsw_limit'] === undefined ||
        s.memory!.stat['hierarchical_memsw_limit']! < 2 ** 62,
      true,
    );
    assert.is(s.memory!.stat['hierarchical_memory_limit'], 48 * 1024 * 1024, 'the kernel agrees on the effective limit');
    assert.is(s.memory!.peak, num('memory.max_usage_in_bytes'));
    assert.is(s.memory!.oom.kills, kv('memory.oom_control')['oom_kill']);
    assert.is(s.cpu!.quotaUs, num('cpu.cfs_quota_us'));
    assert.is(s.cpu!.periodUs, num('cpu.cfs_period_us'));
    assert.is(s.cpu!.shares, num('cpu.shares'));
    const ticks = kv('cpuacct.stat');
    assert.is(s.cpu!.userNs, ticks['user']! * 10_000_000, 'USER_HZ ticks converted to ns');
    assert.is(s.cpu!.systemNs, ticks['system']! * 10_000_000);
    assert.is(s.cpu!.throttled!.throttledNs, kv('cpu.stat')['throttled_time']);
  }
  assert.is(s.pids!.current, num('pids.current'));
  assert.is(s.pids!.limit, num('pids.max'));
  assert.is(s.cpu!.limitCores, 0.3);
});

test('a limit set on a parent applies to the child (effective limit)', async () => {
  const parent = made(makeCgroup('parent'));
  setLimits(parent, { memory: 32 * 1024 * 1024, quotaUs: 25000, periodUs: 100000, pids: 10 });
  const child = parent.child('child');
  setLimits(child, { memory: 256 * 1024 * 1024, pids: 100 });
  const p = await runIn(child, 'sleep 1000');
  cleanups.push(() => p.kill());
  const s = readCgroupStats(p.pid);
  assert.is(s.memory!.limit, 32 * 1024 * 1024);
  assert.is(s.cpu!.limitCores, 0.25);
  assert.is(s.cpu!.quotaUs, null, 'the child itself has no quota');
  assert.is(s.pids!.limit, 10);
  const spec = readCgroupStats({ path: child.dirs['memory']!, version: host.version });
  assert.is(spec.memory!.limit, 32 * 1024 * 1024);
});

test('a process in its own cgroup namespace (unshare -C) resolves to the right host directories', async () => {
  const cg = made(makeCgroup('cgns'));
  setLimits(cg, { memory: M, quotaUs: 50000, pids: 50 });
  const seen = `/tmp/nsjoin-test-cgns-${process.pid}`;
  cleanups.push(() => rmSync(seen, { force: true }));
  const t = await startTarget({ ns: ['cgroup'], pre: cg.enter, setup: `cat /proc/self/cgroup > ${seen}` });
  cleanups.push(() => t.kill());
  const inside = readFileSync(seen, 'utf8');
  assert.match(inside, host.version === 2 ? /^0::\/$/m : /:memory:\/$/m, 'inside its namespace it sees itself at /');
  const loc = cgroupOf(t.pid);
  for (const c of ['memory', 'cpu', 'pids']) assert.is(loc.controllers[c], cg.dirs[c], `${c} directory`);
  const s = readCgroupStats(t.pid);
  assert.is(s.memory!.limit, M);
  assert.is(s.cpu!.limitCores, 0.5);
  assert.is(s.pids!.limit, 50);
});

test('a process that is gone is an NsError ESRCH, not a silent zero', async () => {
  const cg = made(makeCgroup('gone'));
  const p = await runIn(cg, 'true');
  await p.exited;
  try {
    readCgroupStats(p.pid);
    assert.unreachable('should throw');
  } catch (err) {
    assert.is((err as { code: string }).code, 'ESRCH', String(err));
  }
});

test.run();
