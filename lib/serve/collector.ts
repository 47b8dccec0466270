// The sample lines of one collection of `nsjoin serve`: a container's or pod's cgroup figures, and
// each network namespace once (see collect.ts for what differs from cAdvisor and why).
import { dirname } from 'node:path';
import { cgroupOf, locatePath } from '../cgroup/locate.js';
import { isV2, readCgroupStats } from '../cgroup/stats.js';
import type { CgroupLocation, CgroupStats } from '../cgroup/types.js';
import type { Container } from '../containers.js';
import { readText } from '../io.js';
import { parseNetDev } from '../parse/netdev.js';
import type { RootOptions } from '../targets.js';
import { FAMILIES, type FamilyId } from './families.js';
import { deviceName, gone, netnsOf, ownLimit, startTime } from './host-facts.js';
import { baseLabels, containerLabels, escapeLabel, formatValue, weightToShares } from './labels.js';

// The names cAdvisor leaves out of container network metrics (lower-cased prefixes).
const IGNORED_INTERFACES = ['lo', 'veth', 'docker', 'nerdctl'];
const ignoredInterface = (name: string): boolean => IGNORED_INTERFACES.some((p) => name.toLowerCase().startsWith(p));
// A container that is root in its network namespace can make thousands of interfaces; each would be
// eight series in every scrape. Past this many per namespace the rest are left out (and counted as
// an error, so container_scrape_error says so).
export const MAX_INTERFACES = 256;

/** Collects the samples; one instance per collection. */
export class Collector {
  readonly samples = Object.fromEntries(Object.keys(FAMILIES).map((k) => [k, [] as string[]])) as unknown as Record<FamilyId, string[]>;
  containers = 0;
  pods = 0;
  netns = 0;
  errors = 0;
  private readonly netCandidates = new Map<number, { labels: string; pid: number; started: number }>();
  /** Start times read in this collection: a pod's own series reuses its containers'. */
  private readonly starts = new Map<number, number | undefined>();
  private readonly hostNetns: number | undefined;
  private readonly procRoot: string;
  private readonly sysRoot: string;

  constructor(private readonly roots: RootOptions) {
    this.procRoot = roots.procRoot ?? '/proc';
    this.sysRoot = roots.sysRoot ?? '/sys';
    // The node's own network namespace: init's (pid 1), or kthreadd's (pid 2, kernel threads live
    // in the initial namespaces) where reading init's is refused (init holds a capability we lack).
    this.hostNetns = netnsOf(this.procRoot, 1) ?? netnsOf(this.procRoot, 2);
  }

  private add(id: FamilyId, labels: string, value: number, extra?: string): void {
    const f = FAMILIES[id];
    const l = extra === undefined ? labels : `${labels},${(f as { extra?: string }).extra}="${escapeLabel(extra)}"`;
    this.samples[id].push(`${f.name}{${l}} ${formatValue(value)}`);
  }

  /** The figures of one cgroup: CPU, memory, IO, pids, pressure and its spec (limits). */
  cgroup(labels: string, loc: CgroupLocation, s: CgroupStats, processes: number, started: number | undefined): void {
    const cpu = s.cpu;
    if (cpu) {
      this.add('cpuUsage', labels, cpu.usageNs / 1e9, 'total');
      if (cpu.userNs !== undefined) this.add('cpuUser', labels, cpu.userNs / 1e9);
      if (cpu.systemNs !== undefined) this.add('cpuSystem', labels, cpu.systemNs / 1e9);
      if (cpu.quotaUs !== null && cpu.throttled) {
        this.add('cfsPeriods', labels, cpu.throttled.periods);
        this.add('cfsThrottledPeriods', labels, cpu.throttled.throttledPeriods);
        this.add('cfsThrottledSeconds', labels, cpu.throttled.throttledNs / 1e9);
      }
      if (cpu.periodUs !== undefined) this.add('specCpuPeriod', labels, cpu.periodUs);
      if (cpu.quotaUs !== null) this.add('specCpuQuota', labels, cpu.quotaUs);
      const shares = cpu.shares ?? (cpu.weight !== undefined ? weightToShares(cpu.weight) : undefined);
      if (shares !== undefined) this.add('specCpuShares', labels, shares);
    }
    const mem = s.memory;
    if (mem) {
      this.add('memoryCache', labels, mem.cache ?? 0);
      this.add('memoryRss', labels, mem.anon ?? 0);
      this.add('memorySwap', labels, mem.swap?.usage ?? 0);
      this.add('memoryUsage', labels, mem.usage);
      this.add('memoryWorkingSet', labels, mem.workingSet);
      this.add('oomEvents', labels, mem.oom.kills);
      const dir = loc.controllers['memory'];
      const limit = ownLimit(dir, isV2(loc, 'memory') ? 'memory.max' : 'memory.limit_in_bytes');
      if (limit !== undefined) this.add('specMemoryLimit', labels, limit ?? 0); // 0 = unlimited, as cAdvisor
    }
    if (s.io) {
      for (const d of s.io.devices) {
        const name = deviceName(this.sysRoot, d.major, d.minor);
        this.add('fsReadBytes', labels, d.readBytes, name);
        this.add('fsWriteBytes', labels, d.writeBytes, name);
      }
    }
    if (s.pids) {
      this.add('threads', labels, s.pids.current);
      const max = ownLimit(loc.controllers['pids'], 'pids.max');
      this.add('threadsMax', labels, max ?? 0); // 0 = unlimited, as cAdvisor
    }
    this.add('processes', labels, processes);
    const p = s.pressure;
    if (p?.cpu) {
      this.add('cpuWaiting', labels, p.cpu.some.totalNs / 1e9);
      this.add('cpuStalled', labels, (p.cpu.full?.totalNs ?? 0) / 1e9);
    }
    if (p?.memory) {
      this.add('memoryWaiting', labels, p.memory.some.totalNs / 1e9);
      this.add('memoryStalled', labels, (p.memory.full?.totalNs ?? 0) / 1e9);
    }
    if (p?.io) {
      this.add('ioWaiting', labels, p.io.some.totalNs / 1e9);
      this.add('ioStalled', labels, (p.io.full?.totalNs ?? 0) / 1e9);
    }
    if (started !== undefined) this.add('startTime', labels, started);
  }

