// Real kernel: a CPU burner under a 50000/100000 quota is throttled, and the sampler says it uses
// about half a core.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sampleCgroup } from '../lib/cgroup/sampler.js';
import { makeCgroup, runIn, setLimits } from './helpers/cgroup.js';

test('a busy loop under quota 50000/100000: ~0.5 cores (within 20%), throttled', async () => {
  const cg = makeCgroup('burn', ['cpu', 'cpuacct']);
  try {
    setLimits(cg, { quotaUs: 50000, periodUs: 100000 });
    const burner = await runIn(cg, "/bin/sh -c 'while :; do :; done'");
    await new Promise((r) => setTimeout(r, 300));
    const r = await sampleCgroup(burner.pid, { intervalMs: 1000 });
    console.log(`  cores ${r.cpu!.cores.toFixed(3)}, ${r.cpu!.percentOfLimit!.toFixed(1)}% of the limit, throttled share ${r.cpu!.throttledShare}, over ${(r.intervalNs / 1e6).toFixed(0)} ms`);
    assert.ok(Math.abs(r.cpu!.cores - 0.5) <= 0.1, `cores ${r.cpu!.cores}`);
    assert.ok(Math.abs(r.cpu!.percentOfLimit! - 100) <= 20, `percent ${r.cpu!.percentOfLimit}`);
    assert.ok(r.cpu!.throttledShare! > 0.25, `throttled share ${r.cpu!.throttledShare}`);
    assert.ok(r.next.cpu!.throttled!.throttledPeriods > r.prev.cpu!.throttled!.throttledPeriods, 'throttled periods went up');
    assert.ok(r.next.cpu!.throttled!.throttledNs > 0);
    assert.is(r.next.cpu!.limitCores, 0.5);
    burner.kill();
  } finally {
    await cg.remove();
  }
});

test('sampleCgroup validates its interval and honours an abort signal', async () => {
  let err: unknown;
  try { await sampleCgroup(process.pid, { intervalMs: 0 }); } catch (e) { err = e; }
  assert.instance(err, RangeError);
  const ac = new AbortController();
  const p = sampleCgroup(process.pid, { intervalMs: 10_000, signal: ac.signal });
  ac.abort();
  err = undefined;
  try { await p; } catch (e) { err = e; }
  assert.is((err as Error).name, 'AbortError');
});

test.run();
