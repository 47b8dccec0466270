// One reading of a target for stats and top: its cgroup snapshot and its network counters, and the
// rates between two readings. The cgroups are located once, so a reading keeps working as long as
// the cgroup exists; the network namespace is read through the pid.
import { cgroupOf } from '../cgroup/locate.js';
import { cgroupRates } from '../cgroup/sampler.js';
import { readCgroupStats } from '../cgroup/stats.js';
import type { CgroupLocation, CgroupRates, CgroupStats } from '../cgroup/types.js';
import { readNetDev, type NetDevSample } from '../net/netdev.js';
import { netRates, type NetRates } from '../net/rates.js';
import { cpuView, memoryView, type CpuView, type MemoryView } from '../views.js';

/** One reading. */
export interface Reading {
  cgroup: CgroupStats;
  net?: NetDevSample;
}

/** Rates between two readings, plus the later one's views. */
export interface Figures {
  cgroup: CgroupStats;
  rates: CgroupRates;
  net?: NetRates;
  memory?: MemoryView;
  cpu?: CpuView;
}

/** Reads one target again and again (used by `nsjoin stats` and `nsjoin top`). */
export class Sampler {
  /** The target's cgroups, located once at construction. */
  readonly location: CgroupLocation;
  /** @throws what `cgroupOf` throws (ESRCH when the process is gone) */
  constructor(readonly pid: number) {
    this.location = cgroupOf(pid);
  }

  /** A cgroup snapshot and, while the process lives, its network counters. @throws NsError when the cgroup is gone */
  read(): Reading {
    const cgroup = readCgroupStats(this.location);
    let net: NetDevSample | undefined;
    try {
      net = readNetDev(this.pid, { ifindex: true }); // rates tell a recreated interface by it
    } catch {
      net = undefined; // the process exited: the cgroup figures still mean something
    }
    return net ? { cgroup, net } : { cgroup };
  }

  /** Rates between two readings (cgroupRates, netRates) and the memory and CPU views at `next`. */
  figures(prev: Reading, next: Reading): Figures {
    const out: Figures = { cgroup: next.cgroup, rates: cgroupRates(prev.cgroup, next.cgroup) };
    if (prev.net && next.net && next.net.time > prev.net.time) out.net = netRates(prev.net, next.net);
    try {
      out.memory = memoryView(this.pid);
    } catch {
      /* no memory controller, or exited */
    }
    try {
      out.cpu = cpuView(this.pid);
    } catch {
      /* exited */
    }
    return out;
  }
}
