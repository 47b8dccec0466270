// Sockets made inside a target's network namespace, then handed to libuv (lib/sockets.ts).
//
// A socket belongs for life to the network namespace it was created in: routes, addresses and
// the loopback it reaches are that namespace's, whichever thread later uses it. So only socket()
// has to run inside: a short-lived thread of ours joins the namespace (setns with CLONE_NEWNET
// works per thread, also in a multithreaded process) and exits after making the socket, so that
// no thread of Node, not even a thread-pool one, is ever switched. connect/bind then run on a
// libuv pool thread (a TCP connect may take its time) and the fd comes back to JavaScript.
//
// Unix socket paths are resolved in the target's root with openat2(RESOLVE_IN_ROOT) under
// /proc/PID/root, the last component too: connect opens the whole path O_PATH (a final symlink is
// followed inside the root, never to the host's /var/run/docker.sock), checks that it is a socket
// and connects through /proc/self/fd/N; bind opens the directory and binds /proc/self/fd/N/NAME
// (bind never follows a final symlink: EADDRINUSE). Both names are short whatever the length of
// the real path (sun_path holds 108). No openat2 (Linux < 5.6): ENOSYS, no unsafe fallback.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include "fd_holder.h"
#include "inroot.h"
#include "sys.h"

namespace nsjoin {
namespace {

// OpenInRoot without its openat fallback: a socket path the container controls is never resolved
// by a plain open, where an absolute symlink would lead to the host's files.
int OpenInRootStrict(int rootFd, const char* rel, int flags) {
  struct open_how how = {};
  how.flags = static_cast<unsigned long long>(flags);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, rootFd, rel, &how, sizeof how));
}

struct MakeArgs {
  int nsFd;  // pidfd (setns with a pidfd, 5.8) or /proc/PID/ns/net
  int family;
  int fd = -1;
  int err = 0;
  const char* step = "socket";
};

void* MakeSocket(void* arg) {
  MakeArgs* a = static_cast<MakeArgs*>(arg);
  if (sys_setns(a->nsFd, CLONE_NEWNET) != 0) {
    a->err = errno;
    a->step = "setns";
    return nullptr;
  }
  a->fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (a->fd < 0) a->err = errno;
  return nullptr;
}

class SocketWorker : public Napi::AsyncWorker {
 public:
  SocketWorker(Napi::Function cb) : Napi::AsyncWorker(cb, "nsjoin.socketIn") {}

  Fd nsFd_, rootFd_;
  int family_ = AF_INET;
  bool bind_ = false;
  unsigned char addr_[16] = {};
  int port_ = 0;
  uint32_t scope_ = 0;
  std::string dir_, name_;
  int timeoutMs_ = -1;
  // Result.
  Fd fd_;  // handed to JavaScript by OnOK; closed with the worker otherwise
  int err_ = 0;
  const char* step_ = nullptr;

  void Fail(const char* step, int err) {
    fd_.reset();
    step_ = step;
    err_ = err;
  }

