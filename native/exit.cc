// Watching a started program: its pidfd is polled by libuv (readable once it exits) and the
// program is reaped with waitid(P_PIDFD), so the event loop never blocks and no zombie is left.
// Signals go through the pidfd too: once reaped, a pid may be reused; a pidfd never is.

#include <sys/wait.h>
#include <uv.h>

#include <cstring>

#include "fd_holder.h"
#include "sys.h"
#include "wait_sync.h"

namespace nsjoin {
namespace {

class Child;

// The poll handle of a watched program, apart from the Child: libuv owns it until its close
// callback, and Node's environment cleanup may come before or after the Child is collected.
struct Watcher {
  uv_poll_t poll;
  Child* owner;                         // null once the Child stopped watching
  napi_async_cleanup_hook_handle hook;  // removed when the handle is closed
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
    pidfd_.reset(pidfd);
  }

  ~Child() override {
    // The JS object can only be collected when not watching (or when Node tears down); an
    // unwatched, uncollected exit is reaped here so that it does not stay a zombie.
    StopWatching();
    if (pidfd_.ok()) {
      siginfo_t si;
      memset(&si, 0, sizeof si);
      waitid(P_PIDFD, pidfd_.get(), &si, WEXITED | WNOHANG);
    }
  }

 private:
  // watch(callback(exitCode | null, signal | null))
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction())
      return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "watch(callback)", true);
    if (!pidfd_.ok() || watcher_ != nullptr)
      return ThrowCoded(env, "ERR_INVALID_STATE", "watch: already watching or exited");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr)
      return ThrowCoded(env, "ERR_INVALID_STATE", "no event loop");
    Watcher* w = new Watcher{};
    if (uv_poll_init(loop, &w->poll, pidfd_.get()) != 0) {
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
    int r = waitid(P_PIDFD, self->pidfd_.get(), &si, WEXITED | WNOHANG);
    if (r == 0 && si.si_pid == 0) return;   // not yet: spurious wake-up
    if (r != 0 && errno != ECHILD) return;  // ECHILD: reaped elsewhere; report no status
    self->StopWatching();
    self->pidfd_.reset();

    Napi::Env env = self->env_;
    Napi::HandleScope scope(env);
    Napi::Value code = env.Null(), sig = env.Null();
    if (si.si_code == CLD_EXITED)
      code = Napi::Number::New(env, si.si_status);
    else if (si.si_pid != 0)
      sig = Napi::Number::New(env, si.si_status);
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
    if (!(s >= 0 && s < NSIG) || s != static_cast<int>(s))
      return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "kill: bad signal", true);
    if (!pidfd_.ok()) return Failure(env, "pidfd_send_signal", ESRCH);
    if (sys_pidfd_send_signal(pidfd_.get(), static_cast<int>(s)) != 0) return Failure(env, "pidfd_send_signal", errno);
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

  // waitSync(options): spawnSync's wait, on the calling thread (native/wait_sync.cc).
  Napi::Value WaitSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject())
      return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "waitSync(options)", true);
    if (!pidfd_.ok() || watcher_ != nullptr)
      return ThrowCoded(env, "ERR_INVALID_STATE", "waitSync: already watching or exited");
    return nsjoin::WaitSync(env, info[0].As<Napi::Object>(), &pidfd_);
  }

  Fd pidfd_;  // -1 once the program is reaped
  Watcher* watcher_ = nullptr;
  Napi::FunctionReference callback_;
  Napi::ObjectReference self_;
  Napi::Env env_ = nullptr;
};

}  // namespace

void InitExit(Napi::Env env, Napi::Object exports) { exports.Set("Child", Child::Define(env)); }

}  // namespace nsjoin
