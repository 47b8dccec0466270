// Starting a program inside the namespaces of another process (docs/architecture.md, "Starting a program in a target").
//
//   Node ──clone(CLONE_VM|CLONE_VFORK)──> joiner ──execveat──> trampoline ──fork(CLONE_PARENT)──> program
//
// The joiner shares Node's memory only for the few instructions before it execs the trampoline
// (native/trampoline/, embedded in the addon and run from a sealed memfd): no page-table copy, so
// the cost does not grow with Node's heap, and Node's thread is released at that exec. The joiner
// joins nothing: it is still in all of Node's namespaces. The trampoline, a small process of its
// own that stays in the host's pid namespace (the target can neither see nor signal it), joins the
// target and forks the program with CLONE_PARENT: inside the target's pid namespace, a direct
// child of Node, watched through a pidfd (native/exit.cc). So no process the target can see shares
// Node's memory, and Node never waits on one.
//
// Node waits for the trampoline only (it reports the program's pid or why there is none, then
// exits). Whether the program's own steps and execve worked arrives later on the start pipe, whose
// read end goes to TypeScript: a {step, errno, arg} report, or EOF once execve worked.

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>

#include "creds.h"
#include "spawn_spec.h"
#include "sys.h"

// The joiner runs instrumented code on a stack of our own, in Node's memory (so in its ASan shadow
// too), and leaves by exec: its redzones would stay poisoned and be reported later as false errors
// in whatever reuses those pages. Clean them before unmapping.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define NSJOIN_UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION(addr, size)
#else
#define NSJOIN_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

namespace nsjoin {

// native/trampoline_image.cc
int TrampolineFd();
int MemfdWith(const char* name, unsigned flags, const char* data, size_t size);

namespace {

constexpr size_t kStackSize = 64 * 1024;

// What Node opens for the trampoline before the clone; all close-on-exec in Node.
struct Plan {
  int targetPidfd = -1;
  int nsFds[kNsCount] = {-1, -1, -1, -1, -1, -1, -1, -1};
  std::vector<int> cgroupFds;
  int rootFd = -1;
  int cwdFd = -1;
  int hostProcFd = -1;  // the host's /proc: for the close_range fallback and the LSM exec label
};

// What the joiner needs, prepared before the clone: it only clears close-on-exec on the fds the
// trampoline inherits (its fd table is a copy: Node's flags stay) and execs.
struct Joiner {
  int trampolineFd;
  int reportFd;  // for an exec failure
  std::vector<int> passFds;
  char* argv[3];
  char* envp[1];
};

int JoinerMain(void* arg) {
  Joiner* j = static_cast<Joiner*>(arg);
  for (int fd : j->passFds) {
    if (fcntl(fd, F_SETFD, 0) != 0) break;  // a bad fd: execveat reports below, or the step that needs it
  }
  syscall(SYS_execveat, j->trampolineFd, "", j->argv, j->envp, AT_EMPTY_PATH);
  Report r{kStepTrampoline, errno, -1, 0};
  ssize_t n;
  do n = write(j->reportFd, &r, sizeof r);
  while (n < 0 && errno == EINTR);
  _exit(127);
}

void CloseIf(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void ClosePlan(Plan& p) {
  CloseIf(p.targetPidfd);
  for (int& fd : p.nsFds) CloseIf(fd);
  for (int& fd : p.cgroupFds) CloseIf(fd);
  CloseIf(p.rootFd);
  CloseIf(p.cwdFd);
  CloseIf(p.hostProcFd);
}

Napi::Object Result(Napi::Env env, const char* step, int err, int arg) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("ok", false);
  r.Set("step", step);
  r.Set("errno", err);
  r.Set("arg", arg);
  return r;
}

// The spec image (spawn_spec.h), appended piece by piece.
struct SpecWriter {
  std::string out;
  template <typename T>
  void Put(const T& v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Str(const std::string& s) { out.append(s.c_str(), s.size() + 1); }
};

// spawn(spec) -> { ok: true, pid, pidfd, startFd } | { ok: false, step, errno, arg }
// startFd: the start pipe's read end (close-on-exec): a 16-byte {step, errno, arg, 0} report if the
// program failed before execve, else EOF once it exec'd. The TypeScript layer validates
// everything first; this decodes defensively all the same.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "spawn(spec): spec must be an object", true);
  Napi::Object spec = info[0].As<Napi::Object>();
  Decoder d{env};
  Plan p;
  SpecHeader h;
  memset(&h, 0, sizeof h);
  h.magic = kSpecMagic;
  auto flag = [&](const char* key, uint32_t bit) {
    if (d.Bool(spec, key)) h.flags |= bit;
  };
  int pid = static_cast<int>(d.Int(spec, "pid", 1, 4194304));
  // The pidfd the caller opened before it read anything of the target from /proc (-1: open it
  // here). Only then does the liveness check below also vouch for what the caller read.
  int callerPidfd = static_cast<int>(d.Int(spec, "pidfd", -1, 0x7fffffff));
  h.nsMask = static_cast<uint32_t>(d.Int(spec, "nsMask", 0, 0x7fffffff));
  flag("setnsPidfd", kSetnsPidfd);
  flag("closeRange", kCloseRange);
  bool root = d.Bool(spec, "root");
  bool cwdFromTarget = d.Bool(spec, "cwdFromTarget");
  flag("verifyCwd", kVerifyCwd);
  flag("cwdFallbackToRoot", kCwdFallbackToRoot);
  flag("freshSysfs", kFreshSysfs);
  flag("freshProc", kFreshProc);
  flag("setsid", kSetsid);
  h.cttyIndex = static_cast<int32_t>(d.Int(spec, "ctty", -1, 1023));
  flag("dieWithParent", kDieWithParent);
  Creds creds;
  if (DecodeCreds(d, spec, &creds)) PutCreds(creds, &h);
  std::vector<int64_t> stdio = d.IntArray(spec, "stdio", -1, 0x7fffffff);
  std::vector<std::string> cgroupPaths = d.StrArray(spec, "cgroupProcs");
  std::vector<std::string> argv = d.StrArray(spec, "argv");
  std::vector<std::string> envp = d.StrArray(spec, "envp");
  std::vector<std::string> execPaths = d.StrArray(spec, "execPaths");
  Napi::Value cwd = d.Get(spec, "cwd");
  std::string cwdPath;
  if (!d.failed && !cwd.IsNull() && !cwd.IsUndefined()) {
    cwdPath = d.Str(cwd, "cwd");
    h.flags |= kHasCwdPath;
  }
  if (d.failed) return env.Undefined();
  if (argv.empty() || execPaths.empty() || stdio.size() > 1024)
    return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "spawn(spec): argv and execPaths must not be empty; at most 1024 stdio slots", true);
  if (h.cttyIndex >= static_cast<int>(stdio.size()))
    return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "spawn(spec): ctty must be one of the stdio slots", true);

