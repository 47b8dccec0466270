// Pseudo-terminals for programs started inside a target (spawn's `pty` option).
//
// Where the pty is allocated: in the container's own devpts when the program will see the
// container's filesystem (its mount namespace is joined, or it is chrooted to the target's root),
// else in the host's. A program resolves the name of its terminal (`tty`, ttyname(3), sudo, ssh
// checks) in its own /dev/pts; a pty of the host's devpts instance has no name there and the
// program would report "not a tty". The container's /dev/ptmx is opened from the host through
// /proc/PID/root (Linux >= 4.7 allocates in the devpts mounted at "pts" next to that node) and the
// slave is opened from the master with TIOCGPTPEER (Linux >= 4.13), so no path inside the
// container is trusted for it. The container's node is checked to be the ptmx device (char 5:2, at
// /dev/ptmx or on the devpts at /dev/pts) on an O_PATH fd before it is opened: a fifo, a regular
// file or another device put there is never opened. When the container has no usable devpts (no
// /dev/ptmx, no devpts at /dev/pts, something else there: ENOENT, ENODEV, ENOTTY), the host's is
// used and `PtyInfo.fallbackReason` says why.
import { Socket } from 'node:net';
import { ReadStream } from 'node:tty';
import { binding } from './binding.js';
import { errnoName } from './errno.js';
import { nativeError, isNativeFailure, unwrap } from './native-error.js';
import { describe } from './describe.js';

/** Size of a terminal in character cells. */
export interface PtySize {
  /** Columns, 1-65535. Default 80. */
  cols?: number;
  /** Rows, 1-65535. Default 24. */
  rows?: number;
}

/** Which devpts a pty came from and its name in the program's view. */
export interface PtyInfo {
  /** The terminal's path as the program sees it, e.g. '/dev/pts/0'. */
  path: string;
  /** 'target': the container's own /dev/pts; 'host': the host's devpts. */
  source: 'target' | 'host';
  /** Why the host's devpts was used although the target's was asked for (an errno code, and what
   *  was found instead of the ptmx device, e.g. 'ENOTTY (a fifo)'), else null. */
  fallbackReason: string | null;
}

/** The master side of a pty: a Duplex whose reads end cleanly when the program side is closed. */
export type PtyStream = Socket;

/** Validates a { cols, rows } object; returns both with defaults. @internal */
export function checkPtySize(value: unknown, what: string): { cols: number; rows: number } {
  if (value === true) return { cols: 80, rows: 24 };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${what} must be true or { cols, rows }`);
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v))
    if (key !== 'cols' && key !== 'rows') throw new TypeError(`${what}: unknown key ${JSON.stringify(key)}`);
  const dim = (x: unknown, name: string, dflt: number): number => {
    if (x === undefined) return dflt;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > 65535) {
      throw new RangeError(`${what}.${name} must be an integer 1-65535, got ${describe(x)}`);
    }
    return x;
  };
  return { cols: dim(v.cols, 'cols', 80), rows: dim(v.rows, 'rows', 24) };
}

/**
 * Opens a pty pair for a program that will run in `pid`'s view (0: the host's view). The master
 * is non-blocking and both ends are close-on-exec. @internal
 */
export function openPtyFor(pid: number, size: { cols: number; rows: number }): { master: number; slave: number; info: PtyInfo } {
  const r = binding().openPty({ pid, cols: size.cols, rows: size.rows });
  if (isNativeFailure(r)) throw nativeError(r, { ...(pid ? { pid } : {}), hint: 'allocating a pseudo-terminal failed' });
  return {
    master: r.master,
    slave: r.slave,
    info: {
      path: `/dev/pts/${r.index}`,
      source: r.source,
      fallbackReason:
        pid > 0 && r.source === 'host' ? `${errnoName(r.fallbackErrno)}${r.fallbackWhat ? ` (${r.fallbackWhat})` : ''}` : null,
    },
  };
}

/**
 * Wraps a pty master fd in a stream. Once every program holding the slave is gone, the kernel
 * answers reads with EIO: that is the terminal's end of file, so it ends the stream instead of
 * erroring. @internal
 */
export function ptyStream(master: number): PtyStream {
  const stream = new ReadStream(master) as unknown as Socket;
  const destroy = stream.destroy.bind(stream);
  stream.destroy = (err?: Error) => {
    if ((err as NodeJS.ErrnoException | undefined)?.code === 'EIO') {
      // Data already read stays buffered for the reader; then 'end' and 'close' follow.
      stream.push(null);
      stream.once('end', () => destroy());
      // A paused reader with nothing buffered would otherwise never see 'end'.
      if (stream.readableLength === 0) stream.read(0);
      return stream;
    }
    return destroy(err);
  };
  return stream;
}

/** Sets a pty's window size (the kernel then sends SIGWINCH to its foreground process group). @internal */
export function resizePty(master: number, size: { cols: number; rows: number }): void {
  unwrap(binding().resizePty(master, size.cols, size.rows), { hint: 'TIOCSWINSZ on the pty failed' });
}
