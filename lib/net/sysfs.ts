// Per-interface sysfs statistics (/sys/class/net/NAME/statistics/*) of a process's network
// namespace. A sysfs mount shows the devices of the network namespace of whoever mounted it, not of
// whoever reads it, so the target's /proc/PID/root/sys is only used after checking that it shows
// the target's namespace; otherwise a helper joins that namespace and mounts a sysfs of its own.
// The container owns every path under /proc/PID/root: they are resolved with openat2 in that root
// (lib/inroot.ts), never walked by name from the host.
import { closeSync, existsSync, readdirSync, statfsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NsError, ParseError } from '../errors.js';
import { fdPath, openat2, openDirInRoot, openFlags, readTextBeneath, readTextBeneathIfExists } from '../inroot.js';
import { readText } from '../io.js';
import { parseNetDev } from '../parse/netdev.js';
import { execFile, type ExecFileOptions, type InternalJoinOptions } from '../spawn.js';
import { resolveTarget, type RootOptions, type Target } from '../targets.js';
import { netnsIfindexes, snmp6Ifindex } from './ifindex.js';
import { readProc } from '../io.js';
import { netnsInode } from './netdev.js';

/** Where readInterfaceStats found the figures. */
export type InterfaceStatsSource =
  /** the target's own sysfs, /proc/PID/root/sys, checked to show the target's network namespace */
  | 'target-sysfs'
  /** our own sysfs (sysRoot): the target shares our network namespace */
  | 'our-sysfs'
  /** a helper process joined the target's network namespace and mounted a fresh sysfs there */
  | 'joined';

/** Sysfs figures of one network interface. */
export interface InterfaceStats {
  name: string;
  /** Host pid whose network namespace was read. */
  pid: number;
  source: InterfaceStatsSource;
  /** Milliseconds, same monotonic clock as NetDevSample.time. */
  time: number;
  /** Interface index inside its namespace. */
  ifindex: number;
  /** RFC 2863 state: 'up', 'down', 'unknown' (loopback, many virtual devices), 'lowerlayerdown', ... */
  operstate: string;
  /** MTU in bytes. */
  mtu: number;
  /** Hardware address, e.g. '00:00:00:00:00:00' for loopback; '' when the device has none. */
  address: string;
  /** Link speed in Mbit/s; undefined when the driver does not know it (link down, many virtual devices). */
  speed?: number;
  /**
   * Every file of statistics/ by its file name (24 on Linux 6.x: rx_bytes, tx_bytes, rx_packets,
   * rx_dropped, rx_nohandler, rx_crc_errors, tx_carrier_errors, collisions, multicast, ...).
   * Bytes for *_bytes, counts for the rest; u64 values, exact up to 2^53.
   */
  statistics: Record<string, number>;
}

const SYSFS_MAGIC = 0x62656572;
const AT_FDCWD = -100;

/**
 * Reads the sysfs figures of interface `name` in the network namespace of `target`: every file of
 * /sys/class/net/NAME/statistics plus ifindex, operstate, mtu, address and speed.
 *
 * Sources, in order (reported in `source`): the target's own sysfs at /proc/PID/root/sys, when it is
 * a sysfs that shows the target's network namespace (a container that mounted its own /sys; checked
 * as readCheckedSysfs describes; about 0.6 ms); our sysfs, when the target is in our network
 * namespace; otherwise a helper process (the host's grep) started by the exec core in the target's
 * network namespace with a private mount namespace and a freshly mounted sysfs (needs CAP_SYS_ADMIN;
 * about 3 ms). `time` is taken just before the figures are read.
 *
 * @throws TypeError for a name that cannot be an interface name; NsError 'ENOENT' when the namespace
 *   has no such interface, 'ESRCH' when the process is gone, the exec core's NsErrors (EPERM, ...)
 *   when joining fails; ParseError when a kernel file is malformed
 */
