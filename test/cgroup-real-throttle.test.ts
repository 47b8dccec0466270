// Real kernel: a CPU burner under a 10000/100000 quota is throttled, and the sampler reports it.
// Tolerances from what CFS bandwidth control guarantees, not from how idle the machine is: over a
// window W the group runs at most quota/period x W plus one period's quota (the window's edges cut
// periods) plus the runtime slices handed out ahead (sched_cfs_bandwidth_slice_us, 5 ms per CPU); a
// loaded machine may give it less, never more. Synchronised on the kernel's own counter (the first
// throttled period), not on a fixed sleep.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sampleCgroup } from '../lib/cgroup/sampler.js';
import { makeCgroup, runIn, setLimits } from './helpers/cgroup.js';

// A tenth of a core: even on a loaded machine (load 6 on 2 CPUs gives a busy loop ~0.3 cores) the
// loop asks for more than its quota, so periods are throttled; at half a core they often were not.
const QUOTA_US = 10000,
  PERIOD_US = 100000,
  WINDOW_MS = 2000;

test('a busy loop under quota 10000/100000: throttled in the window, never above 0.1 cores + one period', async () => {
  const cg = makeCgroup('burn', ['cpu', 'cpuacct']);
  try {
    setLimits(cg, { quotaUs: QUOTA_US, periodUs: PERIOD_US });
    const burner = await runIn(cg, "/bin/sh -c 'while :; do :; done'");
    const throttled = (): number => Number(/^nr_throttled (\d+)$/m.exec(cg.read('cpu.stat'))?.[1] ?? 0);
    for (let i = 0; i < 3000 && throttled() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(throttled() > 0, 'the burner was throttled at least once within 30 s');
    const r = await sampleCgroup(burner.pid, { intervalMs: WINDOW_MS });
    const windowS = r.intervalNs / 1e9;
    const slices = (Number(readFileSync('/proc/sys/kernel/sched_cfs_bandwidth_slice_us', 'utf8')) || 5000) * 1e-6 * 2;
    const most = QUOTA_US / PERIOD_US + (QUOTA_US * 1e-6 + slices) / windowS;
    console.log(
      `  cores ${r.cpu!.cores.toFixed(3)} (at most ${most.toFixed(3)}), ${r.cpu!.percentOfLimit!.toFixed(1)}% of the limit, throttled share ${r.cpu!.throttledShare}, over ${(r.intervalNs / 1e6).toFixed(0)} ms`,
    );
    assert.ok(r.cpu!.cores > 0 && r.cpu!.cores <= most, `cores ${r.cpu!.cores}, at most ${most}`);
    assert.ok(
      Math.abs(r.cpu!.percentOfLimit! - (r.cpu!.cores / 0.1) * 100) < 1e-6,
      `percent ${r.cpu!.percentOfLimit} of cores ${r.cpu!.cores}`,
    );
    assert.ok(r.next.cpu!.throttled!.throttledPeriods > r.prev.cpu!.throttled!.throttledPeriods, 'throttled periods went up in the window');
    assert.ok(r.cpu!.throttledShare! > 0, `throttled share ${r.cpu!.throttledShare}`);
    assert.ok(r.next.cpu!.throttled!.throttledNs > 0);
    assert.is(r.next.cpu!.limitCores, QUOTA_US / PERIOD_US);
    burner.kill();
  } finally {
    await cg.remove();
  }
});

test('sampleCgroup validates its interval and honours an abort signal', async () => {
  let err: unknown;
  try {
    await sampleCgroup(process.pid, { intervalMs: 0 });
  } catch (e) {
    err = e;
  }
  assert.instance(err, RangeError);
  const ac = new AbortController();
  const p = sampleCgroup(process.pid, { intervalMs: 10_000, signal: ac.signal });
  ac.abort();
  err = undefined;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.is((err as Error).name, 'AbortError');
});

test.run();
