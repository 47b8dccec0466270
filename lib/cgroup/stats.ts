// One snapshot of a cgroup's CPU, memory, IO, pids and pressure, the same shape on v1, v2 and
// hybrid hosts. Each controller is read from its own directory (see locate.ts); a controller whose
// key file is absent is left out, and any other file that cannot be read is an NsError.
import { dirname } from 'node:path';
import { NsError, ParseError } from '../errors.js';
import { readText, readTextIfExists } from '../io.js';
import { parseBlkioStat } from '../parse/blkio.js';
import { parseCpuMax } from '../parse/cpu-max.js';
import { parseCpuacctStat } from '../parse/cpuacct.js';
import { parseFlatKeyed } from '../parse/flat-keyed.js';
import { parseIoStat } from '../parse/io-stat.js';
import { parsePressure, type Pressure } from '../parse/pressure.js';
import { parseLimit, parseSingleValue } from '../parse/single-value.js';
import { UNLIMITED_THRESHOLD } from '../parse/util.js';
import type { RootOptions, Target } from '../targets.js';
import { cgroupOf, locatePath } from './locate.js';
import type { CgroupCpu, CgroupIo, CgroupIoDevice, CgroupLocation, CgroupMemory, CgroupStats } from './types.js';

/** A cgroup given by path instead of by process: see `locatePath` for what `path` may be. */
export interface CgroupPathSpec {
  path: string;
  version: 1 | 2;
}

// Plain concatenation: directories here are already absolute and normalised (mount point + cgroup
// path), and path.join's normalisation cost more than the parsing of a whole snapshot.
const file = (dir: string, name: string): string => (dir.endsWith('/') ? dir + name : `${dir}/${name}`);
const num = (dir: string, name: string): number => parseSingleValue(readText(file(dir, name)), file(dir, name));
const optNum = (dir: string, name: string): number | undefined => {
  const text = readTextIfExists(file(dir, name));
  return text === undefined ? undefined : parseSingleValue(text, file(dir, name));
};
const flat = (dir: string, name: string): Record<string, number> => parseFlatKeyed(readText(file(dir, name)), file(dir, name));

/** memory.stat with "unlimited" values (v1 hierarchical_*_limit, >= 2^62) as Infinity rather than a huge wrong number. */
function memoryStat(dir: string): Record<string, number> {
  const stat = flat(dir, 'memory.stat');
  for (const k in stat) if (stat[k]! >= UNLIMITED_THRESHOLD) stat[k] = Infinity;
  return stat;
}

/** The directories from `dir` up to and including `mountRoot`: the ancestors whose limits apply. */
export function ancestry(dir: string, mountRoot: string): string[] {
  const out = [dir];
  let d = dir;
  while (d !== mountRoot && d.startsWith(mountRoot) && dirname(d) !== d) {
    d = dirname(d);
    out.push(d);
  }
  return out;
}

/**
 * Smallest non-null value of a limit along the ancestors (files absent at the root are skipped).
 * `own`, when given, is the value at `dir` itself, already read by the caller (no file twice).
 */
function effective(dir: string, mountRoot: string, read: (d: string) => number | null | undefined, own?: { value: number | null | undefined }): number | null {
  let best: number | null = null;
  for (const d of ancestry(dir, mountRoot)) {
    const v = own && d === dir ? own.value : read(d);
    if (v !== null && v !== undefined && (best === null || v < best)) best = v;
  }
  return best;
}

function optLimit(dir: string, name: string): number | null | undefined {
  const text = readTextIfExists(file(dir, name));
  return text === undefined ? undefined : parseLimit(text, file(dir, name));
}

/** Whether `controller` of a located cgroup is served by its cgroup2 directory. */
export const isV2 = (loc: CgroupLocation, controller: string): boolean =>
  loc.controllers[controller] !== undefined && loc.controllers[controller] === loc.unified;

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

