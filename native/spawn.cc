// Starting a program inside the namespaces of another process (docs/architecture.md, "Starting a program in a target").
//
//   Node ──clone(CLONE_VM|CLONE_VFORK)──> joiner ──clone(CLONE_VM|CLONE_VFORK|CLONE_PARENT)──> program
//
// The joiner is a separate single-threaded process, so it may join mnt and user namespaces that a
// thread of Node cannot; it shares Node's memory (no page-table copy, so the cost does not grow
// with the heap) except when a time namespace must be joined, which the kernel refuses to a
// process that shares its mm (then it is a plain fork). The pid namespace applies to children
// only, so the joiner clones the program with CLONE_PARENT: the program is inside the target's pid
// namespace and still a direct child of Node, which watches it through a pidfd.
//
// Between clone and execve only async-signal-safe system calls run: everything (paths, argv,
// envp, fds, buffers) is prepared in a Plan before the first clone. Each step that fails writes
// {step, errno, arg} to a close-on-exec pipe; EOF on that pipe with no error means execve worked.

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <cstring>

#include "sys.h"

// The joiner and the program run instrumented code on stacks of our own, in Node's memory (so in
// its ASan shadow too) and leave by _exit: their redzones would stay poisoned and be reported
// later as false errors in whatever reuses those pages. Clean them before unmapping.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define NSJOIN_UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION(addr, size)
#else
#define NSJOIN_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

