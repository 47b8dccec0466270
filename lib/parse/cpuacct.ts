// cgroup v1 cpuacct files: cpuacct.usage_percpu (ns per CPU, one line, a trailing space),
// cpuacct.usage_all (a header, then "cpu user system" in ns), cpuacct.stat (USER_HZ ticks).
import { ParseError } from '../errors.js';
import { parseFlatKeyed } from './flat-keyed.js';
import { lines, show, toInt } from './util.js';

/** USER_HZ: the unit of cpuacct.stat (and /proc/PID/stat times); 100 on every Linux architecture nsjoin runs on. */
export const USER_HZ = 100;
const NS_PER_TICK = 1e9 / USER_HZ;

/**
 * Parses cpuacct.usage_percpu (or usage_percpu_user/_sys): CPU time per CPU, in nanoseconds.
 * An empty file gives [].
 *
 * @throws ParseError on more than one line or a value that is not an integer
 */
export function parseCpuacctUsagePercpu(text: string, file = 'cpuacct.usage_percpu'): number[] {
  const all = lines(text);
  if (all.length > 1) throw new ParseError(file, 2, 'expected one line');
  const body = (all[0] ?? '').trim();
  return body === '' ? [] : body.split(/\s+/).map((v, i) => toInt(v, file, 1, `cpu ${i}`));
}

/** One row of cpuacct.usage_all, in nanoseconds. */
export interface CpuacctUsageRow {
  cpu: number;
  userNs: number;
  systemNs: number;
}

/**
 * Parses cpuacct.usage_all ("cpu user system" header, then one row per CPU, nanoseconds).
 *
 * @throws ParseError when the header is missing or a row is not three integers
 */
export function parseCpuacctUsageAll(text: string, file = 'cpuacct.usage_all'): CpuacctUsageRow[] {
  const all = lines(text);
  if (all.length === 0) throw new ParseError(file, 0, 'empty file');
  if (all[0]!.trim().split(/\s+/).join(' ') !== 'cpu user system') throw new ParseError(file, 1, `unexpected header ${show(all[0]!)}`);
  return all.slice(1).map((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length !== 3) throw new ParseError(file, i + 2, 'expected "cpu user system"');
    return {
      cpu: toInt(fields[0]!, file, i + 2, 'cpu'),
      userNs: toInt(fields[1]!, file, i + 2, 'user'),
      systemNs: toInt(fields[2]!, file, i + 2, 'system'),
    };
  });
}

/** cpuacct.stat converted to nanoseconds. */
export interface CpuacctStat {
  userNs: number;
  systemNs: number;
}

/**
 * Parses cpuacct.stat ("user N" and "system N" in USER_HZ ticks) and converts the ticks to
 * nanoseconds (1 tick = 10 ms), so the result is never a tick count labelled as ns.
 *
 * @throws ParseError on a malformed line or when user or system is missing
 */
export function parseCpuacctStat(text: string, file = 'cpuacct.stat'): CpuacctStat {
  const stat = parseFlatKeyed(text, file);
  const user = stat['user'];
  const system = stat['system'];
  if (user === undefined || system === undefined) throw new ParseError(file, 0, 'missing user or system');
  return { userNs: user * NS_PER_TICK, systemNs: system * NS_PER_TICK };
}
