// Flat keyed cgroup files: one "key value" pair per line (memory.stat, cpu.stat, memory.events,
// pids.events, memory.oom_control, cpuacct.stat, io.weight's "default 100").
import { ParseError } from '../errors.js';
import { dict, toInt } from './util.js';

// The keys of recent files, by their first key (see parseFlatKeyed); a bounded cache of names only.
const shapes = new Map<string, string[]>();
const SHAPES_MAX = 64;

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
  // A monitoring agent parses memory.stat (35-70 lines) thousands of times a second, so the common
  // shape of a line ("key" + one space + decimal digits) is scanned by char code without splitting or
  // regular expressions. Anything else on a line (tabs, padding, a sign, odd bytes, an error) goes
  // to the general path below, which decides exactly as it always did.
  const n = text.length;
  let start = 0,
    line = 0;
  let keys: string[] | undefined;
  while (start < n) {
    line++;
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    let sp = -1,
      i = start;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 32) {
        if (sp >= 0) break;
        sp = i;
      } else if (sp >= 0 ? c < 48 || c > 57 : c <= 32 || c > 126) break;
    }
    const digits = end - sp - 1;
    if (i === end && sp > start && digits > 0) {
      // Keys as the same file gave them last time (found by its first key), when the characters
      // match: a new string per key per parse, and its hashing on insert, was a third of the cost.
      let key: string;
      if (line === 1) {
        key = text.slice(start, sp);
        keys = shapes.get(key);
        if (!keys) {
          if (shapes.size >= SHAPES_MAX) shapes.clear();
          shapes.set(key, (keys = [key]));
        }
      } else {
        const known = keys?.[line - 1];
        if (known !== undefined && known.length === sp - start && text.startsWith(known, start)) key = known;
        else {
          key = text.slice(start, sp);
          if (keys) keys[line - 1] = key;
        }
      }
      if (key in out) throw new ParseError(file, line, `duplicate key ${key}`);
      let v = 0;
      if (digits > 15) v = Number(text.slice(sp + 1, end));
      else for (let j = sp + 1; j < end; j++) v = v * 10 + (text.charCodeAt(j) - 48);
      out[key] = v; // up to 15 digits the sum is exact (below 2^53); longer ones as Number() rounds them
    } else {
      slowLine(text.slice(start, end), line, file, out);
    }
    start = end + 1;
  }
  return out;
}

function slowLine(raw: string, line: number, file: string, out: Record<string, number>): void {
  const fields = raw.trim().split(/\s+/);
  if (fields.length !== 2 || fields[0] === '') throw new ParseError(file, line, 'expected "key value"');
  const [key, value] = fields as [string, string];
  if (key in out) throw new ParseError(file, line, `duplicate key ${key}`);
  out[key] = toInt(value, file, line, key);
}
