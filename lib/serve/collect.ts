// One collection for `nsjoin serve`: every container on this host (listContainers), the cgroup
// snapshot of each (readCgroupStats), its network namespace's /proc/PID/net/dev, and for Kubernetes
// pods a pod-level series too, all as sample lines under cAdvisor's names and labels. Synchronous:
// pseudo-files only. What differs from cAdvisor on purpose (README "nsjoin serve"):
// - a network namespace is counted once: a pod's on the pod-level series (container=""), shared by
//   all its containers; a plain container's on its own series; the host's namespace not at all;
// - the pod-level series has container="" and image="", the sandbox container="POD", so that
//   sum(...{container!="",container!="POD"}) counts each container once and sum(...{container=""})
//   each pod once (cAdvisor's users filter on the same values);
// - no sample carries a timestamp (Prometheus' staleness handling removes what is gone), and a
//   container that is gone is simply not in the next collection.
import { readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { cgroupOf, locatePath } from '../cgroup/locate.js';
import { isV2, readCgroupStats } from '../cgroup/stats.js';
import type { CgroupLocation, CgroupStats } from '../cgroup/types.js';
import { listContainers, type Container } from '../containers.js';
import type { NsError } from '../errors.js';
import { readText, readTextIfExists } from '../io.js';
import { USER_HZ } from '../parse/cpuacct.js';
import { parseNetDev } from '../parse/netdev.js';
import { parseLimit } from '../parse/single-value.js';
import type { RootOptions } from '../targets.js';
import { FAMILIES, type FamilyId } from './families.js';

/** What one collection found: sample lines (`name{labels} value`) per family, and counts. */
export interface Collection {
  samples: Record<FamilyId, string[]>;
  /** Container series written (pods' own series not counted). */
  containers: number;
  /** Pod-level series written. */
  pods: number;
  /** Network namespaces read (each once). */
  netns: number;
  /** Reads that failed for a reason other than the container having gone away. */
  errors: number;
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** A sample value: integers and floats as JavaScript prints them (Prometheus parses both), +Inf/-Inf/NaN spelled out. */
export function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/** The base labels, in cAdvisor's (sorted) order: container, id, image, name, namespace, pod. */
function baseLabels(l: { container: string; id: string; image: string; name: string; namespace: string; pod: string }): string {
  return `container="${escapeLabel(l.container)}",id="${escapeLabel(l.id)}",image="${escapeLabel(l.image)}",name="${escapeLabel(l.name)}",namespace="${escapeLabel(l.namespace)}",pod="${escapeLabel(l.pod)}"`;
}

function containerLabels(c: Container): string {
  return baseLabels({
    container: c.sandbox ? 'POD' : c.pod ? (c.name ?? '') : '',
    id: c.cgroup,
    image: c.image ?? '',
    name: c.name ?? '',
    namespace: c.pod?.namespace ?? '',
    pod: c.pod?.name ?? '',
  });
}

/** cAdvisor's conversion of a cgroup v2 cpu.weight (1-10000) to v1 shares (2-262144). */
export function weightToShares(weight: number): number {
  return 2 + Math.floor(((weight - 1) * 262142) / 9999);
}

// The names cAdvisor leaves out of container network metrics (lower-cased prefixes).
const IGNORED_INTERFACES = ['lo', 'veth', 'docker', 'nerdctl'];
const ignoredInterface = (name: string): boolean => IGNORED_INTERFACES.some((p) => name.toLowerCase().startsWith(p));
// A container that is root in its network namespace can make thousands of interfaces; each would be
// eight series in every scrape. Past this many per namespace the rest are left out (and counted as
// an error, so container_scrape_error says so).
export const MAX_INTERFACES = 256;

function netnsOf(procRoot: string, pid: number | string): number | undefined {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`${procRoot}/${pid}/ns/net`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

// Block device names by major:minor (/sys/dev/block/M:m/uevent DEVNAME), as cAdvisor names them
// ('/dev/sda'). Bounded: devices come and go (loop devices), names of gone ones are dropped.
const deviceNames = new Map<string, string>();
function deviceName(sysRoot: string, major: number, minor: number): string {
  const key = `${major}:${minor}`;
  let name = deviceNames.get(key);
  if (name === undefined) {
    const uevent = readTextIfExists(`${sysRoot}/dev/block/${key}/uevent`);
    const m = uevent === undefined ? null : /^DEVNAME=(.+)$/m.exec(uevent);
    name = m ? `/dev/${m[1]}` : key;
    if (deviceNames.size >= 1024) deviceNames.clear();
    deviceNames.set(key, name);
  }
  return name;
}

const bootTimes = new Map<string, number>();
/** Seconds since the epoch at boot (/proc/stat btime); fixed for the life of the host. */
function bootTime(procRoot: string): number {
  let b = bootTimes.get(procRoot);
  if (b === undefined) {
    const m = /^btime (\d+)$/m.exec(readText(`${procRoot}/stat`));
    b = m ? Number(m[1]) : 0;
    bootTimes.set(procRoot, b);
  }
  return b;
}

/** When a process started, in seconds since the epoch (/proc/PID/stat starttime, in USER_HZ ticks since boot). */
function startTime(procRoot: string, pid: number): number | undefined {
  const stat = readTextIfExists(`${procRoot}/${pid}/stat`);
  if (stat === undefined) return undefined;
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  return Number.isFinite(ticks) ? bootTime(procRoot) + ticks / USER_HZ : undefined;
}

/** A limit file of the cgroup itself (not its ancestors), as cAdvisor's spec reads it: null = unlimited. */
function ownLimit(dir: string | undefined, name: string): number | null | undefined {
  if (dir === undefined) return undefined;
  const text = readTextIfExists(`${dir}/${name}`);
  return text === undefined ? undefined : parseLimit(text, `${dir}/${name}`);
}

const gone = (err: unknown): boolean => {
  const code = (err as NsError).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'ENODEV';
};

/** Collects the samples; one instance per collection. */
class Collector {
  readonly samples = Object.fromEntries(Object.keys(FAMILIES).map((k) => [k, [] as string[]])) as unknown as Record<FamilyId, string[]>;
  containers = 0;
  pods = 0;
  netns = 0;
  errors = 0;
  private readonly netCandidates = new Map<number, { labels: string; pid: number; started: number }>();
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
      const started = startTime(this.procRoot, c.pid);
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
      const labels = baseLabels({ container: '', id: path, image: '', name: '', namespace: first.pod?.namespace ?? '', pod: first.pod?.name ?? '' });
      const started = Math.min(...members.map((c) => startTime(this.procRoot, c.pid) ?? Infinity));
      this.cgroup(labels, podLoc, stats, members.reduce((n, c) => n + c.pids.length, 0), Number.isFinite(started) ? started : undefined);
      this.pods++;
      this.offerNetwork(labels, first.pid, Number.isFinite(started) ? started : undefined);
    });
  }
}

