// The small argument checks of spawn's options (lib/spawn/options.ts), each as Node words its
// error: a synchronous TypeError/RangeError with Node's `code`. No I/O.
import { constants as osConstants } from 'node:os';
import { describe } from '../describe.js';

const MAX_ID = 0xfffffffe;
const SIGNALS = osConstants.signals as Record<string, number>;
const SIGNAL_NUMBERS = new Set(Object.values(SIGNALS));

/** SIGTERM's number: the default killSignal. */
export const SIGTERM: number = SIGNALS.SIGTERM!;

/** An error with Node's `code`, for the shapes Node reports that way. */
export function coded<E extends Error>(err: E, code: string): E & { code: string } {
  return Object.assign(err, { code });
}

/**
 * A signal name (any case, as Node) or a number Node knows, to its number.
 * @throws TypeError ERR_UNKNOWN_SIGNAL, as child_process.
 */
export function toSignal(sig: unknown, what = 'signal'): number {
  if (typeof sig === 'number' && SIGNAL_NUMBERS.has(sig)) return sig;
  if (typeof sig === 'string') {
    const num = SIGNALS[sig.toUpperCase()];
    if (num !== undefined) return num;
  }
  if (typeof sig !== 'number' && typeof sig !== 'string') {
    throw coded(new TypeError(`${what} must be a signal name or number, got ${describe(sig)}`), 'ERR_INVALID_ARG_TYPE');
  }
  throw coded(new TypeError(`Unknown signal: ${String(sig)}`), 'ERR_UNKNOWN_SIGNAL');
}

/** The name of a signal number ('SIGTERM'), or the number as text when it has none. */
export function signalName(num: number): string {
  return Object.entries(SIGNALS).find(([, n]) => n === num)?.[0] ?? String(num);
}

export function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw coded(new TypeError(`${what} must be a string, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  if (value.includes('\0')) throw coded(new TypeError(`${what} must not contain NUL bytes`), 'ERR_INVALID_ARG_VALUE');
  return value;
}

export function checkBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw coded(new TypeError(`${what} must be a boolean, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  return value;
}

export function checkId(value: unknown, what: string): number {
  if (typeof value !== 'number') throw coded(new TypeError(`${what} must be a number, got ${describe(value)}`), 'ERR_INVALID_ARG_TYPE');
  if (!Number.isInteger(value) || value < 0 || value > MAX_ID) throw new RangeError(`${what} must be an integer 0-${MAX_ID}, got ${value}`);
  return value;
}

/** A variable name of an environment: not empty, no '=', no NUL. */
export function checkVariableName(k: string, what: string): void {
  if (k.length === 0 || k.includes('=') || k.includes('\0')) throw new TypeError(`${what}: bad variable name ${describe(k)}`);
}

export function checkAbortSignal(s: unknown): AbortSignal | undefined {
  if (s === undefined) return undefined;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof (s as AbortSignal).aborted !== 'boolean' ||
    typeof (s as AbortSignal).addEventListener !== 'function'
  ) {
    throw coded(new TypeError(`signal must be an AbortSignal, got ${describe(s)}`), 'ERR_INVALID_ARG_TYPE');
  }
  return s as AbortSignal;
}

export function checkTimeout(t: unknown): number {
  if (t === undefined || t === null) return 0;
  if (typeof t !== 'number') throw coded(new TypeError(`timeout must be a number, got ${describe(t)}`), 'ERR_INVALID_ARG_TYPE');
  if (!Number.isFinite(t) || t < 0 || t > 2 ** 31 - 1)
    throw coded(new RangeError(`timeout must be 0 to 2^31-1 ms, got ${t}`), 'ERR_OUT_OF_RANGE');
  return Math.floor(t);
}

export function checkInput(input: unknown): Uint8Array | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'string') return Buffer.from(input);
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw coded(
    new TypeError(`input must be a string, a Buffer, a TypedArray or a DataView, got ${describe(input)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

/** Node's defaults: execFile decodes as UTF-8, spawnSync gives Buffers; null and 'buffer' are Buffers. */
export function checkEncoding(decodeByDefault: boolean, e: unknown): BufferEncoding | undefined {
  if (e === undefined) return decodeByDefault ? 'utf8' : undefined;
  if (e === null || e === 'buffer') return undefined;
  if (typeof e !== 'string' || !Buffer.isEncoding(e))
    throw coded(new TypeError(`encoding: unknown encoding ${describe(e)}`), 'ERR_UNKNOWN_ENCODING');
  return e;
}

export function checkMaxBuffer(m: unknown): number {
  if (m === undefined || m === null) return 1024 * 1024;
  if (typeof m !== 'number' || !(m >= 0))
    throw coded(new RangeError(`maxBuffer must be a number >= 0, got ${describe(m)}`), 'ERR_OUT_OF_RANGE');
  return m;
}
