// The views against limits set on real cgroups of this host (v1 controllers each mounted alone,
// the case libuv gets wrong): memory total = the limit, cpus = ceil(quota) bounded by the cpuset and
// the host, exact memory.stat keys in meminfo, CPU usage of a busy loop held at its quota.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { cpuUsage, cpuView, meminfo, memoryView } from '../lib/views.js';
import { makeCgroup, runIn, setLimits, type InCgroup, type TestCgroup } from './helpers/cgroup.js';

const MiB = 1024 * 1024;
const hostCpus = (() => {
  let n = 0;
  for (const part of readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a! + 1;
  }
  return n;
})();
const hostMemTotal = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
const shm = `/dev/shm/nsjoin-views-${process.pid}`;

const cleanups: Array<() => Promise<void> | void> = [];
test.after.each(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
process.on('exit', () => rmSync(shm, { force: true }));

async function inCgroup(
  tag: string,
  controllers: string[],
  setup: (cg: TestCgroup) => void,
  command = 'sleep 100000',
): Promise<{ cg: TestCgroup; proc: InCgroup }> {
  const cg = makeCgroup(tag, controllers);
  cleanups.push(() => cg.remove());
  setup(cg);
  const proc = await runIn(cg, command);
  cleanups.push(() => proc.kill());
  return { cg, proc };
}

function kb(text: string, key: string): number {
  const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB$`, 'm').exec(text);
  if (!m) throw new Error(`${key} missing`);
  return Number(m[1]);
}

test('memoryView: total = the limit, used = working set, shared and cache from the exact keys', async () => {
  // 8 MiB of shmem written and mapped from inside the cgroup: charged to it as shmem, cache and mapped_file.
  const script = `import mmap,time\nf=open(${JSON.stringify(shm)},"wb+")\nf.write(b"x"*${8 * MiB})\nf.flush()\nm=mmap.mmap(f.fileno(),0)\nsum(m[i] for i in range(0,len(m),4096))\nprint("up",flush=True)\ntime.sleep(1000)`;
  const { cg, proc } = await inCgroup(
    'views-mem',
    ['memory', 'cpu', 'cpuacct'],
    (c) => setLimits(c, { memory: 64 * MiB }),
    `python3 -c '${script}'`,
  );
  const mappedKey = cg.version === 1 ? 'total_mapped_file' : 'file_mapped';
  for (let i = 0; i < 300; i++) {
    if (Number(new RegExp(`^${mappedKey} (\\d+)$`, 'm').exec(cg.read('memory.stat'))![1]) >= 8 * MiB) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const v = memoryView(proc.pid);
  // The exact key of each figure on this host's cgroup version (v1 total_*, v2 the plain names).
  const KEY: Record<string, [string, string]> = {
    shmem: ['total_shmem', 'shmem'],
    cache: ['total_cache', 'file'],
    mapped: ['total_mapped_file', 'file_mapped'],
    activeFile: ['total_active_file', 'active_file'],
  };
  const raw = (what: string): number => {
    const key = KEY[what]![cg.version === 1 ? 0 : 1];
    return Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(cg.read('memory.stat'))![1]);
  };
  assert.is(v.total, 64 * MiB);
  assert.ok(v.used >= 8 * MiB && v.used < 64 * MiB, `used ${v.used}`);
  assert.is(v.free, v.total - v.used);
  assert.is(v.shared, raw('shmem'));
  assert.ok(v.shared >= 8 * MiB, `shared ${v.shared}`);
  assert.is(v.buffCache, raw('cache'));
  assert.ok(v.available >= v.free && v.available <= v.total);
  const text = meminfo(proc.pid);
  assert.is(kb(text, 'MemTotal'), 65536);
  assert.is(kb(text, 'Shmem'), Math.floor(raw('shmem') / 1024));
  // lxcfs's prefix match found 'mapped_file' here but nothing on v2; exact keys give it on both.
  assert.is(kb(text, 'Mapped'), Math.floor(raw('mapped') / 1024));
  assert.ok(kb(text, 'Mapped') >= 8192, `Mapped ${kb(text, 'Mapped')} kB`);
  assert.is(kb(text, 'Active(file)'), Math.floor(raw('activeFile') / 1024));
});

test('memoryView: no limit means the host MemTotal, not 2^63', async () => {
  const { proc } = await inCgroup('views-nolimit', ['memory'], () => {});
  assert.is(memoryView(proc.pid).total, hostMemTotal);
});

test('cpuView: cpus = ceil(quota/period) (0.5 -> 1), read from the cpu hierarchy mounted alone', async () => {
  const { proc } = await inCgroup('views-cpu', ['cpu'], (c) => setLimits(c, { quotaUs: 50000, periodUs: 100000 }));
  const v = cpuView(proc.pid);
  assert.is(v.quotaCores, 0.5);
  assert.is(v.cpus, 1);
});

test('cpuView: 2.5 cores of quota is 3, capped at the host CPU count', async () => {
  const { proc } = await inCgroup('views-cap', ['cpu'], (c) => setLimits(c, { quotaUs: 250000, periodUs: 100000 }));
  const v = cpuView(proc.pid);
  assert.is(v.quotaCores, 2.5);
  assert.is(v.cpus, Math.min(3, hostCpus));
});

test('cpuView: the smallest quota along the ancestors wins (a child without quota under a 1-core parent)', async () => {
  // v1 refuses a child quota above its parent's (EINVAL), so the child is left unlimited (-1 / max).
  const parent = makeCgroup('views-parent', ['cpu']);
  cleanups.push(() => parent.remove());
  setLimits(parent, { quotaUs: 100000, periodUs: 100000 });
  const child = parent.child('views-child');
  assert.match(child.read(child.version === 1 ? 'cpu.cfs_quota_us' : 'cpu.max'), /^(-1|max 100000)\n$/);
  const proc = await runIn(child, 'sleep 100000');
  cleanups.push(() => proc.kill());
  assert.equal(cpuView(proc.pid), { cpus: 1, quotaCores: 1, cpuset: Array.from({ length: hostCpus }, (_, i) => i) });
});

test('cpuView: a one-CPU cpuset without quota gives 1', async () => {
  const { proc } = await inCgroup('views-cpuset', ['cpuset', 'cpu'], (c) => {
    if (!c.has('cpuset.cpus')) throw new Error('this kernel has no cpuset controller to test with');
    c.set('cpuset.mems', '0');
    c.set('cpuset.cpus', String(hostCpus - 1));
  });
  assert.equal(cpuView(proc.pid), { cpus: 1, quotaCores: null, cpuset: [hostCpus - 1] });
});

test('cpuUsage: a busy loop held at 0.5 cores never reads above its quota', async () => {
  const { proc } = await inCgroup(
    'views-busy',
    ['cpu', 'cpuacct'],
    (c) => setLimits(c, { quotaUs: 50000, periodUs: 100000 }),
    `/bin/sh -c 'while :; do :; done'`,
  );
  await new Promise((r) => setTimeout(r, 200));
  const u = await cpuUsage(proc.pid, { intervalMs: 1000 });
  // The upper bound is the quota; the lower one is loose because this VM's 2 CPUs are shared.
  assert.ok(u.cores > 0.1 && u.cores < 0.56, `cores ${u.cores}`);
  assert.ok(Math.abs(u.percentOfLimit! - (u.cores / 0.5) * 100) < 1e-6, `percentOfLimit ${u.percentOfLimit}`);
  assert.is(u.view.cpus, 1);
  assert.ok(Math.abs(u.percent - u.cores * 100) < 1e-9, 'percent of 1 CPU');
  assert.type(u.throttledShare, 'number');
  assert.ok(u.intervalNs > 0.9e9 && u.intervalNs < 3e9, `interval ${u.intervalNs}`);
});

test.run();
