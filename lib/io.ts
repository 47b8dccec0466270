// Reading kernel pseudo-files (procfs, cgroupfs, sysfs). These are generated from kernel memory and
// never wait on a disk, so nsjoin reads them synchronously: one open, a read or two into a buffer
// reused across calls, one close. That is the syscall floor a monitoring agent pays anyway, without
// the thread-pool round trips of fs/promises.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:os';
import { NsError } from './errors.js';

let buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * Returns the whole text of a pseudo-file. Throws NsError (code from the kernel: ENOENT, EACCES,
 * ESRCH, ENODEV, ...) with `path` set; `pid` is added when given.
 */
export function readText(path: string, pid?: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw NsError.fromNodeError(err as NodeJS.ErrnoException, pid === undefined ? { path } : { path, pid });
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    throw NsError.fromNodeError(err as NodeJS.ErrnoException, pid === undefined ? { path, syscall: 'read' } : { path, pid, syscall: 'read' });
  } finally {
    closeSync(fd);
  }
}

// Paths that were absent the last time they were read. A snapshot probes the same optional files
// every time (pids.max has no file at a hierarchy's root, v1 files are missing on v2), and a failed
// open through node:fs costs an exception with a stack trace, ten times an access(2) call. This is
// only a hint: such a path is checked again on every call (existsSync), so a file that appears is
// read at once. Bounded so that a scan of many short-lived cgroups cannot grow it without end.
const absent = new Set<string>();
const ABSENT_MAX = 4096;

/**
 * Like readText, but returns undefined when the file does not exist (ENOENT). A path that was
 * absent before is checked with access(2) first, which makes repeated probes cheap.
 */
export function readTextIfExists(path: string, pid?: number): string | undefined {
  if (absent.has(path)) {
    if (!existsSync(path)) return undefined;
    absent.delete(path);
  }
  try {
    return readText(path, pid);
  } catch (err) {
    if ((err as NsError).code === 'ENOENT') {
      if (absent.size >= ABSENT_MAX) absent.clear();
      absent.add(path);
      return undefined;
    }
    throw err;
  }
}

/**
 * readText that reports a process that is gone as ESRCH rather than ENOENT on one of its files. A
 * zombie still has /proc/PID but no namespaces left (its net/ files are ENOENT): it is gone too.
 */
export function readProc(procRoot: string, pid: number, path: string): string {
  try {
    return readText(path, pid);
  } catch (err) {
    if ((err as NsError).code === 'ENOENT' && !alive(procRoot, pid)) {
      throw NsError.fromErrno(constants.errno.ESRCH, { syscall: 'open', path, pid, hint: 'the process has exited' });
    }
    throw err;
  }
}

function alive(procRoot: string, pid: number): boolean {
  const stat = readTextIfExists(`${procRoot}/${pid}/stat`);
  if (stat === undefined) return existsSync(`${procRoot}/${pid}`);
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
