// The shapes nsjoin returns for cgroups. Units: bytes and nanoseconds, except where a name says
// otherwise (quotaUs, periodUs: the kernel's own microseconds for the CPU bandwidth settings).
import type { IoStatDevice } from '../parse/io-stat.js';
import type { Pressure } from '../parse/pressure.js';

export type { Pressure, PressureLine } from '../parse/pressure.js';

/** 'v1': only cgroup v1 hierarchies; 'v2': only cgroup2; 'hybrid': both mounted (v1 controllers plus a cgroup2 mount). */
export type CgroupMode = 'v1' | 'v2' | 'hybrid';

/** Where a process's cgroups are, as returned by `cgroupOf`. */
export interface CgroupLocation {
  mode: CgroupMode;
  /**
   * Directory of each controller ('cpu', 'cpuacct', 'memory', 'blkio', 'pids', 'io', 'name=systemd',
   * ...) in the reader's mount namespace, with `sysRoot` applied. A controller the reader cannot reach
   * (not mounted, or outside every mount of its hierarchy) is left out.
   */
  controllers: Record<string, string>;
  /** The process's directory in the cgroup2 hierarchy (pressure and cgroup.* files), when cgroup2 is mounted. */
  unified?: string;
  /** The mount point of each controller's hierarchy: the top of the walk for effective limits. */
  mountRoots: Record<string, string>;
  /** The cgroup2 mount point, when `unified` is set. */
  unifiedMountRoot?: string;
}

/** CPU figures of a cgroup. */
export interface CgroupCpu {
  /** CPU time used by the cgroup and its descendants, ns. */
  usageNs: number;
  /** User and system CPU time, ns (v1: from cpuacct.stat ticks, 10 ms resolution). */
  userNs?: number;
  systemNs?: number;
  /** Effective limit in cores (quota/period), the smallest along the ancestors; null = unlimited. */
  limitCores: number | null;
  /** This cgroup's own quota per period (us); null = unlimited (v1 -1, v2 'max'). */
  quotaUs: number | null;
  /** This cgroup's own period (us). */
  periodUs?: number;
  /** v1 cpu.shares. */
  shares?: number;
  /** v2 cpu.weight. */
  weight?: number;
  /** Bandwidth control: periods elapsed, periods throttled, and time throttled (ns). */
  throttled?: { periods: number; throttledPeriods: number; throttledNs: number };
}

/** Memory figures of a cgroup, bytes. */
export interface CgroupMemory {
  /** memory.current (v2) / memory.usage_in_bytes (v1): includes page cache. */
  usage: number;
  /** Effective limit: the smallest along the ancestors up to the mount root; null = unlimited. */
  limit: number | null;
  /** usage - inactive_file (v1: total_inactive_file), never below 0: what kubelet evicts on, and what users mean by "used". */
  workingSet: number;
  /** Page cache: v2 'file', v1 'total_cache'. */
  cache?: number;
  /** Anonymous memory: v2 'anon', v1 'total_rss'. */
  anon?: number;
  /** Swap used and its limit (v1: memsw limit minus memory limit; null = unlimited). */
  swap?: { usage: number; limit: number | null };
  /** Highest usage seen: v2 memory.peak, v1 memory.max_usage_in_bytes. */
  peak?: number;
  oom: {
    /** Processes killed by the OOM killer in this cgroup (and, on v2, its descendants). */
    kills: number;
    /** v2: times the OOM killer was invoked (memory.events 'oom'). */
    events?: number;
    /** v1 memory.oom_control oom_kill_disable. */
    killDisabled?: boolean;
    /** v1 memory.oom_control under_oom. */
    underOom?: boolean;
  };
  /**
   * memory.stat as printed (bytes for sizes, counts for events); every key kept, matched exactly.
   * Values meaning "unlimited" (v1 hierarchical_memory_limit, hierarchical_memsw_limit: >= 2^62) are
   * Infinity (JSON: null); other values above 2^53 would lose their last digits.
   */
  stat: Record<string, number>;
}

/** Block IO of one device, bytes and operations: io.stat's figures (v1 blkio files give the same). */
export type CgroupIoDevice = Omit<IoStatDevice, 'fields'>;

/**
 * Block IO of a cgroup and its descendants: per device and summed. On cgroup v1 this comes from the
 * blkio.throttle.* files, which recent kernels only fill for a device once a throttle rule has been
 * set on it (blk-throttle is set up lazily); before that they read 0.
 */
export interface CgroupIo {
  devices: CgroupIoDevice[];
  readBytes: number;
  writeBytes: number;
  readOps: number;
  writeOps: number;
}

/**
 * A snapshot of a cgroup: the same shape on v1, v2 and hybrid hosts. A controller that is absent
 * (root cgroup, not enabled, not mounted) leaves its field out.
 */
export interface CgroupStats {
  mode: CgroupMode;
  /**
   * When the snapshot was taken: `process.hrtime.bigint()` as a number of nanoseconds (monotonic,
   * arbitrary origin; only differences mean anything). `cgroupRates` divides by it.
   */
  timestampNs: number;
  cpu?: CgroupCpu;
  memory?: CgroupMemory;
  io?: CgroupIo;
  /** Processes (tasks) in the cgroup and the effective pids.max (smallest along the ancestors; null = unlimited). */
  pids?: { current: number; limit: number | null };
  /** PSI from the cgroup2 directory (v2 and hybrid) when the kernel has it enabled. */
  pressure?: { cpu?: Pressure; memory?: Pressure; io?: Pressure };
}

/** Rates between two snapshots of the same cgroup, from `cgroupRates`. */
export interface CgroupRates {
  /** Time between the snapshots, ns. */
  intervalNs: number;
  cpu?: {
    /** CPU cores used on average (1.0 = one core busy the whole interval). */
    cores: number;
    /** cores / limitCores * 100; null when unlimited. */
    percentOfLimit: number | null;
    /** Share (0-1) of the elapsed bandwidth periods in which the cgroup was throttled; null without bandwidth control or periods. */
    throttledShare: number | null;
  };
  /** The memory figures of the later snapshot (bytes). */
  memory?: { usage: number; workingSet: number; limit: number | null };
  io?: { readBytesPerSec: number; writeBytesPerSec: number; readOpsPerSec: number; writeOpsPerSec: number };
}
