// What free, nproc and top would say inside a container if they read its cgroup instead of the
// host's /proc/meminfo and CPU list. Only exact memory.stat keys are used (lxcfs matched them by
// prefix, so 'mapped_file' was found for Mapped on v1 and nothing on v2), and the CPU quota is read
// from the cpu controller's own hierarchy, wherever it is mounted (libuv missed it when cpu is
// mounted alone).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cgroupOf } from './cgroup/locate.js';
import { sampleCgroup } from './cgroup/sampler.js';
import { ancestry, cpuLimitCores, isV2, readCgroupStats } from './cgroup/stats.js';
import type { CgroupLocation } from './cgroup/types.js';
import { NsError } from './errors.js';
import { readText, readTextIfExists } from './io.js';
import { parseCpuList } from './parse/cpu-list.js';
import { parseMeminfo } from './parse/meminfo.js';
import { resolveTarget, type RootOptions, type Target } from './targets.js';

/** Memory as `free` would show it inside the container, bytes. */
export interface MemoryView {
  /** The effective memory limit (smallest along the ancestors), capped at the host's MemTotal. */
  total: number;
  /** The working set: usage minus inactive file pages (what kubelet evicts on), at most `total`. */
  used: number;
  /** total - used. */
  free: number;
  /** Shared memory (tmpfs, shm): v1 total_shmem, v2 shmem. */
  shared: number;
  /** Page cache: v1 total_cache, v2 file (shmem included, as the kernel counts it). */
  buffCache: number;
  /**
   * Estimate of what can still be allocated without swapping:
   * min(total, free + active_file + slab_reclaimable) — `free` already counts inactive_file, since
   * `used` excludes it; v1 memory.stat has no slab keys, so there it is free + total_active_file.
   */
  available: number;
  /** Swap the container may use: its swap limit capped at the host's SwapTotal; 0 without swap accounting. */
  swapTotal: number;
  swapUsed: number;
  /** swapTotal - swapUsed, never below 0. */
  swapFree: number;
}

/** What `cpuView` returns. */
export interface CpuView {
  /** What `nproc` should say inside: ceil(quotaCores), at most the cpuset size and the host's CPU count, at least 1. */
  cpus: number;
  /** The smallest quota/period along the cgroup's ancestors, in cores; null when no quota applies. */
  quotaCores: number | null;
  /** The CPUs the container may run on (effective cpuset), ascending. */
  cpuset: number[];
}

const roots = (o: RootOptions): { procRoot: string; sysRoot: string } => ({
  procRoot: o.procRoot ?? '/proc',
  sysRoot: o.sysRoot ?? '/sys',
});

function hostMeminfo(procRoot: string): Record<string, number> {
  return parseMeminfo(readText(`${procRoot}/meminfo`), `${procRoot}/meminfo`);
}

interface MemoryFigures {
  view: MemoryView;
  /** memory.stat under the names of the v2 keys, from exact v1 total_* keys on v1. */
  stat: (v2Key: string, v1Key: string) => number;
}

function memoryFigures(target: Target, options: RootOptions): MemoryFigures {
  const pid = resolveTarget(target, options);
  const loc = cgroupOf(pid, options);
  const mem = readCgroupStats(loc, options).memory;
  if (!mem) {
    throw new NsError('ENOENT', `no memory controller for process ${pid}: its cgroup has no memory accounting`, { pid });
  }
  const v2 = isV2(loc, 'memory');
  const stat = (v2Key: string, v1Key: string): number => {
    const v = mem.stat[v2 ? v2Key : v1Key];
    return v === undefined || !Number.isFinite(v) ? 0 : v;
  };
  const host = hostMeminfo(roots(options).procRoot);
  const hostTotal = host['MemTotal'] ?? Infinity;
  const total = Math.min(mem.limit ?? Infinity, hostTotal);
  const used = Math.min(mem.workingSet, total);
  const free = total - used;
  const available = Math.min(total, free + stat('active_file', 'total_active_file') + (v2 ? stat('slab_reclaimable', '') : 0));
  const hostSwap = host['SwapTotal'] ?? 0;
  const swapTotal = mem.swap ? Math.min(mem.swap.limit ?? Infinity, hostSwap) : 0;
  const swapUsed = mem.swap ? mem.swap.usage : 0;
  return {
    view: {
      total,
      used,
      free,
      shared: stat('shmem', 'total_shmem'),
      buffCache: stat('file', 'total_cache'),
      available,
      swapTotal,
      swapUsed,
      swapFree: Math.max(0, swapTotal - swapUsed),
    },
    stat,
  };
}