export async function readInterfaceStats(target: Target, name: string, roots: RootOptions = {}): Promise<InterfaceStats> {
  const procRoot = roots.procRoot ?? '/proc';
  const sysRoot = roots.sysRoot ?? '/sys';
  const pid = resolveTarget(target, roots);
  checkIfName(name);
  const devPath = `${procRoot}/${pid}/net/dev`;
  if (!parseNetDev(readProc(procRoot, pid, devPath), devPath).some((d) => d.name === name)) throw noSuchInterface(name, pid, devPath);

  // [root directory, its sysfs inside it (resolved in that root), source]
  const candidates: Array<[string, string, InterfaceStatsSource]> = [[`${procRoot}/${pid}/root`, 'sys', 'target-sysfs']];
  const ours = netnsInode(procRoot, process.pid);
  if (ours !== undefined && ours === netnsInode(procRoot, pid)) candidates.push([sysRoot, '.', 'our-sysfs']);
  for (const [root, rel, source] of candidates) {
    const found = readCheckedSysfs(root, rel, name, procRoot, pid);
    if (found) return { ...found, name, pid, source };
  }
  return { ...(await readByJoining(pid, name, devPath)), name, pid, source: 'joined' };
}

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
  const keep = (fd: number): number => { fds.push(fd); return fd; };
  try {
    const before = parseNetDev(readText(devPath, pid), devPath);
    const names = before.map((d) => d.name);
    const c = openFlags();
    const rootFd = keep(openat2(AT_FDCWD, root, c.O_PATH | c.O_DIRECTORY, 0));
    const sysFd = keep(openDirInRoot(rootFd, rel, `${root}/${rel}`, pid));
    if (statfsSync(fdPath(sysFd)).type !== SYSFS_MAGIC) return undefined;
    // Inside the sysfs mount only: class/net/NAME are relative links into devices/.
    const inSysfs = (path: string) => keep(openat2(sysFd, path, c.O_PATH | c.O_DIRECTORY,
      c.RESOLVE_IN_ROOT | c.RESOLVE_NO_MAGICLINKS | c.RESOLVE_NO_XDEV, `${root}/${rel}/${path}`, pid));
    const classFd = inSysfs('class/net');
    const listed = readdirSync(fdPath(classFd), { withFileTypes: true }).filter((e) => e.isSymbolicLink()).map((e) => e.name);
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
      !within(d0.rx.bytes, st.rx_bytes, d1.rx.bytes) || !within(d0.tx.bytes, st.tx_bytes, d1.tx.bytes) ||
      !within(d0.rx.packets, st.rx_packets, d1.rx.packets) || !within(d0.tx.packets, st.tx_packets, d1.tx.packets)
    ) return undefined;
    return found;
  } catch {
    return undefined;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** What the readers find for one interface (InterfaceStats without name, pid and source). */
export type SysfsFigures = Omit<InterfaceStats, 'name' | 'pid' | 'source'>;

/** Reads the figures under the device directory `devFd` (`where` names it in errors); `keep` closes fds later. */
function readFromSysfs(devFd: number, where: string, pid: number, keep: (fd: number) => number): SysfsFigures {
  const c = openFlags();
  const statsFd = keep(openat2(devFd, 'statistics', c.O_PATH | c.O_DIRECTORY,
    c.RESOLVE_BENEATH | c.RESOLVE_NO_SYMLINKS | c.RESOLVE_NO_XDEV, `${where}/statistics`, pid));
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

function figures(get: (key: string) => string | undefined, statistics: Record<string, number>, time: number, where: string): SysfsFigures {
  const ifindex = get('ifindex');
  const mtu = get('mtu');
  if (ifindex === undefined || mtu === undefined) throw new NsError('ENOENT', `no ifindex or mtu under ${where}`, { path: where });
  const out: SysfsFigures = {
    time,
    ifindex: toCount(ifindex.trim(), `${where}/ifindex`),
    operstate: get('operstate')?.trim() ?? 'unknown',
    mtu: toCount(mtu.trim(), `${where}/mtu`),
    address: get('address')?.trim() ?? '',
    statistics,
  };
  const speed = get('speed')?.trim();
  if (speed !== undefined && /^\d+$/.test(speed)) out.speed = Number(speed);
  return out;
}

async function readByJoining(pid: number, name: string, devPath: string): Promise<SysfsFigures> {
  const grep = ['/usr/bin/grep', '/bin/grep'].find((p) => existsSync(p));
  if (grep === undefined) throw new NsError('ENOENT', 'no grep on this host to read sysfs inside the namespace', { path: '/usr/bin/grep' });
  const time = performance.timeOrigin + performance.now();
  let stdout: string;
  try {
    const options: ExecFileOptions & InternalJoinOptions & { encoding?: BufferEncoding } = {
      // A fixed environment: the caller's (GREP_*, locale) must not change what grep prints.
      namespaces: ['net'], root: false, env: { LC_ALL: 'C' }, freshSysfs: true, timeout: 10_000,
    };
    stdout = (await execFile(pid, grep, sysfsGrepArgs(name), options)).stdout;
  } catch (err) {
    // grep exits 2 when a file could not be read (speed: EINVAL on a link without speed); what it did read is valid.
    const e = err as { code?: unknown; stdout?: unknown };
    if (e.code !== 2 || (typeof e.stdout !== 'string' && !Buffer.isBuffer(e.stdout))) throw err;
    stdout = String(e.stdout);
  }
  const found = figuresFromGrep(stdout, name, time);
  if (!found) throw noSuchInterface(name, pid, devPath);
  return found;
}

/** Arguments for grep that print every figure of interface `name` under /sys as `PATH:VALUE` lines. Exported for tests. */
export function sysfsGrepArgs(name: string): string[] {
  const base = `/sys/class/net/${name}`;
  return ['-r', '-s', '-H', '-e', '', '--', ...['statistics', 'ifindex', 'operstate', 'mtu', 'address', 'speed'].map((f) => `${base}/${f}`)];
}

/**
 * Turns the output of grep with sysfsGrepArgs(name) into figures; undefined when it shows no
 * ifindex (no such interface). Splits at the first ':' after the path, as MAC addresses hold ':'.
 * Exported for tests.
 *
 * @throws ParseError when a statistics value is not an unsigned integer
 */
export function figuresFromGrep(stdout: string, name: string, time: number): SysfsFigures | undefined {
  const base = `/sys/class/net/${name}`;
  const values = new Map<string, string>();
  const statistics: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${base}/`)) continue;
    const rest = line.slice(base.length + 1);
    const colon = rest.indexOf(':');
    if (colon < 0) continue;
    const key = rest.slice(0, colon);
    const value = rest.slice(colon + 1);
    if (key.startsWith('statistics/')) statistics[key.slice('statistics/'.length)] = toCount(value.trim(), `${base}/${key}`);
    else values.set(key, value);
  }
  if (!values.has('ifindex')) return undefined;
  const sorted: Record<string, number> = {};
  for (const key of Object.keys(statistics).sort()) sorted[key] = statistics[key]!;
  return figures((key) => values.get(key), sorted, time, base);
}

function toCount(text: string, file = 'sysfs'): number {
  if (!/^\d{1,20}$/.test(text)) throw new ParseError(file, 1, `expected an unsigned integer, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

function checkIfName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 15 || name === '.' || name === '..' || /[\s/:]/.test(name)) {
    throw new TypeError(`interface name must be 1 to 15 characters without '/', ':' or spaces, got ${JSON.stringify(name)}`);
  }
}

function noSuchInterface(name: string, pid: number, path: string): NsError {
  return new NsError('ENOENT', `no network interface ${name} in the network namespace of pid ${pid}`, { path, pid });
}
