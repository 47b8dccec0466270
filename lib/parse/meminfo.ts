// /proc/meminfo (proc(5)): "Key:   value kB" lines, and a few unitless counts (HugePages_*).
import { ParseError } from '../errors.js';
import { dict, lines, show, toInt } from './util.js';

const LINE = /^([^:\s]+):\s+(\S+)(?: (kB))?$/;

/**
 * Parses /proc/meminfo into a map of key to value, kB values in bytes and unitless values
 * (HugePages_Total, ...) as they are. Unknown keys are kept.
 *
 * @throws ParseError on a line that is not "Key: number [kB]"
 */
export function parseMeminfo(text: string, file = '/proc/meminfo'): Record<string, number> {
  const out = dict<number>();
  lines(text).forEach((raw, i) => {
    const m = LINE.exec(raw);
    if (!m) throw new ParseError(file, i + 1, `expected "Key: value [kB]", got ${show(raw)}`);
    const n = toInt(m[2]!, file, i + 1, m[1]);
    out[m[1]!] = m[3] ? n * 1024 : n;
  });
  return out;
}
