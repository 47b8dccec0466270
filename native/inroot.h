// Opening a path inside another process's root directory from the host, without letting the
// container's symlinks lead out of it: openat2(RESOLVE_IN_ROOT) on /proc/PID/root (Linux 5.6).
#pragma once

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace nsjoin {

// Returns an fd or -1 with errno. `rel` is relative to `rootFd`; ".." and absolute symlinks stay
// inside the root. Kernels before 5.6 get a plain openat, where an absolute symlink would be
// resolved against our own root: a missing file there is the worst that can follow for the pty
// (the devpts check in pty.cc), and the socket paths document it.
inline int OpenInRoot(int rootFd, const char* rel, int flags) {
  struct open_how how = {};
  how.flags = static_cast<unsigned long long>(flags);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, rootFd, rel, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) fd = openat(rootFd, rel, flags);
  return static_cast<int>(fd);
}

}  // namespace nsjoin
