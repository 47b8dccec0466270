// Reading an interface's figures from a sysfs that a container controls (/proc/PID/root/sys), only
// after checking that it shows the target's network namespace; every path is resolved with openat2
// beneath an fd (lib/inroot.ts), never walked by name from the host.
import { closeSync, readdirSync, statfsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NsError } from '../errors.js';
import { fdPath, openat2, openDirInRoot, openFlags, readTextBeneath, readTextBeneathIfExists } from '../inroot.js';
import { readText } from '../io.js';
import { parseNetDev } from '../parse/netdev.js';
import { netnsIfindexes, snmp6Ifindex } from './ifindex.js';
import { figures, toCount, type SysfsFigures } from './sysfs-figures.js';

const SYSFS_MAGIC = 0x62656572;
const AT_FDCWD = -100;

/**
 * Reads `name` from the sysfs at `rel` inside the directory `root` (resolved as if `root` were `/`:
 * openat2 RESOLVE_IN_ROOT, so a container's symlinks cannot lead to the host's files) if that sysfs
 * shows the network namespace of `pid`, else returns undefined. The sysfs is opened once and checked
 * to be a sysfs; every later path is resolved from that fd without leaving its mount (RESOLVE_NO_XDEV),
 * so swapping directories in the container after the check changes nothing, and files are opened
 * O_NONBLOCK and read only when regular (a FIFO cannot block us).
 *
 * A sysfs carries no mark of its namespace, so this checks everything procfs can confirm without
 * joining: its devices are exactly those of /proc/PID/net/dev; every ifindex procfs shows (and
 * `name`'s at least) is equal; and `name`'s byte and packet counters lie between two reads of
 * /proc/PID/net/dev, one before and one after. Two namespaces that agree on all of that at that
 * moment (say two fresh ones with an idle `lo`) give the same counters either way. Exported for tests.
 */
export function readCheckedSysfs(root: string, rel: string, name: string, procRoot: string, pid: number): SysfsFigures | undefined {
  const devPath = `${procRoot}/${pid}/net/dev`;
  const fds: number[] = [];
  const keep = (fd: number): number => {
    fds.push(fd);
    return fd;
  };
  try {
    const before = parseNetDev(readText(devPath, pid), devPath);
    const names = before.map((d) => d.name);
    const c = openFlags();
    const rootFd = keep(openat2(AT_FDCWD, root, c.O_PATH | c.O_DIRECTORY, 0));
    const sysFd = keep(openDirInRoot(rootFd, rel, `${root}/${rel}`, pid));
    if (statfsSync(fdPath(sysFd)).type !== SYSFS_MAGIC) return undefined;
    // Inside the sysfs mount only: class/net/NAME are relative links into devices/.
    const inSysfs = (path: string) =>
      keep(
        openat2(
          sysFd,
          path,
          c.O_PATH | c.O_DIRECTORY,
          c.RESOLVE_IN_ROOT | c.RESOLVE_NO_MAGICLINKS | c.RESOLVE_NO_XDEV,
          `${root}/${rel}/${path}`,
          pid,
        ),
      );
    const classFd = inSysfs('class/net');
    const listed = readdirSync(fdPath(classFd), { withFileTypes: true })
      .filter((e) => e.isSymbolicLink())
      .map((e) => e.name);
    if (listed.length !== names.length || !listed.every((n) => names.includes(n))) return undefined;
    const known = netnsIfindexes(procRoot, pid);
    const own = known.get(name) ?? snmp6Ifindex(procRoot, pid, name);
    if (own === undefined) return undefined;
    known.set(name, own);
    const devDirs = new Map<string, number>();
    for (const [dev, index] of known) {
      if (!names.includes(dev)) continue;
      const fd = inSysfs(`class/net/${dev}`);
      devDirs.set(dev, fd);
      if (toCount(readTextBeneath(fd, 'ifindex', `${root}/${rel}/class/net/${dev}/ifindex`, pid).trim()) !== index) return undefined;
    }
    const found = readFromSysfs(devDirs.get(name)!, `${root}/${rel}/class/net/${name}`, pid, keep);
    const after = parseNetDev(readText(devPath, pid), devPath);
    const [d0, d1] = [before.find((d) => d.name === name), after.find((d) => d.name === name)];
    if (!d0 || !d1) return undefined;
    const st = found.statistics;
    const within = (lo: number, v: number | undefined, hi: number) => v !== undefined && lo <= v && v <= hi;
    if (
      !within(d0.rx.bytes, st.rx_bytes, d1.rx.bytes) ||
      !within(d0.tx.bytes, st.tx_bytes, d1.tx.bytes) ||
      !within(d0.rx.packets, st.rx_packets, d1.rx.packets) ||
      !within(d0.tx.packets, st.tx_packets, d1.tx.packets)
    )
      return undefined;
    return found;
  } catch {
    return undefined;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** Reads the figures under the device directory `devFd` (`where` names it in errors); `keep` closes fds later. */
function readFromSysfs(devFd: number, where: string, pid: number, keep: (fd: number) => number): SysfsFigures {
  const c = openFlags();
  const statsFd = keep(
    openat2(
      devFd,
      'statistics',
      c.O_PATH | c.O_DIRECTORY,
      c.RESOLVE_BENEATH | c.RESOLVE_NO_SYMLINKS | c.RESOLVE_NO_XDEV,
      `${where}/statistics`,
      pid,
    ),
  );
  const statistics: Record<string, number> = {};
  let files: string[];
  try {
    files = readdirSync(fdPath(statsFd)).sort();
  } catch (err) {
    throw NsError.fromNodeError(err as NodeJS.ErrnoException, { pid, path: `${where}/statistics` });
  }
  for (const file of files) {
    const label = `${where}/statistics/${file}`;
    statistics[file] = toCount(readTextBeneath(statsFd, file, label, pid).trim(), label);
  }
  const time = performance.timeOrigin + performance.now();
  let speedText: string | undefined;
  try {
    speedText = readTextBeneathIfExists(devFd, 'speed', `${where}/speed`, pid);
  } catch {
    speedText = undefined; // EINVAL: link down or the driver has no speed
  }
  return figures(
    (key) => (key === 'speed' ? speedText : readTextBeneathIfExists(devFd, key, `${where}/${key}`, pid)),
    statistics,
    time,
    where,
  );
}
