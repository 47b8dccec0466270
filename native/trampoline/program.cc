// The program's steps between fork and execve, in order, one small function each
// (docs/architecture.md, "Starting a program in a target", C++ steps 5 and 6). It is already inside
// the target's namespaces and its pid namespace; it shares no memory with anyone. Each failure
// writes {step, errno, arg} to the start pipe and exits 127 (the credentials: {kStepCreds, errno,
// their own step, its argument}).

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "tramp.h"

namespace nsjoin {
namespace {

// Our copy of the start pipe must not be one of the program's fd slots, and must close at execve
// (EOF tells Node that it worked): the joiner cleared close-on-exec on it for the trampoline.
int MoveStartPipe(const Spec& s) {
  int pipe = s.h->startFd;
  if (pipe < static_cast<int>(s.h->nStdio)) {
    pipe = fcntl(s.h->startFd, F_DUPFD_CLOEXEC, static_cast<int>(s.h->nStdio));
    if (pipe < 0) Fail(s.h->startFd, kStepDup, errno);
  } else if (fcntl(pipe, F_SETFD, FD_CLOEXEC) != 0) {
    Fail(pipe, kStepDup, errno);
  }
  return pipe;
}

// proc shows the pid namespace of the mounting process itself (not the one its children get), so
// only the program, born inside the target's pid namespace, can mount the target's /proc.
void MountFreshProc(const Spec& s, int pipe) {
  if (s.Has(kFreshProc) && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    Fail(pipe, kStepMount, errno);
}

void EnterRootAndCwd(const Spec& s, int pipe) {
  const SpecHeader& h = *s.h;
  if (h.rootFd >= 0) {
    if (fchdir(h.rootFd) != 0) Fail(pipe, kStepChroot, errno);
    if (chroot(".") != 0) Fail(pipe, kStepChroot, errno);
  }
  if (s.cwdPath) {
    if (chdir(s.cwdPath) != 0) Fail(pipe, kStepChdir, errno);
  } else if (h.cwdFd >= 0) {
    if (fchdir(h.cwdFd) != 0) Fail(pipe, kStepChdir, errno);
  }
  if (!s.Has(kVerifyCwd)) return;
  // The kernel prefixes "(unreachable)" when the cwd is not under the root (a directory fd that
  // leads outside, as in CVE-2024-21626), and fails with ENOENT when the cwd was removed.
  char buf[4096];
  long n = syscall(SYS_getcwd, buf, sizeof buf);
  if (n > 0 && buf[0] == '/') return;
  int err = n < 0 ? errno : EXDEV;
  if (!s.Has(kCwdFallbackToRoot)) Fail(pipe, kStepGetcwd, err);
  if (chdir("/") != 0) Fail(pipe, kStepChdir, errno);
}

// Ids, capabilities, LSM label, no_new_privs (creds.cc); a failure names the credential step.
void TakeCredentials(const Spec& s, int pipe) {
  CredsFailure f = ApplyCredentials(s);
  if (f.step != kCredsOk) {
    Send(pipe, kStepCreds, f.err, f.step, f.arg);
    _exit(127);
  }
  // After the credentials, which would clear it. The parent is Node's thread that called spawn
  // (CLONE_PARENT). Should it already be gone, the signal never comes: the caller asked for it
  // from a thread that lives as long as the spawn call.
  if (s.Has(kDieWithParent) && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) Fail(pipe, kStepPrctl, errno);
}

// Two phases, so that a source fd numbered like another slot is not overwritten before use.
void PlaceStdio(const Spec& s, int pipe) {
  int n = static_cast<int>(s.h->nStdio);
  int tmp[1024];
  for (int i = 0; i < n; i++) {
    int src = s.stdio[i];
    tmp[i] = src < 0 ? -1 : fcntl(src, F_DUPFD_CLOEXEC, n);
    if (src >= 0 && tmp[i] < 0) Fail(pipe, kStepDup, errno, i);
  }
  for (int i = 0; i < n; i++) {
    if (tmp[i] < 0) close(i);
    else if (dup2(tmp[i], i) < 0) Fail(pipe, kStepDup, errno, i);
  }
  if (s.h->cttyIndex >= 0 && ioctl(s.h->cttyIndex, TIOCSCTTY, 0) != 0) Fail(pipe, kStepCtty, errno);
}

// Closes every fd >= first except `keep` (the start pipe).
void CloseFrom(const Spec& s, int first, int keep) {
  if (s.Has(kCloseRange)) {
    bool ok = (keep <= first || syscall(SYS_close_range, first, keep - 1, 0) == 0) &&
              syscall(SYS_close_range, keep < first ? first : keep + 1, ~0U, 0) == 0;
    if (ok) return;
    if (errno != ENOSYS) Fail(keep, kStepClose, errno);
  }
  // Fallback for kernels before 5.9: list our own fds through the host's /proc (the program may
  // already be chrooted elsewhere) and close them; rewind after each pass since closing while
  // reading a directory may skip entries.
  int dir = openat(s.h->hostProcFd, "thread-self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) Fail(keep, kStepClose, errno);
  char buf[8192];
  for (;;) {
    bool closedAny = false;
    for (;;) {
      long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
      if (n < 0) Fail(keep, kStepClose, errno);
      if (n == 0) break;
      for (long off = 0; off < n;) {
        auto* d = reinterpret_cast<struct dirent64*>(buf + off);
        off += d->d_reclen;
        long fd = 0;
        const char* c = d->d_name;
        if (*c < '0' || *c > '9') continue;
        for (; *c >= '0' && *c <= '9'; c++) fd = fd * 10 + (*c - '0');
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

[[noreturn]] void Exec(const Spec& s, int pipe) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int err = ENOENT;
  bool sawEacces = false;
  for (const char* const* path = s.execPaths; *path; path++) {
    execve(*path, s.argv, s.envp);
    err = errno;
    if (err == EACCES) sawEacces = true;
    if (err != ENOENT && err != ENOTDIR && err != EACCES) break;
  }
  if (sawEacces && (err == ENOENT || err == ENOTDIR)) err = EACCES;
  Fail(pipe, kStepExecve, err);
}

}  // namespace

void ProgramMain(const Spec& s) {
  int pipe = MoveStartPipe(s);
  if (s.Has(kSetsid) && setsid() < 0) Fail(pipe, kStepSetsid, errno);
  MountFreshProc(s, pipe);
  EnterRootAndCwd(s, pipe);
  TakeCredentials(s, pipe);
  PlaceStdio(s, pipe);
  CloseFrom(s, static_cast<int>(s.h->nStdio), pipe);
  Exec(s, pipe);
}

}  // namespace nsjoin