namespace nsjoin {
namespace {

enum Step : int32_t {
  kStepPid = 0,  // not an error: the joiner reports the program's host pid
  kStepPrctl,
  kStepCgroup,
  kStepSetns,
  kStepUnshare,
  kStepMount,
  kStepClone,
  kStepSetsid,
  kStepChroot,
  kStepChdir,
  kStepGetcwd,
  kStepSetgroups,
  kStepSetgid,
  kStepSetuid,
  kStepDup,
  kStepClose,
  kStepCtty,
  kStepExecve,
};
const char* const kStepNames[] = {"pid",    "prctl",  "cgroup",    "setns",  "unshare", "mount",
                                  "clone",  "setsid", "chroot",    "chdir",  "getcwd",  "setgroups",
                                  "setgid", "setuid", "dup2",      "close_range", "ioctl", "execve"};

struct Report {
  int32_t step;
  int32_t err;
  int32_t arg;
  int32_t value;
};

// Namespace types in the order the fallback joins them; user first so nsenter's two passes work.
struct NsKind {
  const char* name;
  int flag;
};
const NsKind kNsKinds[] = {{"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
                           {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
                           {"mnt", CLONE_NEWNS},    {"time", CLONE_NEWTIME}};
constexpr int kNsCount = 8;

constexpr size_t kStackSize = 128 * 1024;

struct Plan {
  int targetPidfd = -1;
  unsigned nsMask = 0;
  bool setnsPidfd = true;
  bool closeRange = true;
  bool forkMode = false;
  int nsFds[kNsCount] = {-1, -1, -1, -1, -1, -1, -1, -1};
  std::vector<int> cgroupFds;
  bool freshSysfs = false;
  bool freshProc = false;
  bool setsid = false;
  int cttyIndex = -1;  // child fd that becomes the controlling terminal
  bool dieWithParent = false;
  int rootFd = -1;
  int cwdFd = -1;
  std::string cwdPath;
  bool hasCwdPath = false;
  bool verifyCwd = false;
  bool cwdFallbackToRoot = false;
  bool setGroups = false;
  bool groupsOptional = false;
  std::vector<gid_t> groups;
  int64_t uid = -1;
  int64_t gid = -1;
  std::vector<int> stdioSrc;  // index = fd number in the program; -1 = leave closed
  std::vector<int> stdioTmp;  // scratch space for the two-phase dup, allocated here
  int hostProcFd = -1;        // for the close_range fallback: /proc of the host, to list our fds
  std::vector<std::string> argvStore, envStore, execStore;
  std::vector<char*> argv, envp;
  std::vector<const char*> execPaths;
  int errPipe = -1;  // write end
  char* programStack = nullptr;
  char cwdBuf[4096];
  char direntBuf[8192];
};

// Child-side helpers: async-signal-safe only.
// `fd` is the error pipe as numbered in the calling process (the program may move its copy).
void Send(int fd, int32_t step, int32_t err, int32_t arg, int32_t value) {
  Report r{step, err, arg, value};
  ssize_t n;
  do n = write(fd, &r, sizeof r);
  while (n < 0 && errno == EINTR);
}
[[noreturn]] void Fail(int fd, int32_t step, int32_t err, int32_t arg = -1) {
  Send(fd, step, err, arg, 0);
  _exit(127);
}

// Closes every fd >= first except `keep` (the error pipe).
void CloseFrom(Plan* p, int first, int keep) {
  if (p->closeRange) {
    bool ok = (keep <= first || sys_close_range(first, keep - 1, 0) == 0) &&
              sys_close_range(keep < first ? first : keep + 1, ~0U, 0) == 0;
    if (ok) return;
    if (errno != ENOSYS) Fail(keep, kStepClose, errno);
  }
  // Fallback for kernels before 5.9: list our own fds through the host's /proc (the program may
  // already be chrooted elsewhere) and close them; rewind after each pass since closing while
  // reading a directory may skip entries.
  int dir = openat(p->hostProcFd, "thread-self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) Fail(keep, kStepClose, errno);
  for (;;) {
    bool closedAny = false;
    for (;;) {
      long n = syscall(SYS_getdents64, dir, p->direntBuf, sizeof p->direntBuf);
      if (n < 0) Fail(keep, kStepClose, errno);
      if (n == 0) break;
      for (long off = 0; off < n;) {
        auto* d = reinterpret_cast<struct dirent64*>(p->direntBuf + off);
        off += d->d_reclen;
        long fd = 0;
        const char* s = d->d_name;
        if (*s < '0' || *s > '9') continue;
        for (; *s >= '0' && *s <= '9'; s++) fd = fd * 10 + (*s - '0');
        if (fd >= first && fd != dir && fd != keep) {
          close(static_cast<int>(fd));
          closedAny = true;
        }
      }
    }
    if (!closedAny) break;
    lseek(dir, 0, SEEK_SET);
  }
  close(dir);
}

int ProgramMain(void* arg) {
  Plan* p = static_cast<Plan*>(arg);
  // Our copy of the error pipe must not be one of the program's fd slots; the Plan is shared with
  // the joiner, so the moved number stays in a local.
  int n0 = static_cast<int>(p->stdioSrc.size());
  int pipe = p->errPipe;
  if (pipe < n0) {
    pipe = fcntl(p->errPipe, F_DUPFD_CLOEXEC, n0);
    if (pipe < 0) Fail(p->errPipe, kStepDup, errno);
  }
  // Node's handlers must never run here (they would run on Node's memory); ignored signals such as
  // Node's SIGPIPE must not be inherited by the program. The mask stays full until execve.
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) {
    if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, nullptr);
  }
  if (p->setsid && setsid() < 0) Fail(pipe, kStepSetsid, errno);
  // proc shows the pid namespace of the mounting process itself (not the one its children get),
  // so only the program, born inside the target's pid namespace, can mount the target's /proc.
  if (p->freshProc && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    Fail(pipe, kStepMount, errno);

  if (p->rootFd >= 0) {
    if (fchdir(p->rootFd) != 0) Fail(pipe, kStepChroot, errno);
    if (chroot(".") != 0) Fail(pipe, kStepChroot, errno);
  }
  if (p->hasCwdPath) {
    if (chdir(p->cwdPath.c_str()) != 0) Fail(pipe, kStepChdir, errno);
  } else if (p->cwdFd >= 0) {
    if (fchdir(p->cwdFd) != 0) Fail(pipe, kStepChdir, errno);
  }
  if (p->verifyCwd) {
    // The kernel prefixes "(unreachable)" when the cwd is not under the root (a directory fd that
    // leads outside, as in CVE-2024-21626), and fails with ENOENT when the cwd was removed.
    long n = syscall(SYS_getcwd, p->cwdBuf, sizeof p->cwdBuf);
    bool outside = n > 0 && p->cwdBuf[0] != '/';
    if (n < 0 || outside) {
      int err = n < 0 ? errno : EXDEV;
      if (!p->cwdFallbackToRoot) Fail(pipe, kStepGetcwd, err);
      if (chdir("/") != 0) Fail(pipe, kStepChdir, errno);
    }
  }

  if (p->setGroups && syscall(SYS_setgroups, p->groups.size(), p->groups.data()) != 0) {
    if (!(p->groupsOptional && errno == EPERM)) Fail(pipe, kStepSetgroups, errno);
  }
  if (p->gid >= 0 && syscall(SYS_setresgid, p->gid, p->gid, p->gid) != 0) Fail(pipe, kStepSetgid, errno);
  if (p->uid >= 0 && syscall(SYS_setresuid, p->uid, p->uid, p->uid) != 0) Fail(pipe, kStepSetuid, errno);
  // After the credentials, which would clear it. The parent is Node's thread that called spawn
  // (CLONE_PARENT); it cannot exit meanwhile: it waits on the vfork chain.
  if (p->dieWithParent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) Fail(pipe, kStepPrctl, errno);

  // Two phases, so that a source fd numbered like another slot is not overwritten before use.
  int n = static_cast<int>(p->stdioSrc.size());
  for (int i = 0; i < n; i++) {
    int src = p->stdioSrc[i];
    p->stdioTmp[i] = src < 0 ? -1 : fcntl(src, F_DUPFD_CLOEXEC, n);
    if (src >= 0 && p->stdioTmp[i] < 0) Fail(pipe, kStepDup, errno, i);
  }
  for (int i = 0; i < n; i++) {
    if (p->stdioTmp[i] < 0) {
      close(i);
    } else if (dup2(p->stdioTmp[i], i) < 0) {
      Fail(pipe, kStepDup, errno, i);
    }
  }
  if (p->cttyIndex >= 0 && ioctl(p->cttyIndex, TIOCSCTTY, 0) != 0) Fail(pipe, kStepCtty, errno);
  CloseFrom(p, n, pipe);

  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int err = ENOENT;
  bool sawEacces = false;
  for (const char* path : p->execPaths) {
    execve(path, p->argv.data(), p->envp.data());
    err = errno;
    if (err == EACCES) sawEacces = true;
    if (err != ENOENT && err != ENOTDIR && err != EACCES) break;
  }
  if (sawEacces && (err == ENOENT || err == ENOTDIR)) err = EACCES;
  Fail(pipe, kStepExecve, err);
}

int JoinerMain(void* arg) {
  Plan* p = static_cast<Plan*>(arg);
  // Nothing in the target may ptrace us while we hold host fds and, before exec, Node's memory.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) Fail(p->errPipe, kStepPrctl, errno);
  // Join the cgroups before the cgroup namespace: cgroup v2 refuses a move to a cgroup outside
  // the mover's cgroup namespace. "0" moves the writer; the program inherits it.
  for (size_t i = 0; i < p->cgroupFds.size(); i++) {
    if (write(p->cgroupFds[i], "0", 1) < 0) Fail(p->errPipe, kStepCgroup, errno, static_cast<int32_t>(i));
  }
  if (p->nsMask != 0) {
    if (p->setnsPidfd) {
      if (sys_setns(p->targetPidfd, static_cast<int>(p->nsMask)) != 0) Fail(p->errPipe, kStepSetns, errno);
    } else {
      // As util-linux nsenter: a first pass without the user namespace (ignoring failures), then
      // the user namespace and whatever failed the first time. Privileged callers thus enter the
      // user namespace last; unprivileged ones get their capabilities from it first.
      bool joined[kNsCount] = {};
      for (int pass = 0; pass < 2; pass++) {
        for (int i = pass == 0 ? 1 : 0; i < kNsCount; i++) {
          if (p->nsFds[i] < 0 || joined[i]) continue;
          if (sys_setns(p->nsFds[i], kNsKinds[i].flag) != 0) {
            if (pass == 1) Fail(p->errPipe, kStepSetns, errno, i);
            continue;
          }
          joined[i] = true;
        }
      }
    }
  }
  if (p->freshSysfs || p->freshProc) {
    // A private copy of our mount namespace: what is mounted below never propagates back.
    if (unshare(CLONE_NEWNS) != 0) Fail(p->errPipe, kStepUnshare, errno);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) Fail(p->errPipe, kStepMount, errno);
  }
  // sysfs shows the network namespace of whoever mounts it: ours now is the target's.
  if (p->freshSysfs && mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    Fail(p->errPipe, kStepMount, errno);
  int pid = clone(ProgramMain, p->programStack + kStackSize, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, p);
  if (pid < 0) Fail(p->errPipe, kStepClone, errno);
  Send(p->errPipe, kStepPid, 0, 0, pid);
  _exit(0);
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

// spawn(spec) -> { ok: true, pid, pidfd } | { ok: false, step, errno, arg }
// The TypeScript layer validates everything first; this decodes defensively all the same.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "spawn(spec): spec must be an object", true);
  Napi::Object spec = info[0].As<Napi::Object>();
  Decoder d{env};
  Plan p;
  int pid = static_cast<int>(d.Int(spec, "pid", 1, 4194304));
  // The pidfd the caller opened before it read anything of the target from /proc (-1: open it
  // here). Only then does the liveness check below also vouch for what the caller read.
  int callerPidfd = static_cast<int>(d.Int(spec, "pidfd", -1, 0x7fffffff));
  p.nsMask = static_cast<unsigned>(d.Int(spec, "nsMask", 0, 0x7fffffff));
  p.setnsPidfd = d.Bool(spec, "setnsPidfd");
  p.closeRange = d.Bool(spec, "closeRange");
  p.forkMode = d.Bool(spec, "forkMode");
  bool root = d.Bool(spec, "root");
  bool cwdFromTarget = d.Bool(spec, "cwdFromTarget");
  p.verifyCwd = d.Bool(spec, "verifyCwd");
  p.cwdFallbackToRoot = d.Bool(spec, "cwdFallbackToRoot");
  p.freshSysfs = d.Bool(spec, "freshSysfs");
  p.freshProc = d.Bool(spec, "freshProc");
  p.setsid = d.Bool(spec, "setsid");
  p.cttyIndex = static_cast<int>(d.Int(spec, "ctty", -1, 1023));
  p.dieWithParent = d.Bool(spec, "dieWithParent");
  p.uid = d.Int(spec, "uid", -1, 0xfffffffe);
  p.gid = d.Int(spec, "gid", -1, 0xfffffffe);
  p.setGroups = d.Bool(spec, "setGroups");
  p.groupsOptional = d.Bool(spec, "groupsOptional");
  for (int64_t g : d.IntArray(spec, "groups", 0, 0xfffffffe)) p.groups.push_back(static_cast<gid_t>(g));
  for (int64_t fd : d.IntArray(spec, "stdio", -1, 0x7fffffff)) p.stdioSrc.push_back(static_cast<int>(fd));
  std::vector<std::string> cgroupPaths = d.StrArray(spec, "cgroupProcs");
  p.argvStore = d.StrArray(spec, "argv");
  p.envStore = d.StrArray(spec, "envp");
  p.execStore = d.StrArray(spec, "execPaths");
  Napi::Value cwd = d.Get(spec, "cwd");
  if (!d.failed && !cwd.IsNull() && !cwd.IsUndefined()) {
    p.cwdPath = d.Str(cwd, "cwd");
    p.hasCwdPath = true;
  }
  if (d.failed) return env.Undefined();
  if (p.argvStore.empty() || p.execStore.empty() || p.stdioSrc.size() > 1024)
    return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "spawn(spec): argv and execPaths must not be empty; at most 1024 stdio slots", true);
  if (p.cttyIndex >= static_cast<int>(p.stdioSrc.size()))
    return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "spawn(spec): ctty must be one of the stdio slots", true);
  for (auto& s : p.argvStore) p.argv.push_back(&s[0]);
  p.argv.push_back(nullptr);
  for (auto& s : p.envStore) p.envp.push_back(&s[0]);
  p.envp.push_back(nullptr);
  for (auto& s : p.execStore) p.execPaths.push_back(s.c_str());
  p.stdioTmp.assign(p.stdioSrc.size(), -1);

  // 1. Anchor the target: from here on every step names it through this pidfd.
  p.targetPidfd = callerPidfd >= 0 ? fcntl(callerPidfd, F_DUPFD_CLOEXEC, 0) : static_cast<int>(sys_pidfd_open(pid, 0));
  if (p.targetPidfd < 0) return Result(env, "pidfd_open", errno, -1);

  // 2. Open, from the host's view, what must be opened before joining.
  std::string proc = "/proc/" + std::to_string(pid);
  if (!p.setnsPidfd) {
    for (int i = 0; i < kNsCount; i++) {
      if (!(p.nsMask & static_cast<unsigned>(kNsKinds[i].flag))) continue;
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
    if (p.cwdFd < 0 && !p.cwdFallbackToRoot) {
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
  if (!p.closeRange) {
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

  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) {
    int err = errno;
    ClosePlan(p);
    return Result(env, "pipe", err, -1);
  }
  p.errPipe = pipeFds[1];
  void* stacks = mmap(nullptr, 2 * kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stacks == MAP_FAILED) {
    int err = errno;
    close(pipeFds[0]);
    close(pipeFds[1]);
    ClosePlan(p);
    return Result(env, "mmap", err, -1);
  }
  char* joinerStack = static_cast<char*>(stacks);
  p.programStack = joinerStack + kStackSize;

  // 3. Block every signal across the clones, as posix_spawn does: a handler of Node must not run
  // in a child that shares its memory. The joiner sets the (shared) mm non-dumpable; restore ours.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  int flags = p.forkMode ? SIGCHLD : (CLONE_VM | CLONE_VFORK | SIGCHLD);
  int joiner = clone(JoinerMain, joinerStack + kStackSize, flags, &p);
  int cloneErr = errno;
  if (dumpable >= 0) prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(pipeFds[1]);

  Report pidReport{-1, 0, 0, 0}, errReport{-1, 0, 0, 0};
  if (joiner >= 0) {
    // With CLONE_VFORK everything has happened by now; in fork mode this waits for execve.
    Report r;
    for (;;) {
      ssize_t n = read(pipeFds[0], &r, sizeof r);
      if (n < 0 && errno == EINTR) continue;
      if (n != static_cast<ssize_t>(sizeof r)) break;
      if (r.step == kStepPid) pidReport = r;
      else if (errReport.step < 0) errReport = r;
    }
    int status;
    while (waitpid(joiner, &status, __WALL) < 0 && errno == EINTR) {
    }
  }
  close(pipeFds[0]);
  NSJOIN_UNPOISON(stacks, 2 * kStackSize);
  munmap(stacks, 2 * kStackSize);
  ClosePlan(p);
  if (joiner < 0) return Result(env, "clone", cloneErr, -1);
  if (pidReport.step != kStepPid && errReport.step < 0) return Result(env, "clone", ECHILD, -1);

  int programPid = pidReport.step == kStepPid ? pidReport.value : -1;
  if (errReport.step >= 0) {
    // The program (if it got that far) exited with 127 before execve; it is our child: reap it.
    if (programPid > 0) {
      int status;
      while (waitpid(programPid, &status, __WALL) < 0 && errno == EINTR) {
      }
    }
    int step = errReport.step;
    const char* name = step > 0 && step < static_cast<int>(sizeof kStepNames / sizeof *kStepNames) ? kStepNames[step] : "spawn";
    return Result(env, name, errReport.err, errReport.arg);
  }
  // A zombie still has a pidfd, so this works even if the program already exited.
  int pidfd = static_cast<int>(sys_pidfd_open(programPid, 0));
  if (pidfd < 0) {
    int err = errno;
    int status;
    while (waitpid(programPid, &status, __WALL) < 0 && errno == EINTR) {
    }
    return Result(env, "pidfd_open", err, -1);
  }
  Napi::Object ok = Napi::Object::New(env);
  ok.Set("ok", true);
  ok.Set("pid", programPid);
  ok.Set("pidfd", pidfd);
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
}

}  // namespace nsjoin
