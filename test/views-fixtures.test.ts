// The views on cgroup v2, from a real capture of a Kubernetes pod and a docker container under load
// on the test:kernel VM (scripts/kernel/capture-v2-views.sh; see fixtures/containers/README.md):
// effective limits along the pod's slices, the host cap, the working set (memory.current minus
// inactive_file, which is not 0 there), exact memory.stat keys in meminfo. Every expected figure
// is computed here from the captured files, read by hand.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { cpuView, meminfo, memoryView } from '../lib/views.js';

const base = fileURLToPath(new URL('./fixtures/containers/v2-views', import.meta.url));
const roots = { procRoot: `${base}/proc`, sysRoot: `${base}/sys` };
const POD_CONTAINER = { container: '1c1c' };
const DOCKER = { container: '4f4f' };
const CG = `${base}/sys/fs/cgroup`;
const POD = 'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0e7b2f6a_91c4_4d5e_8f3a_2b1c9d8e7f60.slice';
const CTR = `${POD}/cri-containerd-${'1c'.repeat(32)}.scope`;
const DOCK = `system.slice/docker-${'4f'.repeat(32)}.scope`;

const read = (rel: string): string => readFileSync(`${CG}/${rel}`, 'utf8').trim();
const stat = (dir: string): Record<string, number> =>
  Object.fromEntries(
    read(`${dir}/memory.stat`)
      .split('\n')
      .map((l) => l.split(' '))
      .map(([k, v]) => [k, Number(v)]),
  );
const host = Object.fromEntries(
  readFileSync(`${base}/proc/meminfo`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => /^([^:]+):\s+(\d+)/.exec(l)!)
    .map((m) => [m[1], Number(m[2]) * 1024]),
);
/** The smallest memory.max along the path from the leaf up (files that are 'max' or absent: no limit). */
function effectiveMax(dir: string): number {
  let min = Infinity;
  for (let d = dir; d !== '.'; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '.') {
    try {
      const v = read(`${d}/memory.max`);
      if (v !== 'max') min = Math.min(min, Number(v));
    } catch {
      /* absent */
    }
  }
  return min;
}
function kb(text: string, key: string): number {
  const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB$`, 'm').exec(text);
  if (!m) throw new Error(`${key} missing`);
  return Number(m[1]);
}

test('the capture is what the views must tell apart: inactive file cache, shmem and anon in the pod container', () => {
  const s = stat(CTR);
  assert.ok(s['inactive_file']! > 0, `inactive_file ${s['inactive_file']}`);
  assert.ok(s['shmem']! >= 24 << 20 && s['anon']! > 0 && s['file_mapped']! > 0, JSON.stringify(s));
  assert.ok(Number(read(`${CTR}/memory.current`)) >= s['anon']! + s['file']!, 'current covers anon + file');
});

test('memoryView: total is the smallest limit along the ancestors (the pod slice), used the working set', () => {
  const v = memoryView(POD_CONTAINER, roots);
  const s = stat(CTR);
  const total = effectiveMax(CTR);
  assert.is(total, 160 * 1024 * 1024); // pod slice 160 MiB < container 200 MiB
  assert.is(v.total, total);
  const used = Number(read(`${CTR}/memory.current`)) - s['inactive_file']!;
  assert.is(v.used, used);
  assert.ok(v.used < Number(read(`${CTR}/memory.current`)), 'the inactive file cache is not counted as used');
  assert.is(v.free, total - used);
  assert.is(v.shared, s['shmem']);
  assert.is(v.buffCache, s['file']);
  assert.is(v.available, Math.min(total, v.free + s['active_file']! + s['slab_reclaimable']!));
  assert.equal([v.swapTotal, v.swapUsed], [host['SwapTotal'], Number(read(`${CTR}/memory.swap.current`))]); // swap.max 'max': the host's
});

test('memoryView: an unlimited container gets the host MemTotal, never a huge number', () => {
  assert.is(effectiveMax(DOCK), Infinity);
  const v = memoryView(DOCKER, roots);
  assert.is(v.total, host['MemTotal']);
  assert.is(v.used, Number(read(`${DOCK}/memory.current`)) - stat(DOCK)['inactive_file']!);
  assert.is(v.free, v.total - v.used);
});

test('meminfo: /proc/meminfo layout with exact v2 keys (Mapped from file_mapped, not 0 as lxcfs)', () => {
  const text = meminfo(POD_CONTAINER, roots);
  const s = stat(CTR);
  const k = (bytes: number): number => Math.floor(bytes / 1024);
  assert.ok(text.startsWith(`MemTotal:         ${k(160 << 20)} kB\nMemFree:`), text.slice(0, 60));
  for (const line of text.trimEnd().split('\n')) assert.match(line, /^[A-Za-z()]+:\s+\d+ kB$/);
  assert.is(kb(text, 'Mapped'), k(s['file_mapped']!));
  assert.is(kb(text, 'Shmem'), k(s['shmem']!));
  assert.is(kb(text, 'AnonPages'), k(s['anon']!));
  assert.is(kb(text, 'Cached'), k(s['file']! - (s['swapcached'] ?? 0)));
  assert.is(kb(text, 'Inactive(file)'), k(s['inactive_file']!));
  assert.is(kb(text, 'SReclaimable'), k(s['slab_reclaimable']!));
  assert.is(kb(text, 'SwapTotal'), k(host['SwapTotal']!));
  assert.is(kb(text, 'Active(file)') + kb(text, 'Active(anon)'), kb(text, 'Active'));
});

test('cpuView: ceil of the smallest quota along the ancestors, min with the cpuset and the host', () => {
  assert.is(read(`${POD}/cpu.max`), '150000 100000');
  assert.is(read(`${CTR}/cpu.max`), '250000 100000');
  assert.is(read(`${CTR}/cpuset.cpus.effective`), '1');
  // 1.5 cores of quota, but the pod's cpuset has one CPU
  assert.equal(cpuView(POD_CONTAINER, roots), { cpus: 1, quotaCores: 1.5, cpuset: [1] });
  // no quota anywhere: the cpuset found walking up (the root's), under the host's CPUs online
  assert.is(read('cpuset.cpus.effective'), '0-1');
  assert.equal(cpuView(DOCKER, roots), { cpus: 2, quotaCores: null, cpuset: [0, 1] });
});

test('the plain capture: 0::/test with cpu.max 50000 100000 and memory.max 64M', () => {
  const cap = fileURLToPath(new URL('./fixtures/cgroup-v2/host', import.meta.url));
  const r = { procRoot: `${cap}/proc`, sysRoot: `${cap}/sys` };
  assert.is(cpuView(114, r).cpus, 1);
  assert.is(cpuView(114, r).quotaCores, 0.5);
});

test.run();
