// What `nsjoin serve` reads besides the cgroup snapshots and net/dev: namespace inodes, block
// device names, process start times and a cgroup's own limits; and which failures mean "gone".
import { readlinkSync } from 'node:fs';
import type { NsError } from '../errors.js';
import { readText, readTextIfExists } from '../io.js';
import { USER_HZ } from '../parse/cpuacct.js';
import { parseLimit } from '../parse/single-value.js';
import { parseProcStat } from '../parse/proc-stat.js';

/** The inode of the network namespace of `pid`; undefined when it cannot be read (gone, refused). */
export function netnsOf(procRoot: string, pid: number | string): number | undefined {
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
/** The name of block device `major:minor` ('/dev/sda'), or 'major:minor' when sysfs does not say. */
export function deviceName(sysRoot: string, major: number, minor: number): string {
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
export function startTime(procRoot: string, pid: number): number | undefined {
  const stat = readTextIfExists(`${procRoot}/${pid}/stat`);
  if (stat === undefined) return undefined;
  try {
    return bootTime(procRoot) + parseProcStat(stat, `${procRoot}/${pid}/stat`).startTime / USER_HZ;
  } catch {
    return undefined; // no start time for this series rather than a failed scrape
  }
}

/** A limit file of the cgroup itself (not its ancestors), as cAdvisor's spec reads it: null = unlimited. */
export function ownLimit(dir: string | undefined, name: string): number | null | undefined {
  if (dir === undefined) return undefined;
  const text = readTextIfExists(`${dir}/${name}`);
  return text === undefined ? undefined : parseLimit(text, `${dir}/${name}`);
}

/** Whether a read failed because the process or cgroup went away (not an error of the collection). */
export const gone = (err: unknown): boolean => {
  const code = (err as NsError).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'ENODEV';
};
