// PSI pressure files (cpu.pressure, memory.pressure, io.pressure, /proc/pressure/*):
// "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and, except cpu on old kernels, a "full" line.
import { ParseError } from '../errors.js';
import { parseNestedKeyed } from './nested-keyed.js';

/** One line of a pressure file. */
export interface PressureLine {
  /** Share of wall time (percent, 0-100) with stalled tasks, averaged over 10, 60 and 300 s. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time in nanoseconds (the kernel prints microseconds). */
  totalNs: number;
}

/** A pressure file: `some` (at least one task stalled) and `full` (all non-idle tasks stalled). */
export interface Pressure {
  some: PressureLine;
  /** Absent where the kernel does not print it (cpu before Linux 5.13). */
  full?: PressureLine;
}

/**
 * Parses a PSI pressure file. Unknown lines are ignored, unknown fields kept out of the result.
 *
 * @throws ParseError when the `some` line is missing or a line lacks avg10, avg60, avg300 or total
 */
export function parsePressure(text: string, file = 'pressure'): Pressure {
  return usualPressure(text) ?? generalPressure(text, file);
}

// Every snapshot parses three pressure files; the kernel always prints them in this one shape, which
// a single expression takes apart. Any other text goes through the general rules below.
const USUAL =
  /^some avg10=(\d+\.\d+) avg60=(\d+\.\d+) avg300=(\d+\.\d+) total=(\d+)\n(?:full avg10=(\d+\.\d+) avg60=(\d+\.\d+) avg300=(\d+\.\d+) total=(\d+)\n)?$/;

function usualPressure(text: string): Pressure | undefined {
  const m = USUAL.exec(text);
  if (!m) return undefined;
  const some: PressureLine = { avg10: Number(m[1]), avg60: Number(m[2]), avg300: Number(m[3]), totalNs: Number(m[4]) * 1000 };
  if (m[5] === undefined) return { some };
  return { some, full: { avg10: Number(m[5]), avg60: Number(m[6]), avg300: Number(m[7]), totalNs: Number(m[8]) * 1000 } };
}

function generalPressure(text: string, file: string): Pressure {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  parseNestedKeyed(text, file).forEach(({ key, values }, i) => {
    if (key !== 'some' && key !== 'full') return;
    const get = (name: string): number => {
      const v = values[name];
      if (v === undefined || v === null) throw new ParseError(file, i + 1, `missing ${name}`);
      return v;
    };
    const entry = { avg10: get('avg10'), avg60: get('avg60'), avg300: get('avg300'), totalNs: get('total') * 1000 };
    if (key === 'some') some = entry;
    else full = entry;
  });
  if (!some) throw new ParseError(file, 0, 'no "some" line');
  return full ? { some, full } : { some };
}