  // 1. Anchor the target: from here on every step names it through this pidfd.
  p.targetPidfd = callerPidfd >= 0 ? fcntl(callerPidfd, F_DUPFD_CLOEXEC, 0) : static_cast<int>(sys_pidfd_open(pid, 0));
  if (p.targetPidfd < 0) return Result(env, "pidfd_open", errno, -1);

  // 2. Open, from the host's view, what must be opened before joining.
  std::string proc = "/proc/" + std::to_string(pid);
  if (!(h.flags & kSetnsPidfd)) {
    for (int i = 0; i < kNsCount; i++) {
      if (!(h.nsMask & static_cast<unsigned>(kNsKinds[i].flag))) continue;
      p.nsFds[i] = open((proc + "/ns/" + kNsKinds[i].name).c_str(), O_RDONLY | O_CLOEXEC);
      if (p.nsFds[i] < 0) {
        int err = errno;
        ClosePlan(p);
        return Result(env, "open_ns", err, i);
      }
    }
  }
  if (root) {
    p.rootFd = open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (p.rootFd < 0) {
      int err = errno;
      ClosePlan(p);
      return Result(env, "open_root", err, -1);
    }
  }
  if (cwdFromTarget) {
    p.cwdFd = open((proc + "/cwd").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (p.cwdFd < 0 && !(h.flags & kCwdFallbackToRoot)) {
      int err = errno;
      ClosePlan(p);
      return Result(env, "open_cwd", err, -1);
    }
  }
  for (size_t i = 0; i < cgroupPaths.size(); i++) {
    int fd = open(cgroupPaths[i].c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      ClosePlan(p);
      return Result(env, "open_cgroup", err, static_cast<int>(i));
    }
    p.cgroupFds.push_back(fd);
  }
  if (!(h.flags & kCloseRange) || (h.flags & kHasLsm)) {
    p.hostProcFd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (p.hostProcFd < 0) {
      int err = errno;
      ClosePlan(p);
      return Result(env, "open_proc", err, -1);
    }
  }
  // The target was alive after everything above was opened, so /proc/PID named it all along (a
  // pid cannot be reused while its process lives); a reused pid is caught here.
  if (sys_pidfd_send_signal(p.targetPidfd, 0) != 0) {
    int err = errno;
    ClosePlan(p);
    return Result(env, "pidfd_send_signal", err, -1);
  }

  // 3. The pipes (report: trampoline -> here, non-blocking; start: program -> TypeScript), the
  // spec image in a memfd, and the trampoline.
  int reportPipe[2] = {-1, -1}, startPipe[2] = {-1, -1};
  const char* failed = nullptr;
  int specFd = -1, trampoline = TrampolineFd();
  if (trampoline < 0) failed = "trampoline";
  else if (pipe2(reportPipe, O_CLOEXEC | O_NONBLOCK) != 0) failed = "pipe";
  else if (pipe2(startPipe, O_CLOEXEC) != 0) failed = "pipe";
  if (!failed) {
    h.targetPidfd = p.targetPidfd;
    for (int i = 0; i < kNsCount; i++) h.nsFds[i] = p.nsFds[i];
    h.rootFd = p.rootFd;
    h.cwdFd = p.cwdFd;
    h.hostProcFd = p.hostProcFd;
    h.reportFd = reportPipe[1];
    h.startFd = startPipe[1];
    h.nCgroupFds = static_cast<uint32_t>(p.cgroupFds.size());
    h.nStdio = static_cast<uint32_t>(stdio.size());
    h.nArgv = static_cast<uint32_t>(argv.size());
    h.nEnv = static_cast<uint32_t>(envp.size());
    h.nExec = static_cast<uint32_t>(execPaths.size());
    SpecWriter w;
    w.Put(h);
    for (int fd : p.cgroupFds) w.Put(static_cast<int32_t>(fd));
    for (uint32_t g : creds.groups) w.Put(g);
    for (int64_t fd : stdio) w.Put(static_cast<int32_t>(fd));
    if (h.flags & kHasCwdPath) w.Str(cwdPath);
    if (h.flags & kHasLsm) {
      w.Str(creds.lsmAttr);
      w.Str(creds.lsmValue);
    }
    for (auto& s : argv) w.Str(s);
    for (auto& s : envp) w.Str(s);
    for (auto& s : execPaths) w.Str(s);
    reinterpret_cast<SpecHeader*>(&w.out[0])->size = static_cast<uint32_t>(w.out.size());
    specFd = MemfdWith("nsjoin-spec", MFD_CLOEXEC, w.out.data(), w.out.size());
    if (specFd < 0) failed = "memfd_create";
  }
  void* stack = MAP_FAILED;
  if (!failed) {
    stack = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) failed = "mmap";
  }
  auto closeAll = [&]() {
    for (int fd : {reportPipe[0], reportPipe[1], startPipe[0], startPipe[1], specFd})
      if (fd >= 0) close(fd);
    ClosePlan(p);
  };
  if (failed) {
    int err = errno;
    closeAll();
    return Result(env, failed, err, -1);
  }

