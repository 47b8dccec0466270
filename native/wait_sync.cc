// spawnSync's wait (Child.waitSync, native/exit.cc): one poll() loop on the calling thread over the
// program's pidfd, its stdin (fed from `input`) and its output pipes, with child_process's timeout
// and maxBuffer: either one sends killSignal, and the pipes are then drained of what is there
// without waiting for whoever else still holds them.

#include "wait_sync.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <cstring>

namespace nsjoin {
namespace {

struct SyncWait {
  int pidfd;
  int stdinFd;
  std::string input;
  size_t written = 0;
  std::vector<int> fds;  // output pipes; -1 once closed
  std::vector<std::string> outs;
  int64_t timeoutMs;
  int killSignal;
  int64_t maxBuffer;
  bool exited = false, killed = false, timedOut = false, overflow = false;
  int pollErrno = 0;
  siginfo_t si;

  void Kill() {
    killed = true;
    sys_pidfd_send_signal(pidfd, killSignal);
  }

  void CloseOut(size_t i) {
    close(fds[i]);
    fds[i] = -1;
  }

  // The one drain loop: reads pipe i into outs[i], keeping at most maxBuffer bytes. Once, when
  // poll said it is readable (more than maxBuffer kills the program); or, once the program was
  // killed and has exited, until it is empty, and then it is closed whatever holds it still.
  void Drain(size_t i, bool untilEmpty) {
    char buf[65536];
    for (;;) {
      ssize_t n = read(fds[i], buf, sizeof buf);
      if (n <= 0) {
        if (untilEmpty || n == 0 || (errno != EAGAIN && errno != EINTR)) CloseOut(i);
        return;
      }
      outs[i].append(buf, static_cast<size_t>(n));
      if (maxBuffer > 0 && static_cast<int64_t>(outs[i].size()) > maxBuffer) {
        outs[i].resize(static_cast<size_t>(maxBuffer));
        if (!untilEmpty && !overflow) {
          overflow = true;
          Kill();
        }
      }
      if (!untilEmpty) return;
    }
  }

  void OnExit() {
    if (waitid(P_PIDFD, pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid != 0) exited = true;
    if (!exited || !killed) return;
    // Killed on timeout or overflow: whatever still holds the pipes is not waited for.
    for (size_t i = 0; i < fds.size(); i++) {
      if (fds[i] < 0) continue;
      fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
      Drain(i, true);
    }
  }

  void CloseStdin() {
    close(stdinFd);
    stdinFd = -1;
  }

  void OnStdin(short revents) {
    if (revents & (POLLERR | POLLHUP)) return CloseStdin();
    ssize_t n = write(stdinFd, input.data() + written, std::min<size_t>(input.size() - written, 65536));
    if (n > 0) written += static_cast<size_t>(n);
    if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) CloseStdin();
  }

  // The poll timeout left, in ms (-1: none).
  int Remaining(const struct timespec& start) const {
    if (timeoutMs <= 0 || killed) return -1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    return elapsed >= timeoutMs ? 0 : static_cast<int>(std::min<int64_t>(timeoutMs - elapsed, 1 << 30));
  }

  void Run() {
    memset(&si, 0, sizeof si);
    outs.resize(fds.size());
    if (stdinFd >= 0 && input.empty()) CloseStdin();
    if (stdinFd >= 0) fcntl(stdinFd, F_SETFL, fcntl(stdinFd, F_GETFL) | O_NONBLOCK);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
      std::vector<struct pollfd> pfds;
      if (!exited) pfds.push_back({pidfd, POLLIN, 0});
      if (stdinFd >= 0) pfds.push_back({stdinFd, POLLOUT, 0});
      for (int fd : fds)
        if (fd >= 0) pfds.push_back({fd, POLLIN, 0});
      if (pfds.empty()) break;
      int r = poll(pfds.data(), pfds.size(), Remaining(start));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        // poll itself failed (ENOMEM; EINVAL once RLIMIT_NOFILE is below the fds polled): asking
        // again would spin at full CPU for ever. Kill the program, stop reading, report why.
        pollErrno = errno;
        killed = true;
        sys_pidfd_send_signal(pidfd, SIGKILL);
        for (size_t i = 0; i < fds.size(); i++)
          if (fds[i] >= 0) CloseOut(i);
        break;
      }
      if (r == 0 && !killed) {
        timedOut = true;
        Kill();
        continue;
      }
      for (const struct pollfd& p : pfds) {
        if (!p.revents) continue;
        if (p.fd == pidfd && !exited) {
          OnExit();
        } else if (p.fd == stdinFd) {
          OnStdin(p.revents);
        } else {
          for (size_t i = 0; i < fds.size(); i++)
            if (fds[i] == p.fd) Drain(i, false);
        }
      }
    }
    if (stdinFd >= 0) close(stdinFd);
    if (!exited) {
      while (waitid(P_PIDFD, pidfd, &si, WEXITED) != 0 && errno == EINTR) {
      }
    }
  }

  Napi::Value Result(Napi::Env env) const {
    Napi::Object res = Napi::Object::New(env);
    bool code = si.si_code == CLD_EXITED;
    Napi::Value status = Napi::Number::New(env, si.si_status);
    res.Set("code", code ? status : env.Null());
    res.Set("signal", code ? env.Null() : status);
    Napi::Array arr = Napi::Array::New(env, outs.size());
    for (size_t i = 0; i < outs.size(); i++) arr.Set(i, Napi::Buffer<char>::Copy(env, outs[i].data(), outs[i].size()));
    res.Set("outputs", arr);
    res.Set("timedOut", timedOut);
    res.Set("overflow", overflow);
    res.Set("pollErrno", pollErrno);
    return res;
  }
};

}  // namespace

Napi::Value WaitSync(Napi::Env env, const Napi::Object& o, Fd* pidfd) {
  Decoder d{env};
  SyncWait w;
  w.pidfd = pidfd->get();
  w.stdinFd = static_cast<int>(d.Int(o, "stdinFd", -1, 0x7fffffff));
  for (int64_t fd : d.IntArray(o, "outFds", -1, 0x7fffffff)) w.fds.push_back(static_cast<int>(fd));
  w.timeoutMs = d.Int(o, "timeoutMs", 0, int64_t(1) << 50);
  w.killSignal = static_cast<int>(d.Int(o, "killSignal", 1, NSIG - 1));
  w.maxBuffer = d.Int(o, "maxBuffer", 0, int64_t(1) << 50);
  Napi::Value input = d.Get(o, "input");
  if (d.failed) return env.Undefined();
  if (input.IsBuffer()) {
    auto b = input.As<Napi::Buffer<char>>();
    w.input.assign(b.Data(), b.Length());
  } else if (!input.IsUndefined() && !input.IsNull()) {
    return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "waitSync: input must be a Buffer", true);
  }
  w.Run();
  pidfd->reset();
  return w.Result(env);
}

}  // namespace nsjoin