/**
 * Memory as `free` would show it inside the container of `target`: the effective limit as total,
 * the working set as used (see MemoryView for every formula). Bytes. Synchronous.
 *
 * @throws TypeError/RangeError for a malformed target; NsError 'ENSJOIN_NO_CONTAINER' and the like
 *   for `{ container }`, ESRCH when the process is gone, ENOENT when its cgroup has no
 *   memory controller (e.g. the root cgroup on v2); ParseError for a malformed kernel file
 */
export function memoryView(target: Target, options: RootOptions = {}): MemoryView {
  return memoryFigures(target, options).view;
}

/**
 * The container's memory as /proc/meminfo text (what lxcfs serves in its place, with exact keys):
 * MemTotal, MemFree, MemAvailable from `memoryView`, the LRU lists, Dirty, Writeback, AnonPages,
 * Mapped, Shmem, slab and the rest from memory.stat (v2 keys, or the v1 total_* keys), in kB, in
 * the kernel's order and layout. Fields the cgroup does not account (Buffers, Mlocked, and on v1
 * the slab lines) read 0, as under lxcfs.
 *
 * @throws what `memoryView` throws
 */
export function meminfo(target: Target, options: RootOptions = {}): string {
  const { view, stat } = memoryFigures(target, options);
  const rows: Array<[string, number]> = [
    ['MemTotal', view.total],
    ['MemFree', view.free],
    ['MemAvailable', view.available],
    ['Buffers', 0],
    ['Cached', Math.max(0, view.buffCache - stat('swapcached', 'total_swapcached'))],
    ['SwapCached', stat('swapcached', 'total_swapcached')],
    ['Active', stat('active_anon', 'total_active_anon') + stat('active_file', 'total_active_file')],
    ['Inactive', stat('inactive_anon', 'total_inactive_anon') + stat('inactive_file', 'total_inactive_file')],
    ['Active(anon)', stat('active_anon', 'total_active_anon')],
    ['Inactive(anon)', stat('inactive_anon', 'total_inactive_anon')],
    ['Active(file)', stat('active_file', 'total_active_file')],
    ['Inactive(file)', stat('inactive_file', 'total_inactive_file')],
    ['Unevictable', stat('unevictable', 'total_unevictable')],
    ['Mlocked', 0],
    ['SwapTotal', view.swapTotal],
    ['SwapFree', view.swapFree],
    ['Dirty', stat('file_dirty', 'total_dirty')],
    ['Writeback', stat('file_writeback', 'total_writeback')],
    ['AnonPages', stat('anon', 'total_rss')],
    ['Mapped', stat('file_mapped', 'total_mapped_file')],
    ['Shmem', stat('shmem', 'total_shmem')],
    ['KReclaimable', stat('slab_reclaimable', '')],
    ['Slab', stat('slab', '')],
    ['SReclaimable', stat('slab_reclaimable', '')],
    ['SUnreclaim', stat('slab_unreclaimable', '')],
    ['KernelStack', stat('kernel_stack', '')],
    ['PageTables', stat('pagetables', '')],
    ['AnonHugePages', stat('anon_thp', 'total_rss_huge')],
    ['ShmemHugePages', stat('shmem_thp', '')],
    ['FileHugePages', stat('file_thp', '')],
  ];
  return rows.map(([key, bytes]) => `${`${key}:`.padEnd(16)}${String(Math.floor(bytes / 1024)).padStart(8)} kB\n`).join('');
}

