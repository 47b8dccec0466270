// Watching a started program: its pidfd is polled by libuv (readable once it exits) and the
// program is reaped with waitid(P_PIDFD), so the event loop never blocks and no zombie is left.
// Signals go through the pidfd too: once reaped, a pid may be reused; a pidfd never is.

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>
#include <uv.h>

#include <algorithm>
#include <cstring>

#include "sys.h"

namespace nsjoin {
namespace {

class Child;

// The poll handle of a watched program, apart from the Child: libuv owns it until its close
// callback, and Node's environment cleanup may come before or after the Child is collected.
struct Watcher {
  uv_poll_t poll;
  Child* owner;                           // null once the Child stopped watching
  napi_async_cleanup_hook_handle hook;    // removed when the handle is closed
  bool closing;
};

// Closes the handle once; the hook is removed when libuv has let go of it (which, if Node is
// tearing down, tells it that we are done).
void CloseWatcher(Watcher* w) {
  if (w->closing) return;
  w->closing = true;
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) {
    Watcher* w = static_cast<Watcher*>(h->data);
    if (w->hook != nullptr) napi_remove_async_cleanup_hook(w->hook);
    delete w;
  });
}

class Child : public Napi::ObjectWrap<Child> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Child",
                       {InstanceMethod("watch", &Child::Watch), InstanceMethod("kill", &Child::Kill),
                        InstanceMethod("ref", &Child::Ref), InstanceMethod("unref", &Child::Unref),
                        InstanceMethod("waitSync", &Child::WaitSync)});
  }

  explicit Child(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Child>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) {
      ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "Child(pidfd): pidfd must be a number", true);
      return;
    }
    double fd = info[0].As<Napi::Number>().DoubleValue();
    if (!(fd >= 0 && fd <= 0x7fffffff) || fd != static_cast<int>(fd)) {
      ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "Child(pidfd): bad fd", true);
      return;
    }
    // Only pidfds are accepted: a pidfd's fdinfo has a "Pid:" line.
    int pidfd = static_cast<int>(fd);
    if (waitid(P_PIDFD, pidfd, nullptr, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == EBADF) {
      ThrowCoded(env, "EBADF", "Child(pidfd): not a pidfd", true);
      return;
    }
    pidfd_ = pidfd;
  }

  ~Child() override {
    // The JS object can only be collected when not watching (or when Node tears down); an
    // unwatched, uncollected exit is reaped here so that it does not stay a zombie.
    StopWatching();
    if (pidfd_ >= 0) {
      siginfo_t si;
      memset(&si, 0, sizeof si);
      waitid(P_PIDFD, pidfd_, &si, WEXITED | WNOHANG);
      close(pidfd_);
    }
  }

 private:
  // watch(callback(exitCode | null, signal | null))
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "watch(callback)", true);
    if (pidfd_ < 0 || watcher_ != nullptr) return ThrowCoded(env, "ERR_INVALID_STATE", "watch: already watching or exited");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return ThrowCoded(env, "ERR_INVALID_STATE", "no event loop");
    Watcher* w = new Watcher{};
    if (uv_poll_init(loop, &w->poll, pidfd_) != 0) {
      delete w;
      return ThrowCoded(env, "ERR_INVALID_STATE", "uv_poll_init failed");
    }
    w->poll.data = w;
    w->owner = this;
    // Node tears an environment down (loop empty with the handle unref'd, a worker's end)
    // without telling JS: the hook closes the handle then, so that no callback comes once JS is
    // gone and no handle outlives the loop. Async, because uv_close completes on a later turn.
    if (napi_add_async_cleanup_hook(env, OnEnvCleanup, w, &w->hook) != napi_ok) w->hook = nullptr;
    watcher_ = w;
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    self_ = Napi::Persistent(Value());  // keep this object alive while the program runs
    env_ = env;
    uv_poll_start(&w->poll, UV_READABLE, OnReadable);
    return env.Undefined();
  }

  void StopWatching() {
    if (watcher_ == nullptr) return;
    watcher_->owner = nullptr;
    CloseWatcher(watcher_);
    watcher_ = nullptr;
  }

  // The environment is going away: no JS may run any more. The program is left running and
  // unwatched, as Node leaves an unref'd child; its pidfd is closed when the Child is finalized.
  static void OnEnvCleanup(napi_async_cleanup_hook_handle handle, void* arg) {
    Watcher* w = static_cast<Watcher*>(arg);
    if (w->owner != nullptr) w->owner->watcher_ = nullptr;
    w->owner = nullptr;
    CloseWatcher(w);
  }

  static void OnReadable(uv_poll_t* handle, int status, int events) {
    Child* self = static_cast<Watcher*>(handle->data)->owner;
    if (self == nullptr) return;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PIDFD, self->pidfd_, &si, WEXITED | WNOHANG);
    if (r == 0 && si.si_pid == 0) return;     // not yet: spurious wake-up
    if (r != 0 && errno != ECHILD) return;   // ECHILD: reaped elsewhere; report no status
    self->StopWatching();
    close(self->pidfd_);
    self->pidfd_ = -1;

    Napi::Env env = self->env_;
    Napi::HandleScope scope(env);
    Napi::Value code = env.Null(), sig = env.Null();
    if (si.si_code == CLD_EXITED) code = Napi::Number::New(env, si.si_status);
    else if (si.si_pid != 0) sig = Napi::Number::New(env, si.si_status);
    Napi::FunctionReference cb = std::move(self->callback_);
    Napi::ObjectReference keep = std::move(self->self_);
    // The raw call: node-addon-api's MakeCallback rethrows any failure with napi_throw, which is
    // fatal while Node tears down (it turns the loop once more before the cleanup hooks run).
    // A failure here is either that (JS is gone: nothing to do) or a listener that threw, which
    // goes to 'uncaughtException' as a throw in a child_process 'exit' listener does.
    napi_value argv[2] = {code, sig};
    napi_value result;
    if (napi_make_callback(env, nullptr, keep.Value(), cb.Value(), 2, argv, &result) != napi_ok) {
      bool pending = false;
      napi_value err;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
          napi_get_and_clear_last_exception(env, &err) == napi_ok) {
        napi_fatal_exception(env, err);
      }
    }
  }

  // kill(signal) -> undefined, or Failure { step: 'pidfd_send_signal', errno } (ESRCH once the
  // program has been reaped)
  Napi::Value Kill(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "kill(signal)", true);
    double s = info[0].As<Napi::Number>().DoubleValue();
    if (!(s >= 0 && s < NSIG) || s != static_cast<int>(s)) return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "kill: bad signal", true);
    if (pidfd_ < 0) return Failure(env, "pidfd_send_signal", ESRCH);
    if (sys_pidfd_send_signal(pidfd_, static_cast<int>(s)) != 0) return Failure(env, "pidfd_send_signal", errno);
    return env.Undefined();
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (watcher_) uv_ref(reinterpret_cast<uv_handle_t*>(&watcher_->poll));
    return info.Env().Undefined();
  }
  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (watcher_) uv_unref(reinterpret_cast<uv_handle_t*>(&watcher_->poll));
    return info.Env().Undefined();
  }

  // waitSync({ stdinFd, input, outFds: number[], timeoutMs, killSignal, maxBuffer })
  //   -> { code, signal, outputs: Buffer[], timedOut, overflow }
  // For spawnSync: one poll() loop over the program's pipes and its pidfd, on the calling thread.
  Napi::Value WaitSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "waitSync(options)", true);
    if (pidfd_ < 0 || watcher_ != nullptr) return ThrowCoded(env, "ERR_INVALID_STATE", "waitSync: already watching or exited");
    Napi::Object o = info[0].As<Napi::Object>();
    Decoder d{env};
    int stdinFd = static_cast<int>(d.Int(o, "stdinFd", -1, 0x7fffffff));
    std::vector<int64_t> outFds = d.IntArray(o, "outFds", -1, 0x7fffffff);
    int64_t timeoutMs = d.Int(o, "timeoutMs", 0, int64_t(1) << 50);
    int killSignal = static_cast<int>(d.Int(o, "killSignal", 1, NSIG - 1));
    int64_t maxBuffer = d.Int(o, "maxBuffer", 0, int64_t(1) << 50);
    Napi::Value inputValue = d.Get(o, "input");
    if (d.failed) return env.Undefined();
    std::string input;
    if (inputValue.IsBuffer()) {
      auto b = inputValue.As<Napi::Buffer<char>>();
      input.assign(b.Data(), b.Length());
    } else if (!inputValue.IsUndefined() && !inputValue.IsNull()) {
      return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "waitSync: input must be a Buffer", true);
    }

    std::vector<std::string> outs(outFds.size());
    std::vector<int> fds(outFds.begin(), outFds.end());
    size_t written = 0;
    if (stdinFd >= 0 && input.empty()) {
      close(stdinFd);
      stdinFd = -1;
    }
    if (stdinFd >= 0) fcntl(stdinFd, F_SETFL, fcntl(stdinFd, F_GETFL) | O_NONBLOCK);
    bool exited = false, timedOut = false, overflow = false;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool killed = false;
    for (;;) {
      std::vector<struct pollfd> pfds;
      if (!exited) pfds.push_back({pidfd_, POLLIN, 0});
      if (stdinFd >= 0) pfds.push_back({stdinFd, POLLOUT, 0});
      for (int fd : fds)
        if (fd >= 0) pfds.push_back({fd, POLLIN, 0});
      if (pfds.empty()) break;
      int wait = -1;
      if (timeoutMs > 0 && !killed) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        wait = elapsed >= timeoutMs ? 0 : static_cast<int>(std::min<int64_t>(timeoutMs - elapsed, 1 << 30));
      }
      int r = poll(pfds.data(), pfds.size(), wait);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0 && !killed) {
        timedOut = true;
        killed = true;
        sys_pidfd_send_signal(pidfd_, killSignal);
        continue;
      }
      for (auto& p : pfds) {
        if (!p.revents) continue;
        if (p.fd == pidfd_ && !exited) {
          if (waitid(P_PIDFD, pidfd_, &si, WEXITED | WNOHANG) == 0 && si.si_pid != 0) exited = true;
          if (exited && killed) {
            // Killed on timeout: whatever still holds the pipes is not waited for.
            for (int& fd : fds)
              if (fd >= 0) {
                char buf[65536];
                ssize_t n;
                int fl = fcntl(fd, F_GETFL);
                fcntl(fd, F_SETFL, fl | O_NONBLOCK);
                size_t idx = &fd - fds.data();
                while ((n = read(fd, buf, sizeof buf)) > 0) {
                  outs[idx].append(buf, n);
                  if (maxBuffer > 0 && static_cast<int64_t>(outs[idx].size()) > maxBuffer) outs[idx].resize(maxBuffer);
                }
                close(fd);
                fd = -1;
              }
          }
        } else if (p.fd == stdinFd) {
          if (p.revents & (POLLERR | POLLHUP)) {
            close(stdinFd);
            stdinFd = -1;
            continue;
          }
          ssize_t n = write(stdinFd, input.data() + written, std::min<size_t>(input.size() - written, 65536));
          if (n > 0) written += n;
          if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
            close(stdinFd);
            stdinFd = -1;
          }
        } else {
          for (size_t i = 0; i < fds.size(); i++) {
            if (fds[i] != p.fd) continue;
            char buf[65536];
            ssize_t n = read(fds[i], buf, sizeof buf);
            if (n > 0) {
              outs[i].append(buf, n);
              if (maxBuffer > 0 && static_cast<int64_t>(outs[i].size()) > maxBuffer) {
                outs[i].resize(maxBuffer);
                if (!overflow) {
                  overflow = true;
                  killed = true;
                  sys_pidfd_send_signal(pidfd_, killSignal);
                }
              }
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
              close(fds[i]);
              fds[i] = -1;
            }
          }
        }
      }
    }
    if (stdinFd >= 0) close(stdinFd);
    if (!exited) {
      while (waitid(P_PIDFD, pidfd_, &si, WEXITED) != 0 && errno == EINTR) {
      }
    }
    close(pidfd_);
    pidfd_ = -1;
    Napi::Object res = Napi::Object::New(env);
    res.Set("code", si.si_code == CLD_EXITED ? Napi::Value(Napi::Number::New(env, si.si_status)) : env.Null());
    res.Set("signal", si.si_code != CLD_EXITED ? Napi::Value(Napi::Number::New(env, si.si_status)) : env.Null());
    Napi::Array arr = Napi::Array::New(env, outs.size());
    for (size_t i = 0; i < outs.size(); i++) arr.Set(i, Napi::Buffer<char>::Copy(env, outs[i].data(), outs[i].size()));
    res.Set("outputs", arr);
    res.Set("timedOut", timedOut);
    res.Set("overflow", overflow);
    return res;
  }

  int pidfd_ = -1;
  Watcher* watcher_ = nullptr;
  Napi::FunctionReference callback_;
  Napi::ObjectReference self_;
  Napi::Env env_ = nullptr;
};

}  // namespace

void InitExit(Napi::Env env, Napi::Object exports) { exports.Set("Child", Child::Define(env)); }

}  // namespace nsjoin