function readCpu(loc: CgroupLocation): CgroupCpu | undefined {
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

function readMemory(loc: CgroupLocation): CgroupMemory | undefined {
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

function sumIo(devices: CgroupIoDevice[]): CgroupIo {
  const io: CgroupIo = { devices, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 };
  for (const d of devices) {
    io.readBytes += d.readBytes;
    io.writeBytes += d.writeBytes;
    io.readOps += d.readOps;
    io.writeOps += d.writeOps;
  }
  return io;
}

function readIo(loc: CgroupLocation): CgroupIo | undefined {
  const blkio = loc.controllers['blkio'];
  if (blkio !== undefined) {
    // Recursive files first: v2's io.stat counts descendants too, and a container may use sub-cgroups.
    const pick = (names: string[]): { name: string; text: string } | undefined => {
      for (const name of names) {
        const text = readTextIfExists(file(blkio, name));
        if (text !== undefined) return { name, text };
      }
      return undefined;
    };
    const bytes = pick(['blkio.throttle.io_service_bytes_recursive', 'blkio.throttle.io_service_bytes', 'blkio.io_service_bytes_recursive']);
    const ops = pick(['blkio.throttle.io_serviced_recursive', 'blkio.throttle.io_serviced', 'blkio.io_serviced_recursive']);
    if (!bytes || !ops) return undefined;
    const b = parseBlkioStat(bytes.text, file(blkio, bytes.name));
    const o = parseBlkioStat(ops.text, file(blkio, ops.name));
    const devices = new Map<string, CgroupIoDevice>();
    const dev = (major: number, minor: number): CgroupIoDevice => {
      const key = `${major}:${minor}`;
      let d = devices.get(key);
      if (!d) devices.set(key, (d = { major, minor, readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 }));
      return d;
    };
    for (const s of b.devices) Object.assign(dev(s.major, s.minor), { readBytes: s.ops['Read'] ?? 0, writeBytes: s.ops['Write'] ?? 0 });
    for (const s of o.devices) Object.assign(dev(s.major, s.minor), { readOps: s.ops['Read'] ?? 0, writeOps: s.ops['Write'] ?? 0 });
    return sumIo([...devices.values()]);
  }
  const dir = loc.unified;
  if (dir === undefined || (loc.mode === 'hybrid' && !isV2(loc, 'io'))) return undefined;
  const text = readTextIfExists(file(dir, 'io.stat'));
  if (text === undefined) return undefined;
  return sumIo(parseIoStat(text, file(dir, 'io.stat')).map(({ major, minor, readBytes, writeBytes, readOps, writeOps }) => ({ major, minor, readBytes, writeBytes, readOps, writeOps })));
}

function readPids(loc: CgroupLocation): CgroupStats['pids'] {
  const dir = loc.controllers['pids'];
  if (dir === undefined) return undefined;
  const current = optNum(dir, 'pids.current');
  if (current === undefined) return undefined;
  return { current, limit: effective(dir, loc.mountRoots['pids'] ?? dir, (d) => optLimit(d, 'pids.max')) };
}

function readPressure(loc: CgroupLocation): CgroupStats['pressure'] {
  const dir = loc.unified;
  if (dir === undefined) return undefined;
  const out: NonNullable<CgroupStats['pressure']> = {};
  for (const kind of ['cpu', 'memory', 'io'] as const) {
    let text: string | undefined;
    try {
      text = readTextIfExists(file(dir, `${kind}.pressure`));
    } catch (err) {
      // PSI compiled in but disabled (psi=0) fails the read with EOPNOTSUPP: that is "absent".
      const code = (err as NsError).code;
      if (code === 'EOPNOTSUPP' || code === 'ENOTSUP') continue;
      throw err;
    }
    if (text !== undefined) out[kind] = parsePressure(text, file(dir, `${kind}.pressure`)) satisfies Pressure;
  }
  return Object.keys(out).length ? out : undefined;
}

function isLocation(x: unknown): x is CgroupLocation {
  return typeof x === 'object' && x !== null && 'controllers' in x && 'mode' in x && 'mountRoots' in x;
}

function isPathSpec(x: unknown): x is CgroupPathSpec {
  return typeof x === 'object' && x !== null && 'path' in x && 'version' in x;
}

/**
 * Reads a snapshot of a cgroup: CPU (ns), memory (bytes, effective limit), block IO (bytes, ops),
 * pids and PSI pressure, the same shape on v1, v2 and hybrid hosts, with `timestampNs` for rates.
 *
 * `what` is a process (`pid`, `{ pid }`, `{ container }`: its cgroups, found with `cgroupOf`), a
 * cgroup path (`{ path, version }`, see `locatePath`), or a `CgroupLocation` from `cgroupOf`
 * (cheapest for repeated reads; keeps reading the cgroup after the process exits).
 * Effective limits (memory, CPU, pids) are the smallest set on the cgroup or any ancestor up to
 * the controller's mount root; null means unlimited. Synchronous: reads pseudo-files only.
 *
 * @throws TypeError for a malformed target; NsError when a file that should be there cannot be read
 *   (ESRCH/ENOENT when the process or cgroup went away); ParseError when a file is malformed
 */
export function readCgroupStats(what: Target | CgroupPathSpec | CgroupLocation, options: RootOptions = {}): CgroupStats {
  const loc = isLocation(what) ? what : isPathSpec(what) ? locatePath(what.path, what.version, options) : cgroupOf(what, options);
  const stats: CgroupStats = { mode: loc.mode, timestampNs: Number(process.hrtime.bigint()) };
  const cpu = readCpu(loc);
  if (cpu) stats.cpu = cpu;
  const memory = readMemory(loc);
  if (memory) stats.memory = memory;
  const io = readIo(loc);
  if (io) stats.io = io;
  const pids = readPids(loc);
  if (pids) stats.pids = pids;
  const pressure = readPressure(loc);
  if (pressure) stats.pressure = pressure;
  return stats;
}
