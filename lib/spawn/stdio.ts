// The fds of the program's stdio slots: our ends (pipes, wrapped in streams by the caller) and the
// program's ends, which we close once the addon has handed them over. Pipe ends come from the
// addon and are closed natively (lib/fd.ts); /dev/null comes from node:fs and is closed by it.
import { closeSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { binding } from '../binding.js';
import { closeFd } from '../fd.js';
import { unwrap } from '../native-error.js';
import type { StdioKind } from './stdio-options.js';

/** The stdio fds of one start. */
export interface OpenedStdio {
  /** The program's fd for each slot. */
  childFds: number[];
  /** Our end of each 'pipe' slot, null for the others. */
  parentFds: Array<number | null>;
  /** The program's ends opened here (closed by closeChildEnds). */
  opened: Array<{ fd: number; fromFs: boolean }>;
}

/** Closes the program's ends that we opened, in our process. */
export function closeChildEnds(s: OpenedStdio): void {
  for (const { fd, fromFs } of s.opened) (fromFs ? closeSync : closeFd)(fd);
}

/** Closes our ends of the pipes (a program that did not start). */
export function closeParentFds(parentFds: ReadonlyArray<number | null>): void {
  for (const fd of parentFds) if (fd !== null) closeFd(fd);
}

/** Opens our ends and the program's ends of each stdio slot. */
export function openStdio(stdio: readonly StdioKind[]): OpenedStdio {
  const s: OpenedStdio = { childFds: [], parentFds: [], opened: [] };
  try {
    stdio.forEach((kind, i) => {
      if (kind === 'pipe') {
        const [r, w] = unwrap(binding().pipe());
        const ours = i === 0 ? w : r,
          theirs = i === 0 ? r : w;
        s.parentFds.push(ours);
        s.childFds.push(theirs);
        s.opened.push({ fd: theirs, fromFs: false });
      } else if (kind === 'ignore') {
        const fd = openSync('/dev/null', i === 0 ? 'r' : 'w');
        s.childFds.push(fd);
        s.opened.push({ fd, fromFs: true });
        s.parentFds.push(null);
      } else {
        s.childFds.push(kind);
        s.parentFds.push(null);
      }
    });
  } catch (err) {
    closeChildEnds(s);
    closeParentFds(s.parentFds);
    throw err;
  }
  return s;
}

/** Our ends of pipes whose other ends are closed at once: streams for a program that never started. */
export function pipesThatEnd(kinds: readonly StdioKind[]): Array<number | null> {
  try {
    const s = openStdio(kinds);
    closeChildEnds(s);
    return s.parentFds;
  } catch {
    return kinds.map(() => null); // out of fds: no streams, the 'error' still comes
  }
}

/**
 * Our streams on our ends: stdin (slot 0) writable, the others readable; null where no pipe is.
 * `onClose` is called once per stream, when it closes.
 */
export function streamsFor(parentFds: ReadonlyArray<number | null>, onClose: () => void): Array<Readable | Writable | null> {
  return parentFds.map((fd, i) => {
    if (fd === null) return null;
    // No 'error' listener of ours: EPIPE on an unread stdin is the caller's to handle, as in Node.
    const s = new Socket({ fd, readable: i !== 0, writable: i === 0 });
    s.once('close', onClose);
    return s;
  });
}

/** Reads to the end what nobody listens to (as Node's flushStdio), so that 'close' can come. */
export function flushUnread(streams: ReadonlyArray<Readable | Writable | null | undefined>): void {
  for (const s of streams as Array<Readable | null | undefined>) {
    if (!s || s.destroyed || !s.readable || s.listenerCount('data') > 0 || s.listenerCount('readable') > 0) continue;
    s.resume();
  }
}
