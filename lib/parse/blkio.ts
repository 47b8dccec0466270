// cgroup v1 blkio files: the per-device statistics (blkio.throttle.io_service_bytes[_recursive],
// blkio.throttle.io_serviced[_recursive], blkio.bfq.*, ...) and the throttle limits
// (blkio.throttle.read_bps_device, ..._iops_device).
import { ParseError } from '../errors.js';
import { parseDeviceKey } from './nested-keyed.js';
import { dict, lines, show, toInt } from './util.js';

/** One device of a blkio statistics file. */
export interface BlkioDeviceStat {
  major: number;
  minor: number;
  /** Counters by operation: Read, Write, Sync, Async, Discard, Total (and any other the kernel prints). */
  ops: Record<string, number>;
}

/** A parsed blkio statistics file. */
export interface BlkioStat {
  devices: BlkioDeviceStat[];
  /** The closing "Total N" line (bytes or operations, as the file counts); undefined when absent. */
  total?: number;
}

/**
 * Parses a blkio statistics file ("MAJ:MIN Op value" lines and a closing "Total value").
 * Units are the file's: bytes for *_bytes files, operations for *_serviced files.
 *
 * @throws ParseError on any other line shape
 */
export function parseBlkioStat(text: string, file = 'blkio stat'): BlkioStat {
  const devices = new Map<string, BlkioDeviceStat>();
  let total: number | undefined;
  lines(text).forEach((raw, i) => {
    const line = i + 1;
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 2 && fields[0] === 'Total') {
      total = toInt(fields[1]!, file, line, 'Total');
      return;
    }
    if (fields.length !== 3) throw new ParseError(file, line, `expected "MAJ:MIN Op value", got ${show(raw)}`);
    const [key, op, value] = fields as [string, string, string];
    const dev = parseDeviceKey(key, file, line);
    let entry = devices.get(key);
    if (!entry) {
      entry = { ...dev, ops: dict<number>() };
      devices.set(key, entry);
    }
    entry.ops[op] = toInt(value, file, line, op);
  });
  const out: BlkioStat = { devices: [...devices.values()] };
  if (total !== undefined) out.total = total;
  return out;
}

/** One rule of a blkio throttle limit file. */
export interface BlkioLimit {
  major: number;
  minor: number;
  /** Bytes per second or operations per second, as the file says. */
  value: number;
}

/**
 * Parses a blkio throttle limit file ("MAJ:MIN value" per line; empty when no rule is set).
 *
 * @throws ParseError on any other line shape
 */
export function parseBlkioLimits(text: string, file = 'blkio throttle limits'): BlkioLimit[] {
  return lines(text).map((raw, i) => {
    const line = i + 1;
    const fields = raw.trim().split(/\s+/);
    if (fields.length !== 2) throw new ParseError(file, line, `expected "MAJ:MIN value", got ${show(raw)}`);
    return { ...parseDeviceKey(fields[0]!, file, line), value: toInt(fields[1]!, file, line) };
  });
}
