// spawn()'s last stage: the joiner, the trampoline's report, the program's pidfd
// (docs/architecture.md, "Starting a program in a target", steps 2-4).
//
//   Node ──clone(CLONE_VM|CLONE_VFORK)──> joiner ──execveat──> trampoline ──fork(CLONE_PARENT)──> program
//
// The joiner shares Node's memory only for the few instructions before it execs the trampoline
// (native/trampoline/, embedded in the addon and run from a sealed memfd): no page-table copy, so
// the cost does not grow with Node's heap, and Node's thread is released at that exec. The joiner
// joins nothing: it is still in all of Node's namespaces. Node waits for the trampoline only: it
// reports the program's pid (or why there is none) on the report pipe, then exits.

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <algorithm>

#include "spawn.h"

// The joiner runs instrumented code on a stack of our own, in Node's memory (so in its ASan shadow
// too), and leaves by exec: its redzones would stay poisoned and be reported later as false errors
// in whatever reuses those pages. Clean them before the stack is used again.
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

// What the joiner needs, prepared before the clone: it only clears close-on-exec on the fds the
// trampoline inherits (its fd table is a copy: Node's flags stay) and execs.
struct Joiner {
  int trampolineFd;
  int reportFd;  // for an exec failure
  std::vector<int> passFds;
  char* argv[3];
  char* envp[1];
};

// The joiner itself: it shares Node's memory, so it only makes system calls on what was prepared.
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

// Clones the joiner on `stack` and returns its pid (it has exec'd or died by then: CLONE_VFORK),
// or -1 with errno. Every signal is blocked across the clone, as posix_spawn does: a handler of
// Node must not run in the joiner, which shares its memory. The mask (all blocked) goes on through
// the exec into the trampoline; the program unblocks just before its execve.
int CloneJoiner(Joiner* j, void* stack) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int pid = clone(JoinerMain, static_cast<char*>(stack) + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, j);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  NSJOIN_UNPOISON(stack, kStackSize);
  errno = err;
  return pid;
}

// The joiner's stack: one per thread that spawns (Node's, each Worker's), mapped at its first spawn
// and unmapped when the thread ends. The joiner is done with it when the CLONE_VFORK clone returns,
// so the next spawn of this thread may reuse it; a munmap per spawn cost TLB-shootdown IPIs to
// every CPU running one of Node's threads.
struct ThreadStack {
  void* base = nullptr;
  ~ThreadStack() {
    if (base != nullptr) munmap(base, kStackSize);
  }
};

void* JoinerStack() {
  thread_local ThreadStack stack;
  if (stack.base == nullptr) {
    void* p = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    stack.base = p;
  }
  return stack.base;
}

// Every fd the trampoline inherits.
std::vector<int> InheritedFds(const SpawnRequest& req, const HostFds& fds, int spec, int report, int start) {
  std::vector<int> out = {
      spec, report, start, fds.targetPidfd.get(), fds.root.get(), fds.cwd.get(), fds.hostProc.get()};
  for (const Fd& fd : fds.ns) out.push_back(fd.get());
  for (const Fd& fd : fds.cgroups) out.push_back(fd.get());
  for (int fd : req.stdio) out.push_back(fd);
  out.erase(std::remove(out.begin(), out.end(), -1), out.end());
  return out;
}

bool MakePipe(Fd* readEnd, Fd* writeEnd, int flags) {
  int fds[2];
  if (pipe2(fds, flags) != 0) return false;
  readEnd->reset(fds[0]);
  writeEnd->reset(fds[1]);
  return true;
}

void Reap(int pid, int* status) {
  while (waitpid(pid, status, __WALL) < 0 && errno == EINTR) {
  }
}

// The trampoline's one report. Its exit (right after the report) is waited for first, so that no
// zombie is left; then the report is read without blocking: the program may still hold the pipe's
// write end. A missing or garbled report is the trampoline's failure, with its exit status.
bool AwaitReport(int trampoline, int reportFd, Report* r, SpawnFailure* f) {
  int status;
  Reap(trampoline, &status);
  ssize_t n;
  do n = read(reportFd, r, sizeof *r);
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof *r) || r->step < 0 || r->step >= kStepCount)
    return f->Set("trampoline", ECHILD, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  if (r->step != kStepPid) return f->Set(kStepNames[r->step], r->err, r->arg);
  return true;
}

}  // namespace

bool RunJoiner(const SpawnRequest& req, HostFds* fds, Started* out, SpawnFailure* f) {
  // The pipes (report: trampoline -> here, non-blocking; start: program -> TypeScript), the spec
  // image in a memfd, the trampoline and a stack for the joiner.
  int trampoline = TrampolineFd();
  if (trampoline < 0) return f->Set("trampoline", errno);
  Fd reportRead, reportWrite, startRead, startWrite;
  if (!MakePipe(&reportRead, &reportWrite, O_CLOEXEC | O_NONBLOCK)) return f->Set("pipe", errno);
  if (!MakePipe(&startRead, &startWrite, O_CLOEXEC)) return f->Set("pipe", errno);
  std::string image = SpecImage(req, *fds, reportWrite.get(), startWrite.get());
  Fd spec(MemfdWith("nsjoin-spec", MFD_CLOEXEC, image.data(), image.size()));
  if (!spec.ok()) return f->Set("memfd_create", errno);
  void* stack = JoinerStack();
  if (stack == nullptr) return f->Set("mmap", errno);

  Joiner j;
  j.trampolineFd = trampoline;
  j.reportFd = reportWrite.get();
  j.passFds = InheritedFds(req, *fds, spec.get(), reportWrite.get(), startWrite.get());
  std::string specArg = std::to_string(spec.get());
  char name[] = "nsjoin-trampoline";
  j.argv[0] = name;
  j.argv[1] = &specArg[0];
  j.argv[2] = nullptr;
  j.envp[0] = nullptr;
  int joiner = CloneJoiner(&j, stack);
  int cloneErr = errno;
  // The trampoline has its own copies now (or there is none).
  reportWrite.reset();
  startWrite.reset();
  spec.reset();
  fds->CloseAll();
  if (joiner < 0) return f->Set("clone", cloneErr);

  // The trampoline is a process of its own now, invisible to the target; it reports once and exits.
  Report r{-1, 0, 0, 0};
  if (!AwaitReport(joiner, reportRead.get(), &r, f)) return false;
  int programPid = r.value;
  // The program is our child (CLONE_PARENT) and not reaped: its pid cannot have been reused.
  Fd pidfd(static_cast<int>(sys_pidfd_open(programPid, 0)));
  if (!pidfd.ok()) {
    int err = errno;
    kill(programPid, SIGKILL);
    int status;
    Reap(programPid, &status);
    return f->Set("pidfd_open", err);
  }
  out->pid = programPid;
  out->pidfd = std::move(pidfd);
  out->startRead = std::move(startRead);
  return true;
}

}  // namespace nsjoin