  Joiner j;
  j.trampolineFd = trampoline;
  j.reportFd = reportPipe[1];
  j.passFds = {specFd, reportPipe[1], startPipe[1], p.targetPidfd, p.rootFd, p.cwdFd, p.hostProcFd};
  for (int fd : p.nsFds) j.passFds.push_back(fd);
  for (int fd : p.cgroupFds) j.passFds.push_back(fd);
  for (int64_t fd : stdio) j.passFds.push_back(static_cast<int>(fd));
  j.passFds.erase(std::remove(j.passFds.begin(), j.passFds.end(), -1), j.passFds.end());
  std::string specArg = std::to_string(specFd);
  char name[] = "nsjoin-trampoline";
  j.argv[0] = name;
  j.argv[1] = &specArg[0];
  j.argv[2] = nullptr;
  j.envp[0] = nullptr;

  // 4. Block every signal across the clone, as posix_spawn does: a handler of Node must not run in
  // the joiner, which shares its memory. The mask (all blocked) goes on through the exec into the
  // trampoline; the program unblocks just before its execve.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int joiner = clone(JoinerMain, static_cast<char*>(stack) + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, &j);
  int cloneErr = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  NSJOIN_UNPOISON(stack, kStackSize);
  munmap(stack, kStackSize);
  for (int* fd : {&reportPipe[1], &startPipe[1], &specFd}) CloseIf(*fd);
  ClosePlan(p);
  if (joiner < 0) {
    closeAll();
    return Result(env, "clone", cloneErr, -1);
  }

