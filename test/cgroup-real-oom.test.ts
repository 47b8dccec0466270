// Real kernel: a process that allocates past a 64M limit is OOM-killed by the kernel, and
// memory.oom.kills goes up by exactly one.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupOf } from '../lib/cgroup/locate.js';
import { readCgroupStats } from '../lib/cgroup/stats.js';
import { makeCgroup, runIn, setLimits } from './helpers/cgroup.js';

const M = 64 * 1024 * 1024;

test('allocating past memory 64M: the kernel kills it and oom.kills goes up by one', async () => {
  const swaps = readFileSync('/proc/swaps', 'utf8').trim().split('\n').length - 1;
  const cg = makeCgroup('oom', ['memory']);
  try {
    // Without swap (or with memsw/swap.max pinned) the allocator cannot escape to swap.
    setLimits(cg, { memory: M, noSwap: true });
    if (swaps > 0) assert.ok(cg.has('memory.memsw.limit_in_bytes') || cg.has('memory.swap.max'), 'swap is on and cannot be limited');
    const idle = await runIn(cg, 'sleep 1000');
    const loc = cgroupOf(idle.pid);
    const before = readCgroupStats(loc);
    assert.is(before.memory!.limit, M);
    assert.is(before.memory!.oom.kills, 0);
    idle.kill();
    await idle.exited;
    // Buffer.alloc(n, 1) writes every page, so the memory is really charged.
    const hog = await runIn(cg, `${process.execPath} -e "const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1));"`);
    let timer: NodeJS.Timeout | undefined;
    const end = await Promise.race([
      hog.exited,
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), 60_000);
      }),
    ]);
    clearTimeout(timer);
    if (end === 'timeout') hog.kill();
    assert.equal(end, { code: null, signal: 'SIGKILL' }, 'killed by the kernel');
    const after = readCgroupStats(loc);
    assert.is(after.memory!.oom.kills - before.memory!.oom.kills, 1);
    if (cg.version === 2) assert.ok(after.memory!.oom.events! >= 1);
    else assert.is(after.memory!.oom.underOom, false);
    // The peak, by hand (v2 memory.peak since 5.19, v1 max_usage_in_bytes): the hog reached the limit,
    // and the kernel never charged past it.
    const peakFile = cg.version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes';
    assert.ok(cg.has(peakFile), `${peakFile} exists on this kernel`);
    const peakHand = Number(cg.read(peakFile).trim());
    assert.ok(peakHand >= M * 0.9 && peakHand <= M, `${peakFile} ${peakHand}`);
    assert.is(after.memory!.peak, peakHand);
  } finally {
    await cg.remove();
  }
});

test.run();
