// Shared by the parsers in this folder: number checks that throw ParseError, never anything else.
import { ParseError } from '../errors.js';

/** Values at or above 2^62 are the kernel's ways of saying "no limit" (page-rounded LLONG_MAX, ULLONG_MAX). */
export const UNLIMITED_THRESHOLD = 2 ** 62;

const INT = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A decimal integer as a JS number. Counters above 2^53 lose precision in the last digits (a JS
 * number cannot hold them); the kernel only prints such values for "unlimited", which callers map to null.
 */
export function toInt(token: string, file: string, line: number, what = 'value'): number {
  if (!INT.test(token)) throw new ParseError(file, line, `${what} is not an integer: ${show(token)}`);
  return Number(token);
}

/** A decimal number with an optional fraction (PSI averages, io.stat cost fields). */
export function toDecimal(token: string, file: string, line: number, what = 'value'): number {
  if (!DECIMAL.test(token)) throw new ParseError(file, line, `${what} is not a number: ${show(token)}`);
  return Number(token);
}

/** Splits text into lines, dropping the one trailing newline the kernel always writes. */
export function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/** A short, safe rendering of a bad token for messages. */
export function show(token: string): string {
  return JSON.stringify(token.length > 40 ? `${token.slice(0, 40)}...` : token);
}

/** An object without a prototype, so that keys such as `__proto__` from a file are plain keys. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