/**
 * Reads every container on this host once and returns its samples under cAdvisor's metric names
 * and labels (see FAMILIES): one series set per container, one per Kubernetes pod (the pod's own
 * cgroup, container=""), network once per network namespace. Containers that exit during the
 * collection are left out; other read failures (procRoot not listable, EACCES, a malformed file)
 * are counted in `errors` and set container_scrape_error to 1: it does not throw for them.
 */
export function collect(roots: RootOptions = {}): Collection {
  const run = steps(roots);
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/**
 * As `collect`, but gives the event loop a turn after every `chunk` containers, so that a server
 * stays responsive during a collection of many containers and scrapes that arrive meanwhile can
 * join it (MetricsCollector).
 */
export async function collectAsync(roots: RootOptions = {}, chunk = 10): Promise<Collection> {
  // The first turn too: requests already read from their sockets join before any file is read.
  await new Promise((resolve) => setImmediate(resolve));
  const run = steps(roots);
  for (let n = 1; ; n++) {
    const r = run.next();
    if (r.done) return r.value;
    if (n % chunk === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The collection, one step (yield) per container or pod. */
function* steps(roots: RootOptions): Generator<void, Collection> {
  const col = new Collector(roots);
  let all: Container[] = [];
  try {
    all = listContainers(roots);
  } catch {
    col.errors++;
  }
  yield;
  const pods = new Map<string, { members: Container[]; loc?: CgroupLocation }>();
  // Sandboxes first, so that a pod's network is read from its sandbox when it has one.
  for (const c of all.filter((x) => x.sandbox).concat(all.filter((x) => !x.sandbox))) {
    const loc = col.container(c);
    if (c.pod && loc) {
      let p = pods.get(c.pod.uid);
      if (!p) pods.set(c.pod.uid, (p = { members: [] }));
      p.members.push(c);
      p.loc ??= loc;
    }
    yield;
  }
  for (const p of pods.values()) {
    col.pod(p.members, p.loc!);
    yield;
  }
  col.networks();
  col.samples.scrapeError.push(`${FAMILIES.scrapeError.name} ${col.errors > 0 ? 1 : 0}`);
  return { samples: col.samples, containers: col.containers, pods: col.pods, netns: col.netns, errors: col.errors };
}
