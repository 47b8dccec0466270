// The trampoline's own steps: read the spec, become non-dumpable, join the target's cgroups and
// namespaces, and clone the program with CLONE_PARENT (so that it is inside the target's pid
// namespace and still a direct child of Node). It stays in the host's pid namespace, invisible to
// the target, and reports exactly one thing on the report pipe: the program's pid or its failure.
//
//   argv: nsjoin-trampoline SPEC_FD    (the spec's memfd; every other fd is named in the spec)

#include "tramp.h"

namespace nsjoin {

void Send(int fd, int32_t step, int32_t err, int32_t arg, int32_t value) {
  Report r{step, err, arg, value};
  long n;
  do n = Sys(__NR_write, fd, &r, sizeof r);
  while (n == -EINTR);
}

void Fail(int fd, int32_t step, int32_t err, int32_t arg) {
  Send(fd, step, err, arg, 0);
  Exit(127);
}

namespace {

// Parses the image in place; false when it is not one that spawn.cc wrote.
bool ParseSpec(const char* base, size_t size, Spec* s) {
  if (size < sizeof(SpecHeader)) return false;
  s->h = reinterpret_cast<const SpecHeader*>(base);
  const SpecHeader& h = *s->h;
  if (h.magic != kSpecMagic || h.size != size || h.nStdio > 1024 || h.nArgv == 0 || h.nExec == 0) return false;
  size_t off = sizeof h;
  auto ints = [&](uint32_t n) -> const char* {
    const char* p = base + off;
    if (n > (size - off) / 4) return nullptr;
    off += static_cast<size_t>(n) * 4;
    return p;
  };
  s->cgroupFds = reinterpret_cast<const int32_t*>(ints(h.nCgroupFds));
  s->groups = reinterpret_cast<const uint32_t*>(ints(h.nGroups));
  s->stdio = reinterpret_cast<const int32_t*>(ints(h.nStdio));
  if (!s->cgroupFds || !s->groups || !s->stdio) return false;
  // The strings: each NUL-terminated, all inside the image.
  auto str = [&]() -> const char* {
    const char* p = base + off;
    while (off < size && base[off] != '\0') off++;
    if (off == size) return nullptr;
    off++;
    return p;
  };
  s->cwdPath = nullptr;
  if (s->Has(kHasCwdPath) && !(s->cwdPath = str())) return false;
  s->lsmAttr = s->lsmValue = nullptr;
  if (s->Has(kHasLsm) && (!(s->lsmAttr = str()) || !(s->lsmValue = str()) || h.hostProcFd < 0)) return false;
  uint64_t n = uint64_t(h.nArgv) + h.nEnv + h.nExec;
  if (n > size) return false;
  long mem = Sys(__NR_mmap, 0, (n + 3) * sizeof(char*), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem < 0) return false;
  char** ptrs = reinterpret_cast<char**>(mem);
  s->argv = ptrs;
  s->envp = ptrs + h.nArgv + 1;
  s->execPaths = const_cast<const char**>(s->envp + h.nEnv + 1);
  for (uint32_t i = 0; i < h.nArgv; i++)
    if (!(s->argv[i] = const_cast<char*>(str()))) return false;
  s->argv[h.nArgv] = nullptr;
  for (uint32_t i = 0; i < h.nEnv; i++)
    if (!(s->envp[i] = const_cast<char*>(str()))) return false;
  s->envp[h.nEnv] = nullptr;
  for (uint32_t i = 0; i < h.nExec; i++)
    if (!(s->execPaths[i] = str())) return false;
  s->execPaths[h.nExec] = nullptr;
  return off == size;
}

// Node's handlers are gone with the exec, but signals Node ignores (SIGPIPE) stay ignored across
// it: reset them so that the program does not inherit them. The mask, full since Node blocked
// everything before the clone, stays full until the program's execve.
void ResetSignals() {
  KernelSigaction dfl = {};
  for (int sig = 1; sig <= kNsig; sig++) {
    if (sig != kSigKill && sig != kSigStop) Sys(__NR_rt_sigaction, sig, &dfl, 0, sizeof dfl.mask);
  }
}

// Cgroups before the cgroup namespace: cgroup v2 refuses a move to a cgroup outside the mover's
// cgroup namespace. "0" moves the writer; the program inherits it.
void JoinCgroups(const Spec& s) {
  for (uint32_t i = 0; i < s.h->nCgroupFds; i++) {
    long r = Sys(__NR_write, s.cgroupFds[i], "0", 1);
    if (r < 0) Fail(s.h->reportFd, kStepCgroup, Err(r), static_cast<int32_t>(i));
  }
}

void JoinNamespaces(const Spec& s) {
  const SpecHeader& h = *s.h;
  if (h.nsMask == 0) return;
  // One call for all, time included: the trampoline shares no memory, so the kernel allows it.
  if (s.Has(kSetnsPidfd)) {
    long r = Sys(__NR_setns, h.targetPidfd, h.nsMask);
    if (r != 0) Fail(h.reportFd, kStepSetns, Err(r));
    return;
  }
  // Kernels before 5.8, as util-linux nsenter: a first pass without the user namespace (ignoring
  // failures), then the user namespace and whatever failed the first time. Privileged callers
  // thus enter the user namespace last; unprivileged ones get their capabilities from it first.
  bool joined[kNsCount] = {};
  for (int pass = 0; pass < 2; pass++) {
    for (int i = pass == 0 ? 1 : 0; i < kNsCount; i++) {
      if (h.nsFds[i] < 0 || joined[i]) continue;
      long r = Sys(__NR_setns, h.nsFds[i], kNsKinds[i].flag);
      if (r != 0) {
        if (pass == 1) Fail(h.reportFd, kStepSetns, Err(r), i);
        continue;
      }
      joined[i] = true;
    }
  }
}

// For a fresh /sys or /proc: a private copy of our mount namespace, so that what is mounted below
// never propagates back; sysfs shows the network namespace of whoever mounts it: ours now is the
// target's. (proc is mounted by the program: see program.cc.)
void PrivateMounts(const Spec& s) {
  int fd = s.h->reportFd;
  if (!s.Has(kFreshSysfs) && !s.Has(kFreshProc)) return;
  long r = Sys(__NR_unshare, CLONE_NEWNS);
  if (r != 0) Fail(fd, kStepUnshare, Err(r));
  r = Sys(__NR_mount, 0, "/", 0, MS_REC | MS_PRIVATE, 0);
  if (r != 0) Fail(fd, kStepMount, Err(r));
  if (!s.Has(kFreshSysfs)) return;
  r = Sys(__NR_mount, "sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
  if (r != 0) Fail(fd, kStepMount, Err(r));
}

// What only the trampoline needed; the program gets none of it.
void CloseJoinFds(const Spec& s) {
  const SpecHeader& h = *s.h;
  if (h.targetPidfd >= 0) Sys(__NR_close, h.targetPidfd);
  for (int fd : h.nsFds)
    if (fd >= 0) Sys(__NR_close, fd);
  for (uint32_t i = 0; i < h.nCgroupFds; i++) Sys(__NR_close, s.cgroupFds[i]);
}

// The stack the program starts on (in its own copy of our memory: see the clone below). Its deepest
// path (ProgramMain, CloseFrom's fallback, Fail) needs under 9 KiB (gcc -fstack-usage).
alignas(16) char programStack[64 * 1024];

[[noreturn]] void StartProgram(void* arg) {
  const Spec& s = *static_cast<const Spec*>(arg);
  Sys(__NR_close, s.h->reportFd);
  ProgramMain(s);
}

// The spec fd's number, as the joiner wrote it: decimal digits only; -1 for anything else.
int ParseFd(const char* s) {
  long v = 0;
  if (*s == '\0') return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 0x7fffffff / 10) return -1;
    v = v * 10 + (*s - '0');
  }
  return static_cast<int>(v);
}

}  // namespace
}  // namespace nsjoin

