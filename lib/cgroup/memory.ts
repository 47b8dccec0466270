// The memory figures of a cgroup (v1 memory.* or v2 memory.*): usage, effective limit, working
// set, OOM events, cache/anon, peak and swap.
import { readTextIfExists } from '../io.js';
import { parseFlatKeyed } from '../parse/flat-keyed.js';
import { UNLIMITED_THRESHOLD } from '../parse/util.js';
import { effective, file, flat, isV2, optLimit, optNum } from './files.js';
import type { CgroupLocation, CgroupMemory } from './types.js';

/** memory.stat with "unlimited" values (v1 hierarchical_*_limit, >= 2^62) as Infinity rather than a huge wrong number. */
function memoryStat(dir: string): Record<string, number> {
  const stat = flat(dir, 'memory.stat');
  for (const k in stat) if (stat[k]! >= UNLIMITED_THRESHOLD) stat[k] = Infinity;
  return stat;
}

/** The memory figures of a located cgroup; undefined when it has no memory controller. */
export function readMemory(loc: CgroupLocation): CgroupMemory | undefined {
  const dir = loc.controllers['memory'];
  if (dir === undefined) return undefined;
  const mountRoot = loc.mountRoots['memory'] ?? dir;
  if (!isV2(loc, 'memory')) {
    const usage = optNum(dir, 'memory.usage_in_bytes');
    if (usage === undefined) return undefined;
    const stat = memoryStat(dir);
    const oomText = readTextIfExists(file(dir, 'memory.oom_control'));
    const oc = oomText === undefined ? undefined : parseFlatKeyed(oomText, file(dir, 'memory.oom_control'));
    const limit = effective(dir, mountRoot, (d) => optLimit(d, 'memory.limit_in_bytes'));
    const mem: CgroupMemory = {
      usage,
      limit,
      workingSet: Math.max(0, usage - (stat['total_inactive_file'] ?? stat['inactive_file'] ?? 0)),
      oom: { kills: oc?.['oom_kill'] ?? 0 },
      stat,
    };
    if (oc?.['oom_kill_disable'] !== undefined) mem.oom.killDisabled = oc['oom_kill_disable'] !== 0;
    if (oc?.['under_oom'] !== undefined) mem.oom.underOom = oc['under_oom'] !== 0;
    if (stat['total_cache'] !== undefined) mem.cache = stat['total_cache'];
    if (stat['total_rss'] !== undefined) mem.anon = stat['total_rss'];
    const peak = optNum(dir, 'memory.max_usage_in_bytes');
    if (peak !== undefined) mem.peak = peak;
    if (stat['total_swap'] !== undefined) {
      const memsw = effective(dir, mountRoot, (d) => optLimit(d, 'memory.memsw.limit_in_bytes'));
      mem.swap = { usage: stat['total_swap'], limit: memsw === null ? null : Math.max(0, memsw - (limit ?? 0)) };
    }
    return mem;
  }
  const usage = optNum(dir, 'memory.current');
  if (usage === undefined) return undefined;
  const stat = memoryStat(dir);
  const events = flat(dir, 'memory.events');
  const mem: CgroupMemory = {
    usage,
    limit: effective(dir, mountRoot, (d) => optLimit(d, 'memory.max')),
    workingSet: Math.max(0, usage - (stat['inactive_file'] ?? 0)),
    oom: { kills: events['oom_kill'] ?? 0 },
    stat,
  };
  if (events['oom'] !== undefined) mem.oom.events = events['oom'];
  if (stat['file'] !== undefined) mem.cache = stat['file'];
  if (stat['anon'] !== undefined) mem.anon = stat['anon'];
  const peak = optNum(dir, 'memory.peak');
  if (peak !== undefined) mem.peak = peak;
  const swap = optNum(dir, 'memory.swap.current');
  if (swap !== undefined) mem.swap = { usage: swap, limit: effective(dir, mountRoot, (d) => optLimit(d, 'memory.swap.max')) };
  return mem;
}
