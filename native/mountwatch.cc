// Has the mount table changed? The kernel marks an open /proc/PID/mountinfo with POLLPRI|POLLERR
// once the mount namespace's event counter moves past the value the open file last saw (any mount,
// umount or move: fs/proc_namespace.c mounts_poll), and resets the mark when poll reports it.
// Node cannot ask poll(2) for POLLPRI, so this does, with a zero timeout: lib/cgroup/locate.ts
// reuses its parsed mount table for as long as the answer is "unchanged".

#include <poll.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>

#include "sys.h"

namespace nsjoin {
namespace {

// pollPri(fd, dev, ino) -> 1 when the fd reports POLLPRI or POLLERR (changed), 0 when not, a
// failure { step, errno } otherwise: { 'fstat', ESTALE } when fd is no longer the file opened as
// (dev, ino): closed by someone else and its number reused, a mark on which would never come.
Napi::Value PollPri(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Decoder d{env};
  int fd = static_cast<int>(d.IntOf(info[0], "fd", 0, 0x7fffffff));
  int64_t dev = d.IntOf(info[1], "dev", 0, INT64_C(0x1fffffffffffff));
  int64_t ino = d.IntOf(info[2], "ino", 0, INT64_C(0x1fffffffffffff));
  if (d.failed) return env.Undefined();
  struct stat st;
  if (fstat(fd, &st) != 0) return Failure(env, "fstat", errno);
  if (static_cast<int64_t>(st.st_dev) != dev || static_cast<int64_t>(st.st_ino) != ino)
    return Failure(env, "fstat", ESTALE);
  struct pollfd p = {fd, POLLPRI, 0};
  int n;
  do n = poll(&p, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return Failure(env, "poll", errno);
  if (p.revents & POLLNVAL) return Failure(env, "poll", EBADF);
  return Napi::Number::New(env, (p.revents & (POLLPRI | POLLERR)) ? 1 : 0);
}

}  // namespace

void InitMountwatch(Napi::Env env, Napi::Object exports) {
  exports.Set("pollPri", Napi::Function::New(env, PollPri, "pollPri"));
}

}  // namespace nsjoin