function cpusetOf(loc: CgroupLocation, hostCpus: number[]): number[] {
  // On v2 a cgroup without the cpuset controller enabled runs on its nearest ancestor's cpuset.
  const dir = loc.controllers['cpuset'] ?? loc.unified;
  if (dir !== undefined) {
    const v2 = dir === loc.unified;
    for (const d of ancestry(dir, (v2 ? loc.unifiedMountRoot : loc.mountRoots['cpuset']) ?? dir)) {
      for (const name of v2 ? ['cpuset.cpus.effective'] : ['cpuset.effective_cpus', 'cpuset.cpus']) {
        const text = readTextIfExists(join(d, name));
        if (text === undefined) continue;
        const cpus = parseCpuList(text, join(d, name));
        if (cpus.length > 0) return cpus;
      }
    }
  }
  return hostCpus;
}

function hostCpuList(sysRoot: string): number[] {
  const path = join(sysRoot, 'devices/system/cpu/online');
  const text = readTextIfExists(path);
  if (text !== undefined) return parseCpuList(text, path);
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

/**
 * The CPUs the container of `target` has, as `nproc` should report them inside: `cpus` =
 * ceil(smallest quota/period along the ancestors), at most the size of its effective cpuset and the
 * host's online CPU count, at least 1. The quota is read from the cpu controller's own directory,
 * so hosts with cpu mounted alone (not co-mounted with cpuacct) are handled. Synchronous.
 *
 * @throws TypeError/RangeError for a malformed target; NsError when the process is gone or its
 *   cgroup files cannot be read; ParseError for a malformed kernel file
 */
export function cpuView(target: Target, options: RootOptions = {}): CpuView {
  const pid = resolveTarget(target, options);
  const loc = cgroupOf(pid, options);
  const host = hostCpuList(roots(options).sysRoot);
  const quotaCores = cpuLimitCores(loc);
  const cpuset = cpusetOf(loc, host);
  let cpus = Math.min(cpuset.length, host.length);
  if (quotaCores !== null) cpus = Math.min(cpus, Math.ceil(quotaCores));
  return { cpus: Math.max(1, cpus), quotaCores, cpuset };
}

/** What `cpuUsage` returns. */
export interface CpuUsage {
  /** Time between the two readings, ns. */
  intervalNs: number;
  /** CPU cores used on average over the interval (1.0 = one core busy all the time). */
  cores: number;
  /** cores / cpuView().cpus * 100: the %Cpu(s) that top would show inside the container. */
  percent: number;
  /** cores / quotaCores * 100; null without a quota. */
  percentOfLimit: number | null;
  /** Share (0-1) of the bandwidth periods in which the container was throttled; null without a quota. */
  throttledShare: number | null;
  /** The CPU view the percentages were computed against. */
  view: CpuView;
}

/**
 * Measures the CPU use of the container of `target` over `intervalMs` (default 1000) from its
 * cgroup's CPU time: cores used, % of its CPUs as top shows it, % of its quota, throttled share.
 *
 * @throws what `cpuView` throws; NsError ENOENT when the cgroup has no CPU accounting; RangeError
 *   for a bad interval; the abort reason when `signal` aborts
 */
export async function cpuUsage(
  target: Target,
  options: RootOptions & { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<CpuUsage> {
  const pid = resolveTarget(target, options);
  const view = cpuView(pid, options);
  const rates = await sampleCgroup(pid, options);
  if (!rates.cpu) throw new NsError('ENOENT', `no CPU accounting for process ${pid} (no cpuacct or cpu.stat in its cgroup)`, { pid });
  const quota = view.quotaCores;
  return {
    intervalNs: rates.intervalNs,
    cores: rates.cpu.cores,
    percent: (rates.cpu.cores / view.cpus) * 100,
    percentOfLimit: quota === null || quota === 0 ? null : (rates.cpu.cores / quota) * 100,
    throttledShare: rates.cpu.throttledShare,
    view,
  };
}
