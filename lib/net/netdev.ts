import { performance } from 'node:perf_hooks';
import { readProc } from '../io.js';
import { readNsInode } from '../namespaces.js';
import { parseNetDev, type NetDevice } from '../parse/netdev.js';
import { resolveTarget, type RootOptions, type Target } from '../targets.js';
import { netnsIfindexes } from './ifindex.js';

/** One device of a NetDevSample: the /proc/net/dev counters plus its ifindex when the kernel shows it. */
export interface NetDevStat extends NetDevice {
  /**
   * Interface index in its namespace, from /proc/PID/net/igmp or if_inet6: only when readNetDev was
   * asked for it (`{ ifindex: true }`); undefined otherwise, and for a device with neither IPv4
   * multicast state nor an IPv6 address (typically one that was never up).
   */
  ifindex?: number;
}

/** The network devices of one network namespace at one moment; give two of them to netRates. */
export interface NetDevSample {
  /** Host pid whose network namespace was read. */
  pid: number;
  /**
   * Inode of that network namespace (as in /proc/PID/ns/net, `net:[INODE]`); undefined when the
   * link cannot be read (e.g. a captured procRoot without it).
   */
  netns?: number;
  /**
   * When the sample was taken, in milliseconds since the Unix epoch but from a monotonic clock
   * (performance.timeOrigin + performance.now()), so that differences never jump with the wall clock.
   */
  time: number;
  /** The devices, in /proc/net/dev order. */
  devices: NetDevStat[];
}

/** Options of readNetDev. */
export interface ReadNetDevOptions extends Pick<RootOptions, 'procRoot'> {
  /**
   * Also read /proc/PID/net/igmp and net/if_inet6 to give each device its `ifindex` (two more
   * files: about three times the cost of net/dev alone). Default false. Ask for it when samples
   * are compared over time (netRates): an interface deleted and recreated under the same name is
   * told by its new ifindex even when its new counters are higher than the old ones.
   */
  ifindex?: boolean;
}

/**
 * Reads /proc/PID/net/dev: the network devices and counters of the network namespace of the target
 * (default: our own process), as that namespace sees them, without joining it. Synchronous: these
 * are in-memory kernel files. Counters are exact up to 2^53 (see NetDevice). Reads that one file
 * and the /proc/PID/ns/net link; `{ ifindex: true }` adds each device's ifindex (two more files).
 *
 * @throws TypeError/RangeError for a malformed target; NsError 'ESRCH' when the process does not
 *   exist, other NsErrors from reading (e.g. 'EACCES'); ParseError if the file is malformed
 */
export function readNetDev(target?: Target, roots: ReadNetDevOptions = {}): NetDevSample {
  const procRoot = roots.procRoot ?? '/proc';
  const pid = target === undefined ? process.pid : resolveTarget(target, roots);
  const path = `${procRoot}/${pid}/net/dev`;
  const text = readProc(procRoot, pid, path);
  const time = performance.timeOrigin + performance.now();
  const devices: NetDevStat[] = parseNetDev(text, path);
  if (roots.ifindex === true) {
    const indexes = netnsIfindexes(procRoot, pid);
    for (const d of devices) {
      const index = indexes.get(d.name);
      if (index !== undefined) d.ifindex = index;
    }
  }
  const netns = netnsInode(procRoot, pid);
  return netns === undefined ? { pid, time, devices } : { pid, netns, time, devices };
}

/** The inode of /proc/PID/ns/net, or undefined when it cannot be read. */
export function netnsInode(procRoot: string, pid: number | 'self'): number | undefined {
  try {
    return readNsInode(procRoot, pid, 'net');
  } catch {
    return undefined;
  }
}
