// Has the mount table changed? The kernel marks an open /proc/PID/mountinfo with POLLPRI|POLLERR
// once the mount namespace's event counter moves past the value the open file last saw (any mount,
// umount or move: fs/proc_namespace.c mounts_poll), and resets the mark when poll reports it.
// Node cannot ask poll(2) for POLLPRI, so this does, with a zero timeout: lib/cgroup/locate.ts
// reuses its parsed mount table for as long as the answer is "unchanged".

#include <poll.h>

#include <cerrno>

#include "sys.h"

namespace nsjoin {
namespace {

// pollPri(fd) -> 1 when the fd reports POLLPRI or POLLERR (changed), 0 when not, -errno on failure.
Napi::Value PollPri(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Decoder d{env};
  int fd = static_cast<int>(d.IntOf(info[0], "fd", 0, 0x7fffffff));
  if (d.failed) return env.Undefined();
  struct pollfd p = {fd, POLLPRI, 0};
  int n;
  do n = poll(&p, 1, 0); while (n < 0 && errno == EINTR);
  if (n < 0) return Napi::Number::New(env, -errno);
  if (p.revents & POLLNVAL) return Napi::Number::New(env, -EBADF);
  return Napi::Number::New(env, (p.revents & (POLLPRI | POLLERR)) ? 1 : 0);
}

}  // namespace

void InitMountwatch(Napi::Env env, Napi::Object exports) {
  exports.Set("pollPri", Napi::Function::New(env, PollPri, "pollPri"));
}

}  // namespace nsjoin
