// Files holding one value: memory.max, memory.limit_in_bytes, pids.max, cpu.cfs_quota_us,
// memory.current, cpuacct.usage, cpu.weight, ...
import { ParseError } from '../errors.js';
import { lines, toInt, UNLIMITED_THRESHOLD } from './util.js';

const UNLIMITED_BIG = BigInt(UNLIMITED_THRESHOLD);

// A snapshot reads some twenty single-value files; the kernel writes nearly all of them as up to 15
// digits and a newline, which is scanned here without splitting or regular expressions (exact: below
// 2^53, so also below the 2^62 "unlimited" threshold). -1 means "not that shape": use the general rules.
function plainInt(text: string): number {
  const n = text.length;
  if (n < 2 || n > 16 || text.charCodeAt(n - 1) !== 10) return -1;
  let v = 0;
  for (let i = 0; i < n - 1; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

// v1 writes "no limit" as 9223372036854771712 in every limit file of every ancestor, so that shape
// is decided here too: digits (no leading zero) and a newline, of a length or value that is >= 2^62.
const UNLIMITED_DIGITS = String(UNLIMITED_BIG); // 19 digits
function unlimitedDigits(text: string): boolean {
  const d = text.length - 1;
  if (d < UNLIMITED_DIGITS.length || text.charCodeAt(d) !== 10 || text.charCodeAt(0) === 48) return false;
  for (let i = 0; i < d; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return d > UNLIMITED_DIGITS.length || text.slice(0, d) >= UNLIMITED_DIGITS;
}

function only(text: string, file: string): string {
  const all = lines(text);
  if (all.length !== 1) {
    throw new ParseError(file, all.length === 0 ? 0 : 2, all.length === 0 ? 'empty file' : 'expected one line');
  }
  const value = all[0]!.trim();
  if (value === '' || /\s/.test(value)) throw new ParseError(file, 1, 'expected exactly one value');
  return value;
}

/**
 * Parses a file holding one integer (a counter, a weight, a current usage). Surrounding spaces are
 * ignored. Values above 2^53 lose their last digits.
 *
 * @throws ParseError on an empty file, more than one value, or a value that is not an integer
 */
export function parseSingleValue(text: string, file = 'single value file'): number {
  const v = plainInt(text);
  if (v >= 0) return v;
  return toInt(only(text, file), file, 1);
}

/**
 * Parses a limit file; returns the limit, or null for "no limit": 'max' (v2), -1 (v1 cpu.cfs_quota_us)
 * and any value >= 2^62 (v1's page-rounded LLONG_MAX 9223372036854771712, ULLONG_MAX
 * 18446744073709551615), so that "unlimited" never becomes a huge wrong number.
 *
 * @throws ParseError on an empty file, more than one value, or anything else that is not an integer >= 0
 */
export function parseLimit(text: string, file = 'limit file'): number | null {
  const v = plainInt(text);
  if (v >= 0) return v;
  if (unlimitedDigits(text)) return null;
  const value = only(text, file);
  if (value === 'max' || value === '-1') return null;
  const n = toInt(value, file, 1, 'limit');
  if (n < 0) throw new ParseError(file, 1, `negative limit ${value}`);
  // Compare exactly: Number() rounds 2^62 - 1 up to 2^62.
  return n >= UNLIMITED_THRESHOLD && BigInt(value) >= UNLIMITED_BIG ? null : n;
}
