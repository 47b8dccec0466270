// openat2(2) for TypeScript: Node has no way to open a path with RESOLVE_* flags, and every path
// under /proc/PID/root must be resolved inside that root (lib/inroot.ts). Runs on Node's thread:
// opens of pseudo-files never wait on a disk, and the caller passes O_NONBLOCK so that a FIFO
// planted by the container cannot hold the event loop in open().

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "sys.h"

namespace nsjoin {
namespace {

// openat2(dirFd, path, flags, resolve) -> a close-on-exec fd, or Failure { step: 'openat2', errno }
// (ENOSYS before Linux 5.6: no fallback to openat, the caller fails closed). dirFd may be AT_FDCWD (-100).
Napi::Value Openat2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[1].IsString())
    return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "openat2(dirFd, path, flags, resolve): numbers and a string", true);
  Decoder d{env};
  int dirFd = static_cast<int>(d.IntOf(info[0], "dirFd", -100, 0x7fffffff));
  std::string path = d.Str(info[1], "path");
  int64_t flags = d.IntOf(info[2], "flags", 0, 0x7fffffff);
  int64_t resolve = d.IntOf(info[3], "resolve", 0, 0xffff);
  if (d.failed) return env.Undefined();
  struct open_how how = {};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.resolve = static_cast<unsigned long long>(resolve);
  long fd = syscall(SYS_openat2, dirFd, path.c_str(), &how, sizeof how);
  if (fd < 0) return Failure(env, "openat2", errno);
  return Napi::Number::New(env, static_cast<double>(fd));
}

}  // namespace

void InitOpenat2(Napi::Env env, Napi::Object exports) {
  exports.Set("openat2", Napi::Function::New(env, Openat2, "openat2"));
  static const struct {
    const char* name;
    long long value;
  } kFlags[] = {{"O_RDONLY", O_RDONLY},
                {"O_PATH", O_PATH},
                {"O_DIRECTORY", O_DIRECTORY},
                {"O_NOFOLLOW", O_NOFOLLOW},
                {"O_NONBLOCK", O_NONBLOCK},
                {"O_NOCTTY", O_NOCTTY},
                {"RESOLVE_NO_XDEV", RESOLVE_NO_XDEV},
                {"RESOLVE_NO_MAGICLINKS", RESOLVE_NO_MAGICLINKS},
                {"RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS},
                {"RESOLVE_BENEATH", RESOLVE_BENEATH},
                {"RESOLVE_IN_ROOT", RESOLVE_IN_ROOT}};
  Napi::Object c = Napi::Object::New(env);
  for (const auto& f : kFlags) c.Set(f.name, Napi::Number::New(env, static_cast<double>(f.value)));
  exports.Set("openat2Constants", c);
}

}  // namespace nsjoin