  // 5. The trampoline is a process of its own now, invisible to the target; it reports once and
  // exits. Its exit (right after the report) is waited for, so that no zombie is left; then the
  // report is read without blocking: the program may still hold the pipe's write end.
  int status;
  while (waitpid(joiner, &status, __WALL) < 0 && errno == EINTR) {
  }
  Report r{-1, 0, 0, 0};
  ssize_t n;
  do n = read(reportPipe[0], &r, sizeof r);
  while (n < 0 && errno == EINTR);
  CloseIf(reportPipe[0]);
  if (n != static_cast<ssize_t>(sizeof r) || r.step < 0 || r.step >= kStepCount) {
    closeAll();
    return Result(env, "trampoline", ECHILD, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  if (r.step != kStepPid) {
    closeAll();
    return Result(env, kStepNames[r.step], r.err, r.arg);
  }
  int programPid = r.value;
  // The program is our child (CLONE_PARENT) and not reaped: its pid cannot have been reused.
  int pidfd = static_cast<int>(sys_pidfd_open(programPid, 0));
  if (pidfd < 0) {
    int err = errno;
    kill(programPid, SIGKILL);
    while (waitpid(programPid, &status, __WALL) < 0 && errno == EINTR) {
    }
    closeAll();
    return Result(env, "pidfd_open", err, -1);
  }
  Napi::Object ok = Napi::Object::New(env);
  ok.Set("ok", true);
  ok.Set("pid", programPid);
  ok.Set("pidfd", pidfd);
  ok.Set("startFd", startPipe[0]);
  return ok;
}

// pidfdOpen(pid) -> a close-on-exec pidfd, or Failure { step: 'pidfd_open', errno }.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double pid = info.Length() < 1 || !info[0].IsNumber() ? 0 : info[0].As<Napi::Number>().DoubleValue();
  if (!(pid >= 1 && pid <= 4194304) || pid != static_cast<int>(pid)) return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "pidfdOpen(pid): pid must be an integer 1-4194304", true);
  long fd = sys_pidfd_open(static_cast<int>(pid), 0);
  if (fd < 0) return Failure(env, "pidfd_open", errno);
  return Napi::Number::New(env, static_cast<double>(fd));
}

// pipe() -> [readFd, writeFd], both close-on-exec, or Failure { step: 'pipe2', errno }.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Failure(info.Env(), "pipe2", errno);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, fds[0]);
  a.Set(1u, fds[1]);
  return a;
}

// kernelFeatures() -> which of the newer calls this kernel has, probed without side effects.
Napi::Value KernelFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  // close_range with first > last is EINVAL when the call exists, ENOSYS otherwise.
  bool closeRange = !(sys_close_range(2, 1, 0) != 0 && errno == ENOSYS);
  // setns(pidfd) (5.8) has no side-effect-free probe; flags 0 on a pidfd is EINVAL on all kernels.
  // Whether the kernel accepts it is decided from the version in TypeScript.
  int self = static_cast<int>(sys_pidfd_open(getpid(), 0));
  bool pidfd = self >= 0;
  if (self >= 0) close(self);
  o.Set("closeRange", closeRange);
  o.Set("pidfdOpen", pidfd);
  return o;
}

}  // namespace

void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("kernelFeatures", Napi::Function::New(env, KernelFeatures, "kernelFeatures"));
  Napi::Array steps = Napi::Array::New(env, kStepCount);
  for (uint32_t i = 0; i < kStepCount; i++) steps.Set(i, kStepNames[i]);
  exports.Set("spawnSteps", steps);
  Napi::Array credsSteps = Napi::Array::New(env, kCredsStepCount);
  for (uint32_t i = 0; i < kCredsStepCount; i++) credsSteps.Set(i, kCredsStepNames[i]);
  exports.Set("credsSteps", credsSteps);
}

}  // namespace nsjoin
