// spawn()'s second stage: anchor the target with a pidfd, then open from the host's view what must
// be opened before joining (docs/architecture.md, "Starting a program in a target", step 1): the
// namespace fds (kernels without setns(pidfd)), the target's root and cwd, the cgroup.procs files
// and the host's /proc. All of it is close-on-exec in Node; the joiner clears the flag in its copy.

#include <fcntl.h>

#include "spawn.h"

namespace nsjoin {

void HostFds::CloseAll() {
  targetPidfd.reset();
  for (Fd& fd : ns) fd.reset();
  cgroups.clear();
  root.reset();
  cwd.reset();
  hostProc.reset();
}

namespace {

int OpenDir(const std::string& path) { return open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC); }

}  // namespace

bool OpenHostFds(const SpawnRequest& req, HostFds* fds, SpawnFailure* f) {
  const SpecHeader& h = req.header;
  // From here on every step names the target through this pidfd.
  fds->targetPidfd.reset(req.callerPidfd >= 0 ? fcntl(req.callerPidfd, F_DUPFD_CLOEXEC, 0)
                                              : static_cast<int>(sys_pidfd_open(req.pid, 0)));
  if (!fds->targetPidfd.ok()) return f->Set("pidfd_open", errno);

  std::string proc = "/proc/" + std::to_string(req.pid);
  if (!(h.flags & kSetnsPidfd)) {
    for (int i = 0; i < kNsCount; i++) {
      if (!(h.nsMask & static_cast<unsigned>(kNsKinds[i].flag))) continue;
      fds->ns[i].reset(open((proc + "/ns/" + kNsKinds[i].name).c_str(), O_RDONLY | O_CLOEXEC));
      if (!fds->ns[i].ok()) return f->Set("open_ns", errno, i);
    }
  }
  if (req.root) {
    fds->root.reset(OpenDir(proc + "/root"));
    if (!fds->root.ok()) return f->Set("open_root", errno);
  }
  if (req.cwdFromTarget) {
    // With kCwdFallbackToRoot, a cwd that cannot be opened is no error: the program starts in the root.
    fds->cwd.reset(OpenDir(proc + "/cwd"));
    if (!fds->cwd.ok() && !(h.flags & kCwdFallbackToRoot)) return f->Set("open_cwd", errno);
  }
  for (size_t i = 0; i < req.cgroupPaths.size(); i++) {
    Fd fd(open(req.cgroupPaths[i].c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.ok()) return f->Set("open_cgroup", errno, static_cast<int>(i));
    fds->cgroups.push_back(std::move(fd));
  }
  if (!(h.flags & kCloseRange) || (h.flags & kHasLsm)) {
    fds->hostProc.reset(OpenDir("/proc"));
    if (!fds->hostProc.ok()) return f->Set("open_proc", errno);
  }
  // The target was alive after everything above was opened, so /proc/PID named it all along (a
  // pid cannot be reused while its process lives); a reused pid is caught here.
  if (sys_pidfd_send_signal(fds->targetPidfd.get(), 0) != 0) return f->Set("pidfd_send_signal", errno);
  return true;
}

}  // namespace nsjoin
