// Reading a process's /proc files so that what is read is of that process: a pidfd is opened
// first, the files are read, and then the pidfd is asked whether the process still exists. A pid is
// only reused after its process is gone (reaped), so if it still exists, /proc/PID named it all
// along. The check reads the pidfd's own fdinfo: "Pid: -1" once the process is gone (Linux >= 5.3).
import { readFileSync } from 'node:fs';
import { binding } from './binding.js';
import { E } from './errno.js';
import { NsError } from './errors.js';
import { closeFd } from './fd.js';
import { unwrap } from './native-error.js';

/**
 * Runs `read` between opening a pidfd of `pid` and checking that the process still lives.
 * @throws NsError ESRCH when the process does not exist or exited meanwhile; whatever `read` throws
 */
export function readUnderPidfd<T>(pid: number, read: () => T): T {
  const pidfd = unwrap(binding().pidfdOpen(pid), { pid });
  try {
    const value = read();
    const info = readFileSync(`/proc/self/fdinfo/${pidfd}`, 'utf8');
    if (!new RegExp(`^Pid:\\s*${pid}$`, 'm').test(info)) {
      throw NsError.fromErrno(E.ESRCH, { syscall: 'pidfd_open', pid, hint: 'the target exited while its /proc files were read' });
    }
    return value;
  } finally {
    closeFd(pidfd);
  }
}
