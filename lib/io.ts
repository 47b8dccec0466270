// Reading kernel pseudo-files (procfs, cgroupfs, sysfs). These are generated from kernel memory and
// never wait on a disk, so nsjoin reads them synchronously: one open, a read or two, one close.
// That is the syscall floor a monitoring agent pays anyway, without the thread-pool round trips of
// fs/promises.
//
// A target controls the size of some of these files (its cmdline and environ can be made gigabytes
// with prctl PR_SET_MM_MAP), so every read is bounded: past the limit it stops and throws instead of
// returning a cut text. The scratch buffer has a fixed size and is never replaced: a huge or failed
// read cannot leave it in a state that changes what the next read returns.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:os';
import { NsError } from './errors.js';
import { parseProcStat } from './parse/proc-stat.js';

/** Default bound of readText: 16 MiB, far above any kernel-made file (a legitimate argv+environ is at most 6 MiB). */
export const READ_LIMIT = 16 * 1024 * 1024;

const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Returns the whole text of a pseudo-file. Throws NsError (code from the kernel: ENOENT, EACCES,
 * ESRCH, ENODEV, ...) with `path` set; `pid` is added when given; 'EFBIG' when the file holds more
 * than `limit` bytes (nothing past limit + 1 bytes is read).
 */
export function readText(path: string, pid?: number, limit = READ_LIMIT): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw NsError.fromNodeError(err as NodeJS.ErrnoException, pid === undefined ? { path } : { path, pid });
  }
  try {
    return readFdText(fd, path, pid, limit);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads an open fd to its end as UTF-8, at most `limit` bytes (else NsError 'EFBIG'). `path` and
 * `pid` only name it in errors. Does not close the fd.
 */
export function readFdText(fd: number, path: string, pid?: number, limit = READ_LIMIT): string {
  const where = pid === undefined ? { path } : { path, pid };
  const parts: Buffer[] = [];
  let used = 0; // bytes of scratch in use
  let total = 0;
  for (;;) {
    if (used === scratch.length) {
      parts.push(Buffer.from(scratch)); // a copy: scratch is overwritten next
      used = 0;
    }
    let n: number;
    try {
      n = readSync(fd, scratch, used, Math.min(scratch.length - used, limit + 1 - total), null);
    } catch (err) {
      throw NsError.fromNodeError(err as NodeJS.ErrnoException, { ...where, syscall: 'read' });
    }
    if (n === 0) break;
    used += n;
    total += n;
    if (total > limit) {
      throw new NsError(
        'EFBIG',
        `${path} exceeded ${limit} bytes; not read further (the target may have made it huge)${pid === undefined ? '' : ` [pid ${pid}]`}`,
        { ...where, syscall: 'read' },
      );
    }
  }
  if (parts.length === 0) return scratch.toString('utf8', 0, used);
  parts.push(scratch.subarray(0, used));
  return Buffer.concat(parts).toString('utf8');
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
  try {
    const { state } = parseProcStat(stat, `${procRoot}/${pid}/stat`);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // not a stat line (a captured tree): keep the caller's own error
  }
}
