// Flat keyed cgroup files: one "key value" pair per line (memory.stat, cpu.stat, memory.events,
// pids.events, memory.oom_control, cpuacct.stat, io.weight's "default 100").
import { ParseError } from '../errors.js';
import { dict, lines, toInt } from './util.js';

/**
 * Parses a flat keyed file into `{ key: value }` (a prototype-less object). Every key is kept, known
 * or not; keys are matched exactly, never by prefix. Values are integers (bytes, counts or the file's
 * own unit). An empty file gives `{}`.
 *
 * @param file name used in errors, e.g. 'memory.stat'
 * @throws ParseError on a line that is not `key integer`, or a key that appears twice
 */
export function parseFlatKeyed(text: string, file = 'flat keyed file'): Record<string, number> {
  const out = dict<number>();
  lines(text).forEach((raw, i) => {
    const line = i + 1;
    const fields = raw.trim().split(/\s+/);
    if (fields.length !== 2 || fields[0] === '') throw new ParseError(file, line, 'expected "key value"');
    const [key, value] = fields as [string, string];
    if (key in out) throw new ParseError(file, line, `duplicate key ${key}`);
    out[key] = toInt(value, file, line, key);
  });
  return out;
}
