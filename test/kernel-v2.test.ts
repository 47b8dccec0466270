// What only a real, pure cgroup v2 kernel can show, and no other suite covers: the limits that the
// VM's init set read back exactly, a real OOM kill counted in memory.events, a refused fork counted in
// pids.events, io.stat (and io.max throttling) of direct writes to a virtio disk, and a cgroup
// namespace's view of /proc/PID/cgroup. `npm run test:kernel` runs this file in a VM (scripts/kernel/);
// elsewhere each test is a counted skip with the reason printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { cgroupOf, readCgroupStats } from '../lib/index.js';
import { testIf } from './helpers/skip.js';
import { startTarget } from './helpers/target.js';

const ROOT = '/sys/fs/cgroup';

function cgroupFsType(): string {
  // mountinfo: ... mount-point ... - fstype source options; the last mount on the path wins.
  let type = 'not mounted';
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[4] !== ROOT) continue;
    const dash = f.indexOf('-');
    if (dash > 0) type = f[dash + 1]!;
  }
  return type;
}

const fsType = cgroupFsType();
const rig = process.env.NSJOIN_KERNEL_CGROUP; // set by scripts/kernel/init: the test cgroup with limits
const disk = process.env.NSJOIN_KERNEL_DISK; // the VM's scratch disk
const base = rig ?? ROOT;
const enabled = (dir: string): string[] => {
  try {
    return readFileSync(`${dir}/cgroup.subtree_control`, 'utf8').trim().split(/\s+/);
  } catch {
    return [];
  }
};

let whyNot = '';
if (fsType !== 'cgroup2') whyNot = `${ROOT} is ${fsType}, not cgroup2 (not a pure cgroup v2 host)`;
else if (process.getuid?.() !== 0) whyNot = 'not root: cannot create cgroups';
const whyNotRig = whyNot || (rig ? '' : 'not in the test:kernel VM (NSJOIN_KERNEL_CGROUP unset)');
const needs = (controller: string): string =>
  whyNot || (enabled(base).includes(controller) ? '' : `controller ${controller} not enabled in ${base}`);

const when = testIf;

// Leaves made by the tests, removed (their processes killed first) even when a test fails.
const leaves = new Set<string>();
function makeLeaf(name: string, settings: Record<string, string>): string {
  const dir = `${base}/nsjoin-kv2-${name}-${process.pid}`;
  mkdirSync(dir);
  leaves.add(dir);
  for (const [file, value] of Object.entries(settings)) writeFileSync(`${dir}/${file}`, value);
  return dir;
}
function removeLeaf(dir: string): void {
  if (!existsSync(dir)) return void leaves.delete(dir);
  try {
    writeFileSync(`${dir}/cgroup.kill`, '1');
  } catch {
    /* pre-5.14 kernel: nothing to kill */
  }
  const until = Date.now() + 10_000;
  while (readFileSync(`${dir}/cgroup.procs`, 'utf8').trim() && Date.now() < until) spawnSync('sleep', ['0.05']);
  rmdirSync(dir);
  leaves.delete(dir);
}
process.on('exit', () => {
  for (const dir of leaves)
    try {
      removeLeaf(dir);
    } catch {
      /* best effort */
    }
});

/** `key value` lines (memory.events, pids.events, cpu.stat) into numbers. */
function flatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.trim().split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

