// One snapshot of a cgroup's CPU, memory, IO, pids and pressure, the same shape on v1, v2 and
// hybrid hosts. Each controller is read from its own directory (see locate.ts); a controller whose
// key file is absent is left out, and any other file that cannot be read is an NsError.
import type { NsError } from '../errors.js';
import { readTextIfExists } from '../io.js';
import { parsePressure, type Pressure } from '../parse/pressure.js';
import type { RootOptions, Target } from '../targets.js';
import { readIo } from './block-io.js';
import { readCpu } from './cpu.js';
import { effective, file, optLimit, optNum } from './files.js';
import { cgroupOf, locatePath } from './locate.js';
import { readMemory } from './memory.js';
import type { CgroupLocation, CgroupStats } from './types.js';

export { cpuLimitCores } from './cpu.js';
export { ancestry, isV2 } from './files.js';

/** A cgroup given by path instead of by process: see `locatePath` for what `path` may be. */
export interface CgroupPathSpec {
  path: string;
  version: 1 | 2;
}

function readPids(loc: CgroupLocation): CgroupStats['pids'] {
  const dir = loc.controllers['pids'];
  if (dir === undefined) return undefined;
  const current = optNum(dir, 'pids.current');
  if (current === undefined) return undefined;
  return { current, limit: effective(dir, loc.mountRoots['pids'] ?? dir, (d) => optLimit(d, 'pids.max')) };
}

function readPressure(loc: CgroupLocation): CgroupStats['pressure'] {
  const dir = loc.unified;
  if (dir === undefined) return undefined;
  const out: NonNullable<CgroupStats['pressure']> = {};
  for (const kind of ['cpu', 'memory', 'io'] as const) {
    let text: string | undefined;
    try {
      text = readTextIfExists(file(dir, `${kind}.pressure`));
    } catch (err) {
      // PSI compiled in but disabled (psi=0) fails the read with EOPNOTSUPP: that is "absent".
      const code = (err as NsError).code;
      if (code === 'EOPNOTSUPP' || code === 'ENOTSUP') continue;
      throw err;
    }
    if (text !== undefined) out[kind] = parsePressure(text, file(dir, `${kind}.pressure`)) satisfies Pressure;
  }
  return Object.keys(out).length ? out : undefined;
}

function isLocation(x: unknown): x is CgroupLocation {
  return typeof x === 'object' && x !== null && 'controllers' in x && 'mode' in x && 'mountRoots' in x;
}

function isPathSpec(x: unknown): x is CgroupPathSpec {
  return typeof x === 'object' && x !== null && 'path' in x && 'version' in x;
}

/**
 * Reads a snapshot of a cgroup: CPU (ns), memory (bytes, effective limit), block IO (bytes, ops),
 * pids and PSI pressure, the same shape on v1, v2 and hybrid hosts, with `timestampNs` for rates.
 *
 * `what` is a process (`pid`, `{ pid }`, `{ container }`: its cgroups, found with `cgroupOf`), a
 * cgroup path (`{ path, version }`, see `locatePath`), or a `CgroupLocation` from `cgroupOf`
 * (cheapest for repeated reads; keeps reading the cgroup after the process exits).
 * Effective limits (memory, CPU, pids) are the smallest set on the cgroup or any ancestor up to
 * the controller's mount root; null means unlimited. Synchronous: reads pseudo-files only.
 *
 * @throws TypeError for a malformed target; NsError when a file that should be there cannot be read
 *   (ESRCH/ENOENT when the process or cgroup went away); ParseError when a file is malformed
 */
export function readCgroupStats(what: Target | CgroupPathSpec | CgroupLocation, options: RootOptions = {}): CgroupStats {
  const loc = isLocation(what) ? what : isPathSpec(what) ? locatePath(what.path, what.version, options) : cgroupOf(what, options);
  const stats: CgroupStats = { mode: loc.mode, timestampNs: Number(process.hrtime.bigint()) };
  const cpu = readCpu(loc);
  if (cpu) stats.cpu = cpu;
  const memory = readMemory(loc);
  if (memory) stats.memory = memory;
  const io = readIo(loc);
  if (io) stats.io = io;
  const pids = readPids(loc);
  if (pids) stats.pids = pids;
  const pressure = readPressure(loc);
  if (pressure) stats.pressure = pressure;
  return stats;
}