  /**
   * Offers `pid`'s network namespace for the series set `labels`: each namespace is counted once, on
   * the series set whose process started first (the container that made it, or the pod), and the
   * host's own namespace never (that is the node's traffic, not a container's).
   */
  offerNetwork(labels: string, pid: number, started: number | undefined): void {
    const ns = netnsOf(this.procRoot, pid);
    if (ns === undefined || ns === this.hostNetns) return;
    const had = this.netCandidates.get(ns);
    if (!had || (started ?? Infinity) < had.started) this.netCandidates.set(ns, { labels, pid, started: started ?? Infinity });
  }

  /** Reads each offered network namespace once. */
  networks(): void {
    for (const { labels, pid } of this.netCandidates.values()) {
      this.guard(() => {
        const path = `${this.procRoot}/${pid}/net/dev`;
        const devices = parseNetDev(readText(path, pid), path);
        this.netns++;
        let shown = 0;
        for (const d of devices) {
          if (ignoredInterface(d.name)) continue;
          if (++shown > MAX_INTERFACES) {
            this.errors++;
            break;
          }
          this.add('rxBytes', labels, d.rx.bytes, d.name);
          this.add('rxPackets', labels, d.rx.packets, d.name);
          this.add('rxDropped', labels, d.rx.drop, d.name);
          this.add('rxErrors', labels, d.rx.errs, d.name);
          this.add('txBytes', labels, d.tx.bytes, d.name);
          this.add('txPackets', labels, d.tx.packets, d.name);
          this.add('txDropped', labels, d.tx.drop, d.name);
          this.add('txErrors', labels, d.tx.errs, d.name);
        }
      });
    }
  }

  /** When `pid` started (seconds since the epoch), read once per collection. */
  private started(pid: number): number | undefined {
    if (!this.starts.has(pid)) this.starts.set(pid, startTime(this.procRoot, pid));
    return this.starts.get(pid);
  }

  /** Runs `fn`; a container that went away meanwhile is skipped, any other failure counted. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!gone(err)) this.errors++;
    }
  }

  container(c: Container): CgroupLocation | undefined {
    let loc: CgroupLocation | undefined;
    this.guard(() => {
      loc = cgroupOf(c.pid, this.roots);
      const stats = readCgroupStats(loc);
      const labels = containerLabels(c);
      const started = this.started(c.pid);
      this.cgroup(labels, loc, stats, c.pids.length, started);
      this.containers++;
      if (!c.pod) this.offerNetwork(labels, c.pid, started);
    });
    return loc;
  }

  /** A pod's own cgroup (the parent of its containers'), and the network namespace its containers share. */
  pod(members: Container[], loc: CgroupLocation): void {
    const first = members.find((c) => c.sandbox) ?? members[0]!;
    this.guard(() => {
      const path = dirname(first.cgroup);
      const podLoc = locatePath(path, loc.mode === 'v2' ? 2 : 1, this.roots);
      const stats = readCgroupStats(podLoc);
      const labels = baseLabels({
        container: '',
        id: path,
        image: '',
        name: '',
        namespace: first.pod?.namespace ?? '',
        pod: first.pod?.name ?? '',
      });
      const started = Math.min(...members.map((c) => this.started(c.pid) ?? Infinity));
      this.cgroup(
        labels,
        podLoc,
        stats,
        members.reduce((n, c) => n + c.pids.length, 0),
        Number.isFinite(started) ? started : undefined,
      );
      this.pods++;
      this.offerNetwork(labels, first.pid, Number.isFinite(started) ? started : undefined);
    });
  }
}
