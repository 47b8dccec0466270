// The views on cgroup v2, from a tree built on a real v2 capture (see fixtures/containers/README.md):
// effective limits along the pod's slices, the host cap, exact memory.stat keys in meminfo.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import '../lib/containers.js';
import { cpuView, meminfo, memoryView } from '../lib/views.js';

const base = fileURLToPath(new URL('./fixtures/containers/v2-views', import.meta.url));
const roots = { procRoot: `${base}/proc`, sysRoot: `${base}/sys` };
const POD_CONTAINER = { container: '1c1c' };
const DOCKER = { container: '4f4f' };

function kb(text: string, key: string): number {
  const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB$`, 'm').exec(text);
  if (!m) throw new Error(`${key} missing`);
  return Number(m[1]);
}

test('memoryView: total is the smallest limit along the ancestors (the pod slice), used the working set', () => {
  const v = memoryView(POD_CONTAINER, roots);
  assert.is(v.total, 167772160); // pod slice 160 MiB < container 200 MiB
  assert.is(v.used, 150000000); // memory.current - inactive_file (0 in the capture)
  assert.is(v.free, 167772160 - 150000000);
  assert.is(v.shared, 108576768); // shmem
  assert.is(v.buffCache, 108576768); // file
  assert.is(v.available, v.free + 0 /* active_file */ + 49336 /* slab_reclaimable */);
  assert.equal([v.swapTotal, v.swapUsed, v.swapFree], [1073741824, 0, 1073741824]); // swap.max 'max': the host's 1 GiB
});

test('memoryView: an unlimited container gets the host MemTotal, never a huge number', () => {
  const v = memoryView(DOCKER, roots);
  assert.is(v.total, 2097152 * 1024);
  assert.is(v.free, v.total - v.used);
});

test('meminfo: /proc/meminfo layout with exact v2 keys (Mapped from file_mapped, not 0 as lxcfs)', () => {
  const text = meminfo(POD_CONTAINER, roots);
  assert.ok(text.startsWith('MemTotal:         163840 kB\nMemFree:'), text.slice(0, 60));
  for (const line of text.trimEnd().split('\n')) assert.match(line, /^[A-Za-z()]+:\s+\d+ kB$/);
  assert.is(kb(text, 'MemTotal'), 163840);
  assert.is(kb(text, 'Mapped'), Math.floor(40194048 / 1024));
  assert.is(kb(text, 'Shmem'), Math.floor(108576768 / 1024));
  assert.is(kb(text, 'AnonPages'), Math.floor(30023680 / 1024));
  assert.is(kb(text, 'Cached'), Math.floor(108576768 / 1024));
  assert.is(kb(text, 'SReclaimable'), Math.floor(49336 / 1024));
  assert.is(kb(text, 'SwapTotal'), 1048576);
  assert.is(kb(text, 'Active(file)') + kb(text, 'Active(anon)'), kb(text, 'Active'));
});

test('cpuView: ceil of the smallest quota along the ancestors, min with the cpuset and the host', () => {
  assert.equal(cpuView(POD_CONTAINER, roots), { cpus: 2, quotaCores: 1.5, cpuset: [0, 1, 2] });
  // no quota anywhere: the cpuset found walking up (the root's 0-1), under the host's 4
  assert.equal(cpuView(DOCKER, roots), { cpus: 2, quotaCores: null, cpuset: [0, 1] });
});

test('the plain capture: 0::/test with cpu.max 50000 100000 and memory.max 64M', () => {
  const cap = fileURLToPath(new URL('./fixtures/cgroup-v2/host', import.meta.url));
  const r = { procRoot: `${cap}/proc`, sysRoot: `${cap}/sys` };
  assert.is(cpuView(114, r).cpus, 1);
  assert.is(cpuView(114, r).quotaCores, 0.5);
});

test.run();
