// The CPU figures of a cgroup: usage (cpuacct on v1, cpu.stat on v2), quota, shares/weight,
// throttling, and the effective limit in cores along the ancestors.
import { ParseError } from '../errors.js';
import { readText, readTextIfExists } from '../io.js';
import { parseCpuMax } from '../parse/cpu-max.js';
import { parseCpuacctStat } from '../parse/cpuacct.js';
import { parseFlatKeyed } from '../parse/flat-keyed.js';
import { parseLimit } from '../parse/single-value.js';
import { effective, file, isV2, num, optNum } from './files.js';
import type { CgroupCpu, CgroupLocation } from './types.js';

function v1Quota(dir: string): { quotaUs: number | null; periodUs: number } | undefined {
  const q = readTextIfExists(file(dir, 'cpu.cfs_quota_us'));
  if (q === undefined) return undefined;
  return { quotaUs: parseLimit(q, file(dir, 'cpu.cfs_quota_us')), periodUs: num(dir, 'cpu.cfs_period_us') };
}

function v2Quota(dir: string): { quotaUs: number | null; periodUs: number } | undefined {
  const text = readTextIfExists(file(dir, 'cpu.max'));
  return text === undefined ? undefined : parseCpuMax(text, file(dir, 'cpu.max'));
}

const cores = (q: { quotaUs: number | null; periodUs: number } | undefined): number | null | undefined =>
  q === undefined ? undefined : q.quotaUs === null ? null : q.quotaUs / q.periodUs;

type Quota = { quotaUs: number | null; periodUs: number } | undefined;

/**
 * The smallest quota/period in cores from `dir` up to `mountRoot` (v1 or v2 files); null = unlimited.
 * `own`: the quota of `dir`, when the caller has read it already.
 */
function limitCoresAt(dir: string, mountRoot: string, v2: boolean, own?: { value: Quota }): number | null {
  return effective(dir, mountRoot, (d) => cores(v2 ? v2Quota(d) : v1Quota(d)), own && { value: cores(own.value) });
}

/**
 * The effective CPU limit of a located cgroup in cores: the smallest quota/period along the
 * ancestors in the cpu controller's own hierarchy. null = unlimited, or no cpu controller.
 */
export function cpuLimitCores(loc: CgroupLocation): number | null {
  const dir = loc.controllers['cpu'];
  if (dir === undefined) return null;
  const v2 = isV2(loc, 'cpu');
  return limitCoresAt(dir, (v2 ? loc.unifiedMountRoot : loc.mountRoots['cpu']) ?? dir, v2);
}

/** The CPU figures of a located cgroup; undefined when it has no CPU accounting. */
export function readCpu(loc: CgroupLocation): CgroupCpu | undefined {
  const acct = loc.controllers['cpuacct'];
  if (acct !== undefined && !isV2(loc, 'cpuacct')) {
    const usageNs = num(acct, 'cpuacct.usage');
    const { userNs, systemNs } = parseCpuacctStat(readText(file(acct, 'cpuacct.stat')), file(acct, 'cpuacct.stat'));
    const cpu: CgroupCpu = { usageNs, userNs, systemNs, limitCores: null, quotaUs: null };
    const dir = loc.controllers['cpu'];
    if (dir !== undefined && !isV2(loc, 'cpu')) {
      // The cpu controller not being mounted means no bandwidth limit can apply: null is right then.
      const own = v1Quota(dir);
      if (own) {
        cpu.quotaUs = own.quotaUs;
        cpu.periodUs = own.periodUs;
      }
      cpu.limitCores = limitCoresAt(dir, loc.mountRoots['cpu'] ?? dir, false, { value: own });
      const shares = optNum(dir, 'cpu.shares');
      if (shares !== undefined) cpu.shares = shares;
      const stat = readTextIfExists(file(dir, 'cpu.stat'));
      if (stat !== undefined) {
        const s = parseFlatKeyed(stat, file(dir, 'cpu.stat'));
        if (s['nr_periods'] !== undefined) {
          cpu.throttled = { periods: s['nr_periods'], throttledPeriods: s['nr_throttled'] ?? 0, throttledNs: s['throttled_time'] ?? 0 };
        }
      }
    }
    return cpu;
  }
  const dir = loc.unified;
  if (dir === undefined || (loc.mode === 'hybrid' && !isV2(loc, 'cpu'))) return undefined;
  const statText = readTextIfExists(file(dir, 'cpu.stat'));
  if (statText === undefined) return undefined;
  const s = parseFlatKeyed(statText, file(dir, 'cpu.stat'));
  const usage = s['usage_usec'];
  if (usage === undefined) throw new ParseError(file(dir, 'cpu.stat'), 0, 'no usage_usec');
  const cpu: CgroupCpu = { usageNs: usage * 1000, limitCores: null, quotaUs: null };
  if (s['user_usec'] !== undefined) cpu.userNs = s['user_usec'] * 1000;
  if (s['system_usec'] !== undefined) cpu.systemNs = s['system_usec'] * 1000;
  const own = v2Quota(dir);
  if (own) {
    cpu.quotaUs = own.quotaUs;
    cpu.periodUs = own.periodUs;
  }
  cpu.limitCores = limitCoresAt(dir, loc.unifiedMountRoot ?? dir, true, { value: own });
  const weight = optNum(dir, 'cpu.weight');
  if (weight !== undefined) cpu.weight = weight;
  if (s['nr_periods'] !== undefined) {
    cpu.throttled = { periods: s['nr_periods'], throttledPeriods: s['nr_throttled'] ?? 0, throttledNs: (s['throttled_usec'] ?? 0) * 1000 };
  }
  return cpu;
}
