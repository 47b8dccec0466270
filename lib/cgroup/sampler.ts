// Rates from two snapshots: what `top` would show for the container, from its cgroup.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RootOptions, Target } from '../targets.js';
import { cgroupOf } from './locate.js';
import { readCgroupStats } from './stats.js';
import type { CgroupRates, CgroupStats } from './types.js';

// A counter that went down means the cgroup was recreated between the snapshots: no negative rates.
const delta = (a: number, b: number): number => Math.max(0, b - a);

/**
 * Turns two snapshots of the same cgroup (from `readCgroupStats`) into rates over the time between
 * them: CPU cores used, % of the CPU limit, the throttled share of periods, IO bytes/s and ops/s, and
 * the later snapshot's memory. Pure. A section is present when both snapshots have it.
 *
 * @throws RangeError when `next` is not later than `prev`
 */
export function cgroupRates(prev: CgroupStats, next: CgroupStats): CgroupRates {
  const intervalNs = next.timestampNs - prev.timestampNs;
  if (!(intervalNs > 0)) throw new RangeError('cgroupRates: next snapshot must be taken after prev');
  const rates: CgroupRates = { intervalNs };
  const seconds = intervalNs / 1e9;
  if (prev.cpu && next.cpu) {
    const cores = delta(prev.cpu.usageNs, next.cpu.usageNs) / intervalNs;
    const limit = next.cpu.limitCores;
    let throttledShare: number | null = null;
    if (prev.cpu.throttled && next.cpu.throttled) {
      const periods = delta(prev.cpu.throttled.periods, next.cpu.throttled.periods);
      if (periods > 0)
        throttledShare = Math.min(1, delta(prev.cpu.throttled.throttledPeriods, next.cpu.throttled.throttledPeriods) / periods);
    }
    rates.cpu = { cores, percentOfLimit: limit === null || limit === 0 ? null : (cores / limit) * 100, throttledShare };
  }
  if (next.memory) rates.memory = { usage: next.memory.usage, workingSet: next.memory.workingSet, limit: next.memory.limit };
  if (prev.io && next.io) {
    rates.io = {
      readBytesPerSec: delta(prev.io.readBytes, next.io.readBytes) / seconds,
      writeBytesPerSec: delta(prev.io.writeBytes, next.io.writeBytes) / seconds,
      readOpsPerSec: delta(prev.io.readOps, next.io.readOps) / seconds,
      writeOpsPerSec: delta(prev.io.writeOps, next.io.writeOps) / seconds,
    };
  }
  return rates;
}

/** Options of `sampleCgroup`. */
export interface SampleOptions extends RootOptions {
  /** Time between the two snapshots, ms (default 1000). */
  intervalMs?: number;
  /** Aborts the wait (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Takes two snapshots of a process's cgroups `intervalMs` apart and returns their rates, with both
 * snapshots. The cgroups are located once, so the second read still works if the process has exited
 * meanwhile (as long as its cgroup exists).
 *
 * @throws what `cgroupOf` and `readCgroupStats` throw; RangeError for a bad interval; the abort reason
 */
export async function sampleCgroup(
  target: Target,
  options: SampleOptions = {},
): Promise<CgroupRates & { prev: CgroupStats; next: CgroupStats }> {
  const intervalMs = options.intervalMs ?? 1000;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new RangeError(`intervalMs must be a positive number, got ${intervalMs}`);
  const roots: RootOptions = {};
  if (options.procRoot !== undefined) roots.procRoot = options.procRoot;
  if (options.sysRoot !== undefined) roots.sysRoot = options.sysRoot;
  const location = cgroupOf(target, roots);
  const prev = readCgroupStats(location, roots);
  await sleep(intervalMs, undefined, options.signal ? { signal: options.signal } : {});
  const next = readCgroupStats(location, roots);
  return { ...cgroupRates(prev, next), prev, next };
}
