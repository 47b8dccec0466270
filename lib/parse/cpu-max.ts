// cgroup v2 cpu.max: "$MAX $PERIOD", where $MAX is 'max' or a quota, both in microseconds.
import { ParseError } from '../errors.js';
import { lines, toInt } from './util.js';

/** What cpu.max says, in microseconds. */
export interface CpuMax {
  /** CPU time the cgroup may use per period (us); null = 'max', no limit. */
  quotaUs: number | null;
  /** Length of the period (us). */
  periodUs: number;
}

/**
 * Parses cpu.max ("50000 100000", "max 100000").
 *
 * @throws ParseError unless the file is one line with a quota ('max' or an integer > 0) and a period > 0
 */
export function parseCpuMax(text: string, file = 'cpu.max'): CpuMax {
  const all = lines(text);
  if (all.length !== 1) throw new ParseError(file, all.length === 0 ? 0 : 2, all.length === 0 ? 'empty file' : 'expected one line');
  const fields = all[0]!.trim().split(/\s+/);
  if (fields.length !== 2) throw new ParseError(file, 1, 'expected "quota period"');
  const [quota, period] = fields as [string, string];
  const periodUs = toInt(period, file, 1, 'period');
  if (periodUs <= 0) throw new ParseError(file, 1, `period must be > 0, got ${period}`);
  if (quota === 'max') return { quotaUs: null, periodUs };
  const quotaUs = toInt(quota, file, 1, 'quota');
  if (quotaUs <= 0) throw new ParseError(file, 1, `quota must be > 0 or max, got ${quota}`);
  return { quotaUs, periodUs };
}