  void Execute() override {
    if (step_ != nullptr) return;  // failed before the worker was queued
    MakeArgs a{nsFd_.get(), family_};
    pthread_t th;
    int rc = pthread_create(&th, nullptr, MakeSocket, &a);
    if (rc != 0) return Fail("pthread_create", rc);
    pthread_join(th, nullptr);
    if (a.fd < 0) return Fail(a.step, a.err);
    fd_.reset(a.fd);

    sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    Fd dirFd;  // held until bind/connect has resolved the /proc/self/fd path through it
    if (family_ == AF_UNIX) {
      if (bind_) {
        dirFd.reset(OpenInRootStrict(rootFd_.get(), dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      } else {
        std::string whole = dir_ + "/" + name_;
        dirFd.reset(OpenInRootStrict(rootFd_.get(), whole.c_str(), O_PATH | O_CLOEXEC));
        struct stat st;
        if (dirFd.ok() && (fstat(dirFd.get(), &st) != 0 || !S_ISSOCK(st.st_mode))) return Fail("open", ENOTSOCK);
      }
      if (!dirFd.ok()) return Fail("open", errno);
      auto* un = reinterpret_cast<sockaddr_un*>(&ss);
      un->sun_family = AF_UNIX;
      std::string path = "/proc/self/fd/" + std::to_string(dirFd.get()) + (bind_ ? "/" + name_ : "");
      if (path.size() >= sizeof un->sun_path) return Fail("connect", ENAMETOOLONG);
      memcpy(un->sun_path, path.c_str(), path.size() + 1);
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    } else if (family_ == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&ss);
      in->sin_family = AF_INET;
      in->sin_port = htons(static_cast<uint16_t>(port_));
      memcpy(&in->sin_addr, addr_, 4);
      len = sizeof *in;
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(static_cast<uint16_t>(port_));
      in6->sin6_scope_id = scope_;
      memcpy(&in6->sin6_addr, addr_, 16);
      len = sizeof *in6;
    }

    if (bind_) {
      // As libuv does for its own TCP servers: a restarted server can rebind at once.
      int one = 1;
      if (family_ != AF_UNIX) setsockopt(fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return Fail("bind", errno);
      return;
    }
    int r = connect(fd_.get(), reinterpret_cast<sockaddr*>(&ss), len);
    int e = errno;
    dirFd.reset();
    if (r == 0) return;
    if (e != EINPROGRESS) return Fail("connect", e);
    pollfd p{fd_.get(), POLLOUT, 0};
    for (;;) {
      int n = poll(&p, 1, timeoutMs_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail("poll", errno);
      if (n == 0) return Fail("connect", ETIMEDOUT);
      break;
    }
    int soErr = 0;
    socklen_t sl = sizeof soErr;
    if (getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &soErr, &sl) != 0) return Fail("getsockopt", errno);
    if (soErr != 0) return Fail("connect", soErr);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (step_ != nullptr) {
      Callback().Call({Failure(env, step_, err_), env.Null()});
    } else {
      Callback().Call({env.Null(), Napi::Number::New(env, fd_.release())});
    }
  }
};

// socketIn({ pid, setnsPidfd, family: 'inet' | 'inet6' | 'unix', op: 'connect' | 'bind',
//   address?: Buffer(4 | 16), port?, scopeId?, dir?, name?, timeoutMs }, callback(err, fd))
// err = Failure { step, errno } (sys.h). The fd is close-on-exec and non-blocking; connected (op 'connect') or
// bound, not yet listening (op 'bind'). The target is anchored with a pidfd before anything else.
Napi::Value SocketIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
    return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "socketIn(spec, callback): an object and a function", true);
  Napi::Object spec = info[0].As<Napi::Object>();
  Decoder d{env};
  int pid = static_cast<int>(d.Int(spec, "pid", 1, 4194304));
  bool setnsPidfd = d.Bool(spec, "setnsPidfd");
  std::string family = d.Str(spec.Get("family"), "family");
  std::string op = d.Str(spec.Get("op"), "op");
  int timeoutMs = static_cast<int>(d.Int(spec, "timeoutMs", -1, 0x7fffffff));
  if (d.failed) return env.Undefined();
  if ((family != "inet" && family != "inet6" && family != "unix") || (op != "connect" && op != "bind"))
    return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "socketIn: family must be inet, inet6 or unix; op connect or bind",
                      true);

  SocketWorker* w = new SocketWorker(info[1].As<Napi::Function>());
  w->bind_ = op == "bind";
  w->timeoutMs_ = timeoutMs;
  if (family == "unix") {
    w->family_ = AF_UNIX;
    w->dir_ = d.Str(spec.Get("dir"), "dir");
    w->name_ = d.Str(spec.Get("name"), "name");
    if (!d.failed && (w->name_.empty() || w->name_.find('/') != std::string::npos || w->dir_.empty())) {
      delete w;
      return ThrowCoded(env, "ERR_INVALID_ARG_VALUE",
                        "socketIn: dir must not be empty; name must be one path component", true);
    }
  } else {
    w->family_ = family == "inet" ? AF_INET : AF_INET6;
    w->port_ = static_cast<int>(d.Int(spec, "port", 0, 65535));
    w->scope_ = static_cast<uint32_t>(d.Int(spec, "scopeId", 0, 0xffffffff));
    Napi::Value a = spec.Get("address");
    size_t want = w->family_ == AF_INET ? 4 : 16;
    if (!d.failed && (!a.IsBuffer() || a.As<Napi::Buffer<unsigned char>>().Length() != want)) d.Fail("address");
    if (!d.failed) memcpy(w->addr_, a.As<Napi::Buffer<unsigned char>>().Data(), want);
  }
  if (d.failed) {
    delete w;
    return env.Undefined();
  }

  // Anchor the target now, on the calling thread, so that the pid names the process the caller meant.
  Fd pidfd(static_cast<int>(sys_pidfd_open(pid, 0)));
  if (!pidfd.ok()) {
    w->step_ = "pidfd_open";
    w->err_ = errno;
  } else {
    std::string proc = "/proc/" + std::to_string(pid);
    if (setnsPidfd) {
      w->nsFd_.reset(pidfd.release());
    } else {
      w->nsFd_.reset(open((proc + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
      if (!w->nsFd_.ok()) w->step_ = "open_ns", w->err_ = errno;
    }
    if (w->step_ == nullptr && w->family_ == AF_UNIX) {
      w->rootFd_.reset(open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!w->rootFd_.ok()) w->step_ = "open_root", w->err_ = errno;
    }
    // Whatever was opened by /proc path belonged to the process the pidfd names if it is still
    // alive now (a pid is not reused while its process lives).
    int check = pidfd.ok() ? pidfd.get() : w->nsFd_.get();
    if (w->step_ == nullptr && sys_pidfd_send_signal(check, 0) != 0) w->step_ = "pidfd_send_signal", w->err_ = errno;
  }
  w->Queue();
  return env.Undefined();
}

}  // namespace

void InitSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("socketIn", Napi::Function::New(env, SocketIn, "socketIn"));
}

}  // namespace nsjoin