/** Runs a shell that first moves itself into `dir`, then the script. */
function inCgroup(dir: string, script: string, timeout = 60_000) {
  return spawnSync('/bin/sh', ['-c', `echo $$ > '${dir}/cgroup.procs' || exit 99\n${script}`], {
    encoding: 'utf8',
    timeout,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
}

console.log(
  `  ${ROOT}: ${fsType}; ${whyNotRig ? `kernel-v2 tests limited: ${whyNotRig}` : `in the test:kernel VM, kernel ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`}`,
);

// In the VM nothing below may skip: a rig that lost its cgroup, limits or disk would otherwise turn
// every test into a skip and the run would still pass.
when(
  process.env.NSJOIN_KERNEL_VM === '1' ? '' : 'not in the test:kernel VM (NSJOIN_KERNEL_VM unset)',
  'in the VM: pure cgroup v2, the test cgroup, its limits and the scratch disk are all there',
  () => {
    assert.is(fsType, 'cgroup2');
    assert.is(whyNotRig, '');
    assert.ok(disk && existsSync(disk), `scratch disk ${disk}`);
    for (const c of ['cpu', 'io', 'memory', 'pids']) assert.is(needs(c), '', c);
  },
);

when(whyNot, 'pure v2: /proc/self/cgroup has the single 0:: line and cgroup.controllers lists the controllers', () => {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  assert.is(lines.length, 1, lines.join(' | '));
  assert.match(lines[0]!, /^0::\//);
  const controllers = readFileSync(`${ROOT}/cgroup.controllers`, 'utf8').trim().split(/\s+/);
  for (const c of ['cpu', 'io', 'memory', 'pids']) assert.ok(controllers.includes(c), `${c} in ${controllers.join(' ')}`);
});

when(whyNotRig, 'the limits set by the VM init read back exactly (files and readCgroupStats)', () => {
  const limits = process.env.NSJOIN_KERNEL_LIMITS ?? '';
  const pairs = limits
    .split(';')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const);
  assert.equal(pairs.map(([k]) => k).sort(), ['cpu.max', 'io.max', 'memory.max', 'pids.max']);
  for (const [file, value] of pairs) assert.is(readFileSync(`${rig}/${file}`, 'utf8').trim(), value, file);
  for (const c of ['cpu', 'io', 'memory', 'pids']) assert.ok(enabled(rig!).includes(c), `${c} enabled in ${rig}`);
  const values = Object.fromEntries(pairs);
  // The library reads the same: mode, and each limit exactly.
  assert.is(cgroupOf(process.pid).mode, 'v2');
  const stats = readCgroupStats({ path: rig!, version: 2 });
  assert.is(stats.mode, 'v2');
  assert.is(stats.memory!.limit, Number(values['memory.max']));
  const [quota, period] = values['cpu.max']!.split(' ').map(Number);
  assert.is(stats.cpu!.quotaUs, quota);
  assert.is(stats.cpu!.periodUs, period);
  assert.is(stats.cpu!.limitCores, quota! / period!);
  assert.is(stats.pids!.limit, Number(values['pids.max']));
});

when(needs('memory'), 'a real OOM kill is counted in memory.events (oom, oom_kill) and readCgroupStats', () => {
  const dir = makeLeaf('oom', { 'memory.max': String(32 << 20) });
  if (existsSync(`${dir}/memory.swap.max`)) writeFileSync(`${dir}/memory.swap.max`, '0');
  try {
    assert.equal(flatKeyed(readFileSync(`${dir}/memory.events`, 'utf8')).oom_kill, 0);
    // dd fills a 128 MiB buffer from /dev/zero: every page is touched, the cgroup cannot hold it.
    const r = inCgroup(dir, 'exec dd if=/dev/zero of=/dev/null bs=128M count=1');
    assert.is(r.signal, 'SIGKILL', `dd: status ${r.status} ${r.stderr}`);
    const events = flatKeyed(readFileSync(`${dir}/memory.events`, 'utf8'));
    assert.ok(events.oom! >= 1, JSON.stringify(events));
    assert.is(events.oom_kill, 1, JSON.stringify(events));
    const peak = existsSync(`${dir}/memory.peak`) ? Number(readFileSync(`${dir}/memory.peak`, 'utf8')) : NaN;
    if (!Number.isNaN(peak)) assert.ok(peak <= 32 << 20, `memory.peak ${peak}`);
    const m = readCgroupStats({ path: dir, version: 2 }).memory!;
    assert.is(m.limit, 32 << 20);
    assert.is(m.oom.kills, 1);
    assert.is(m.oom.events, events.oom);
  } finally {
    removeLeaf(dir);
  }
});

when(needs('pids'), 'a fork refused by pids.max is counted in pids.events', () => {
  const dir = makeLeaf('pids', { 'pids.max': '2' });
  try {
    assert.is(readFileSync(`${dir}/pids.max`, 'utf8').trim(), '2');
    // The shell is 1, the first sleep 2: the second fork fails with EAGAIN.
    const bg = 'sleep 5 </dev/null >/dev/null 2>&1 &';
    const r = inCgroup(dir, `${bg} ${bg} echo survived; exit 0`, 20_000);
    const events = flatKeyed(readFileSync(`${dir}/pids.events`, 'utf8'));
    assert.ok(events.max! >= 1, `pids.events ${JSON.stringify(events)}; sh: ${r.status} ${r.stderr}`);
    assert.is(readCgroupStats({ path: dir, version: 2 }).pids!.limit, 2);
  } finally {
    removeLeaf(dir);
  }
});

when(
  whyNotRig || (disk ? '' : 'no scratch disk (NSJOIN_KERNEL_DISK unset)'),
  'io.stat counts a direct write to the virtio disk; io.max throttles it',
  () => {
    const devName = disk!.replace(/^\/dev\//, '');
    const majMin = readFileSync(`/sys/block/${devName}/dev`, 'utf8').trim();
    const stat = (dir: string): Record<string, number> => {
      const line = readFileSync(`${dir}/io.stat`, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${majMin} `));
      const out: Record<string, number> = {};
      for (const kv of line?.split(' ').slice(1) ?? []) {
        const [k, v] = kv.split('=');
        out[k!] = Number(v);
      }
      return out;
    };
    const parentBefore = stat(rig!).wbytes ?? 0;
    const dir = makeLeaf('io', {});
    try {
      let r = inCgroup(dir, `exec dd if=/dev/zero of=${disk} bs=1M count=4 oflag=direct status=none`);
      assert.is(r.status, 0, r.stderr);
      const s = stat(dir);
      assert.ok(s.wbytes! >= 4 << 20 && s.wbytes! < 5 << 20, `io.stat ${JSON.stringify(s)}`);
      assert.ok(s.wios! >= 4, `io.stat ${JSON.stringify(s)}`);
      const io = readCgroupStats({ path: dir, version: 2 }).io!;
      const [major, minor] = majMin.split(':').map(Number);
      const d = io.devices.find((x) => x.major === major && x.minor === minor);
      assert.ok(d, JSON.stringify(io));
      assert.is(d!.writeBytes, s.wbytes);
      assert.is(d!.writeOps, s.wios);
      // Hierarchical: the VM's test cgroup counts its leaf's bytes too.
      assert.ok((stat(rig!).wbytes ?? 0) - parentBefore >= 4 << 20, 'parent io.stat');

      // io.max: 4 MiB/s for writes; 8 MiB then takes about 2 s (the first slice may go through at once).
      writeFileSync(`${dir}/io.max`, `${majMin} wbps=${4 << 20}`);
      assert.is(readFileSync(`${dir}/io.max`, 'utf8').trim(), `${majMin} rbps=max wbps=${4 << 20} riops=max wiops=max`);
      const t0 = Date.now();
      r = inCgroup(dir, `exec dd if=/dev/zero of=${disk} bs=1M count=8 oflag=direct status=none`);
      const took = (Date.now() - t0) / 1000;
      assert.is(r.status, 0, r.stderr);
      assert.ok(took >= 1.2, `8 MiB at 4 MiB/s took only ${took} s`);
      assert.ok(stat(dir).wbytes! >= 12 << 20, 'io.stat after the throttled write');
    } finally {
      removeLeaf(dir);
    }
  },
);

when(whyNot, 'cgroup namespace: the host sees the full path, the process sees /', async () => {
  const dir = makeLeaf('cgns', {});
  try {
    const target = await startTarget({ ns: ['cgroup', 'mnt'], pre: `echo $$ > '${dir}/cgroup.procs'` });
    try {
      const fromHost = readFileSync(`/proc/${target.pid}/cgroup`, 'utf8').trim();
      assert.is(fromHost, `0::${dir.slice(ROOT.length)}`);
      const loc = cgroupOf(target.pid);
      assert.is(loc.mode, 'v2');
      assert.is(loc.unified, dir);
      // A reader inside that cgroup namespace sees the same process's cgroup as the root.
      const r = spawnSync('nsenter', ['-t', String(target.pid), '-C', 'cat', `/proc/${target.pid}/cgroup`], { encoding: 'utf8' });
      assert.is(r.status, 0, r.stderr);
      assert.is(r.stdout.trim(), '0::/');
    } finally {
      target.kill();
    }
  } finally {
    removeLeaf(dir);
  }
});

test.run();
