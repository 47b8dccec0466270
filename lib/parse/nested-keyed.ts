// Nested keyed cgroup files: "key sub=value sub=value ..." per line (io.stat, io.max, the PSI
// pressure files).
import { ParseError } from '../errors.js';
import { dict, lines, show, toDecimal } from './util.js';

/** One line of a nested keyed file. */
export interface NestedKeyedLine {
  /** The first field: a device "MAJ:MIN" in io.stat/io.max, "some"/"full" in pressure files. */
  key: string;
  /** Every `sub=value` pair of the line, unknown ones included; 'max' is null (no limit). */
  values: Record<string, number | null>;
}

/**
 * Parses a nested keyed file. Values are decimal numbers (integers or with a fraction, as io.stat's
 * cost.* fields and PSI averages are) or 'max' (null). Lines are returned in file order; an empty
 * file gives [].
 *
 * @throws ParseError naming the line on a field that is not `name=value` or a value that is not a number or 'max'
 */
export function parseNestedKeyed(text: string, file = 'nested keyed file'): NestedKeyedLine[] {
  return lines(text).map((raw, i) => {
    const line = i + 1;
    const fields = raw.trim().split(/\s+/);
    const key = fields[0] ?? '';
    if (key === '' || key.includes('=')) throw new ParseError(file, line, `line must start with a key, got ${show(raw)}`);
    const values = dict<number | null>();
    for (const field of fields.slice(1)) {
      const eq = field.indexOf('=');
      if (eq <= 0) throw new ParseError(file, line, `expected name=value, got ${show(field)}`);
      const name = field.slice(0, eq);
      const value = field.slice(eq + 1);
      if (name in values) throw new ParseError(file, line, `duplicate field ${name}`);
      values[name] = value === 'max' ? null : toDecimal(value, file, line, name);
    }
    return { key, values };
  });
}

/** A "MAJ:MIN" device key as numbers. @throws ParseError when the key is not two decimal numbers. */
export function parseDeviceKey(key: string, file: string, line: number): { major: number; minor: number } {
  const m = /^(\d+):(\d+)$/.exec(key);
  if (!m) throw new ParseError(file, line, `expected a MAJ:MIN device, got ${show(key)}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}
