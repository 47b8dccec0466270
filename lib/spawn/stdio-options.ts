// The stdio, pty and detached options, normalised without I/O: one StdioKind per fd of the
// program, as child_process takes them (lib/spawn/stdio.ts opens them).
import { checkPtySize } from '../pty.js';
import { describe } from '../describe.js';
import { checkBoolean, coded } from './checks.js';

/** A stdio slot after normalisation: a pipe to us, /dev/null, or a given fd of ours. */
export type StdioKind = 'pipe' | 'ignore' | number;

/** The stdio part of the checked options. */
export interface CheckedStdio {
  /** One entry per fd of the program (with a pty, the pty replaces them). */
  stdio: readonly StdioKind[];
  pty: Readonly<{ cols: number; rows: number }> | null;
  /** Node's `detached`: a new session. */
  detached: boolean;
}

/** stdio/pty/detached of one call; execFile always pipes 0-2. */
export function checkStdio(kind: 'spawn' | 'execFile' | 'spawnSync', o: Record<string, unknown>): CheckedStdio {
  const stdio = kind === 'execFile' ? (['pipe', 'pipe', 'pipe'] as StdioKind[]) : normaliseStdio(o.stdio);
  let pty: CheckedStdio['pty'] = null;
  if (o.pty !== undefined && o.pty !== false) {
    if (kind !== 'spawn') throw new TypeError('pty is for spawn() only');
    if (o.stdio !== undefined) throw new TypeError('pty is for spawn() only and replaces stdio');
    pty = Object.freeze(checkPtySize(o.pty, 'pty'));
  }
  return { stdio: Object.freeze(stdio), pty, detached: checkBoolean(o.detached, 'detached') ?? false };
}

/** One entry per fd: Node's forms ('overlapped', Streams with an fd, null), or an fd number. */
function normaliseStdio(value: unknown): StdioKind[] {
  if (value === undefined || value === null) return ['pipe', 'pipe', 'pipe'];
  if (typeof value === 'string') {
    if (!['pipe', 'overlapped', 'inherit', 'ignore'].includes(value))
      throw coded(new TypeError(`stdio: unknown value ${describe(value)}`), 'ERR_INVALID_ARG_VALUE');
    return [0, 1, 2].map((i) => stdioEntry(value, i));
  }
  if (!Array.isArray(value))
    throw coded(new TypeError(`stdio must be a string or an array, got ${describe(value)}`), 'ERR_INVALID_ARG_VALUE');
  if (value.length > 1024) throw new RangeError('stdio: at most 1024 entries');
  const out: StdioKind[] = [];
  for (let i = 0; i < Math.max(3, value.length); i++) out.push(stdioEntry(value[i], i));
  return out;
}

function stdioEntry(e: unknown, i: number): StdioKind {
  if (e === undefined || e === null) return i < 3 ? 'pipe' : 'ignore';
  if (e === 'pipe' || e === 'overlapped') return 'pipe';
  if (e === 'ignore') return 'ignore';
  if (e === 'inherit') return i;
  if (e === 'ipc')
    throw coded(
      new TypeError("stdio: 'ipc' is not supported (the program runs in another process tree; use a pipe)"),
      'ERR_INVALID_ARG_VALUE',
    );
  if (typeof e === 'number' && Number.isInteger(e) && e >= 0 && e <= 0x7fffffff) return e;
  // A Stream of ours with an fd (net.Socket, fs streams, process.stdout), as Node takes them.
  if (e !== null && typeof e === 'object') {
    const s = e as { fd?: unknown; _handle?: { fd?: unknown } | null };
    const fd = typeof s.fd === 'number' ? s.fd : s._handle?.fd;
    if (typeof fd === 'number' && Number.isInteger(fd) && fd >= 0) return fd;
  }
  throw coded(
    new TypeError(`stdio[${i}] must be 'pipe', 'overlapped', 'inherit', 'ignore', an fd or a Stream with an fd, got ${describe(e)}`),
    'ERR_INVALID_ARG_VALUE',
  );
}
