// cgroup v2 io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=.." per device.
import { ParseError } from '../errors.js';
import { parseDeviceKey, parseNestedKeyed } from './nested-keyed.js';

/** One device of io.stat. Bytes and operations since the cgroup was made (hierarchical). */
export interface IoStatDevice {
  major: number;
  minor: number;
  readBytes: number;
  writeBytes: number;
  readOps: number;
  writeOps: number;
  /** Every field of the line as printed (rbytes, dbytes, cost.vrate, ...), unknown ones included. */
  fields: Record<string, number | null>;
}

/**
 * Parses io.stat. A missing rbytes/wbytes/rios/wios field counts as 0 (the kernel omits nothing on
 * current kernels, but some fields came later).
 *
 * @throws ParseError on a malformed line or a key that is not MAJ:MIN
 */
export function parseIoStat(text: string, file = 'io.stat'): IoStatDevice[] {
  return parseNestedKeyed(text, file).map(({ key, values }, i) => {
    const dev = parseDeviceKey(key, file, i + 1);
    const get = (name: string): number => {
      const v = values[name];
      if (v === null) throw new ParseError(file, i + 1, `${name} cannot be max`);
      return v ?? 0;
    };
    return { ...dev, readBytes: get('rbytes'), writeBytes: get('wbytes'), readOps: get('rios'), writeOps: get('wios'), fields: values };
  });
}
