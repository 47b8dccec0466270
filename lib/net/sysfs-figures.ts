// What readInterfaceStats returns, and turning sysfs values (read through fds, or printed by grep
// inside the namespace) into it.
import { NsError, ParseError } from '../errors.js';

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

/** What the readers find for one interface (InterfaceStats without name, pid and source). */
export type SysfsFigures = Omit<InterfaceStats, 'name' | 'pid' | 'source'>;

/** The figures from the values of one device directory (`get` by file name); `where` names it in errors. */
export function figures(
  get: (key: string) => string | undefined,
  statistics: Record<string, number>,
  time: number,
  where: string,
): SysfsFigures {
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

/** Arguments for grep that print every figure of interface `name` under /sys as `PATH:VALUE` lines. Exported for tests. */
export function sysfsGrepArgs(name: string): string[] {
  const base = `/sys/class/net/${name}`;
  return [
    '-r',
    '-s',
    '-H',
    '-e',
    '',
    '--',
    ...['statistics', 'ifindex', 'operstate', 'mtu', 'address', 'speed'].map((f) => `${base}/${f}`),
  ];
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

/** An unsigned integer of a sysfs file; ParseError otherwise. */
export function toCount(text: string, file = 'sysfs'): number {
  if (!/^\d{1,20}$/.test(text)) throw new ParseError(file, 1, `expected an unsigned integer, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}
