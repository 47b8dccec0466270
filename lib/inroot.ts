// Opening paths inside a root the target controls (/proc/PID/root, or a sysfs directory in it),
// with openat2(2) (Linux >= 5.6; the addon's native/openat2.cc). A plain open of
// /proc/PID/root/a/b follows the container's absolute symlinks to the host's own files and lets
// '..' climb out of a chroot; RESOLVE_IN_ROOT keeps both inside. Files are then read relative to a
// directory fd with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, O_NONBLOCK (a FIFO planted there cannot
// hold the event loop in open()) and a file-type check, so a directory swapped after the check
// (renameat2) changes nothing: the fd keeps naming what was checked.
import { fstatSync } from 'node:fs';
import { binding, type Openat2Constants } from './binding.js';
import { NsError } from './errors.js';
import { closeFd } from './fd.js';
import { unwrap } from './native-error.js';
import { readFdText, READ_LIMIT } from './io.js';

let constants: Openat2Constants | undefined;
/** The O_* and RESOLVE_* flags of openat2, from the addon. */
export function openFlags(): Openat2Constants {
  constants ??= binding().openat2Constants;
  return constants;
}

/**
 * openat2(dirFd, path, flags | O_CLOEXEC, resolve): an fd, or NsError (syscall 'openat2', `path` as
 * `label` names it). ENOSYS (Linux < 5.6) is not worked around: the caller fails closed.
 */
export function openat2(dirFd: number, path: string, flags: number, resolve: number, label = path, pid?: number): number {
  return unwrap(binding().openat2(dirFd, path, flags, resolve), { path: label, pid });
}

/** A directory fd (O_PATH) for `rel` resolved inside `rootFd` as if it were `/` (RESOLVE_IN_ROOT). */
export function openDirInRoot(rootFd: number, rel: string, label = rel, pid?: number): number {
  const c = openFlags();
  return openat2(rootFd, rel, c.O_PATH | c.O_DIRECTORY, c.RESOLVE_IN_ROOT | c.RESOLVE_NO_MAGICLINKS, label, pid);
}

/**
 * Reads the regular file `name` directly below `dirFd` (RESOLVE_BENEATH, no symlinks, O_NONBLOCK),
 * at most `limit` bytes. NsError: 'EINVAL' when it is not a regular file (a FIFO, a device),
 * 'ELOOP' for a symlink, 'EFBIG' past the limit, or the errno of open/read.
 */
export function readTextBeneath(dirFd: number, name: string, label: string, pid?: number, limit = READ_LIMIT): string {
  const c = openFlags();
  const fd = openat2(
    dirFd,
    name,
    c.O_RDONLY | c.O_NONBLOCK | c.O_NOCTTY | c.O_NOFOLLOW,
    c.RESOLVE_BENEATH | c.RESOLVE_NO_SYMLINKS | c.RESOLVE_NO_MAGICLINKS | c.RESOLVE_NO_XDEV,
    label,
    pid,
  );
  try {
    if (!fstatSync(fd).isFile()) {
      throw new NsError('EINVAL', `${label} is not a regular file; not read${pid === undefined ? '' : ` [pid ${pid}]`}`, {
        syscall: 'openat2',
        path: label,
        ...(pid === undefined ? {} : { pid }),
      });
    }
    return readFdText(fd, label, pid, limit);
  } finally {
    closeFd(fd);
  }
}

/** Like readTextBeneath, but undefined when the file does not exist (ENOENT). */
export function readTextBeneathIfExists(dirFd: number, name: string, label: string, pid?: number): string | undefined {
  try {
    return readTextBeneath(dirFd, name, label, pid);
  } catch (err) {
    if ((err as NsError).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The path through which Node's path-taking calls (readdir, statfs) reach exactly what `fd` names. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}
