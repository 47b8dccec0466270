// close(2) for fds the addon opened (pidfds, pipes, pty ends, sockets, openat2 fds). In a worker
// thread Node tracks the fds node:fs opened and warns on fs.closeSync of any other ("closed but
// not opened in unmanaged mode"); closing them here keeps that tracking out of it. fds from
// fs.openSync are still closed with fs.closeSync (lib/fd.ts).

#include <unistd.h>

#include "sys.h"

namespace nsjoin {
namespace {

// closeFd(fd) -> undefined, or Failure { step: 'close', errno } (EBADF for an fd not open). The fd
// is gone even after EINTR on Linux, so it is never retried.
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Decoder d{env};
  int fd = static_cast<int>(d.IntOf(info.Length() > 0 ? info[0] : env.Undefined(), "fd", 0, 0x7fffffff));
  if (d.failed) return env.Undefined();
  if (close(fd) < 0 && errno != EINTR) return Failure(env, "close", errno);
  return env.Undefined();
}

}  // namespace

void InitFd(Napi::Env env, Napi::Object exports) {
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
}

}  // namespace nsjoin
