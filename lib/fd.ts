// Closing fds that did not come from node:fs. A worker thread of Node tracks the fds node:fs
// opened and warns ("File descriptor N closed but not opened in unmanaged mode") when fs.closeSync
// closes any other; the addon's fds (pidfds, pipes, pty ends, sockets, openat2 fds) are closed by
// the addon instead. An fd from fs.openSync is still closed with fs.closeSync, so that the
// worker's tracking forgets it.
import { binding } from './binding.js';
import { unwrap } from './native-error.js';

/**
 * Closes an fd the addon opened.
 * @throws NsError (EBADF for an fd that is not open), as fs.closeSync throws.
 */
export function closeFd(fd: number): void {
  unwrap(binding().closeFd(fd), { syscall: 'close' });
}