int TrampolineMain(int argc, char** argv) {
  using namespace nsjoin;
  // Nothing in the target may ptrace us or read our /proc files while we hold host fds.
  int dumpErr = Err(Sys(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0));
  int specFd = argc == 2 ? ParseFd(argv[1]) : -1;
  long size = specFd < 0 ? -EBADF : Sys(__NR_lseek, specFd, 0, kSeekEnd);
  if (size <= 0) return 126;
  long image = Sys(__NR_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, specFd, 0);
  if (image < 0) return 126;
  Sys(__NR_close, specFd);
  static Spec s;  // not on our stack: the program reads it after we are gone
  // Without a parsed spec there is no report fd to speak on: Node sees the exit with no report.
  if (!ParseSpec(reinterpret_cast<const char*>(image), static_cast<size_t>(size), &s)) return 126;
  int report = s.h->reportFd;
  if (dumpErr != 0) Fail(report, kStepPrctl, dumpErr);
  ResetSignals();
  JoinCgroups(s);
  JoinNamespaces(s);
  PrivateMounts(s);
  CloseJoinFds(s);
  // The program, as a sibling, in a copy of this small process's memory. Not CLONE_VM, though it
  // would save a few page faults: the program takes the target's credentials before its execve,
  // and where fs.suid_dumpable=1 makes it ptraceable then, the target could write our memory
  // through it and forge the pid we report (Node would then signal a host process as its child).
  // No CLONE_VFORK: we report and exit at once, so a program stopped by the target (which sees
  // it) cannot hold up Node, who waits for us.
  long pid = CloneOnStack(CLONE_PARENT | kSigChld, programStack + sizeof programStack, StartProgram, &s);
  if (pid < 0) Fail(report, kStepClone, Err(pid));
  Send(report, kStepPid, 0, 0, static_cast<int32_t>(pid));
  return 0;
}
