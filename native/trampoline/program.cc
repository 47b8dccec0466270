// The program's steps between its clone and execve, in order, one small function each
// (docs/architecture.md, "Starting a program in a target", C++ steps 5 and 6). It is already inside
// the target's namespaces and its pid namespace; it shares memory with the trampoline only (which
// writes nothing after the clone but its report), never with Node. Each failure
// writes {step, errno, arg} to the start pipe and exits 127 (the credentials: {kStepCreds, errno,
// their own step, its argument}).

#include "tramp.h"

namespace nsjoin {
namespace {

// Our copy of the start pipe must not be one of the program's fd slots, and must close at execve
// (EOF tells Node that it worked): the joiner cleared close-on-exec on it for the trampoline.
int MoveStartPipe(const Spec& s) {
  int pipe = s.h->startFd;
  if (pipe < static_cast<int>(s.h->nStdio)) {
    long r = Sys(__NR_fcntl, s.h->startFd, F_DUPFD_CLOEXEC, s.h->nStdio);
    if (r < 0) Fail(s.h->startFd, kStepDup, Err(r));
    return static_cast<int>(r);
  }
  long r = Sys(__NR_fcntl, pipe, F_SETFD, kFdCloexec);
  if (r != 0) Fail(pipe, kStepDup, Err(r));
  return pipe;
}

// proc shows the pid namespace of the mounting process itself (not the one its children get), so
// only the program, born inside the target's pid namespace, can mount the target's /proc.
void MountFreshProc(const Spec& s, int pipe) {
  if (!s.Has(kFreshProc)) return;
  long r = Sys(__NR_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
  if (r != 0) Fail(pipe, kStepMount, Err(r));
}

void EnterRootAndCwd(const Spec& s, int pipe) {
  const SpecHeader& h = *s.h;
  long r;
  if (h.rootFd >= 0) {
    if ((r = Sys(__NR_fchdir, h.rootFd)) != 0) Fail(pipe, kStepChroot, Err(r));
    if ((r = Sys(__NR_chroot, ".")) != 0) Fail(pipe, kStepChroot, Err(r));
  }
  if (s.cwdPath) {
    if ((r = Sys(__NR_chdir, s.cwdPath)) != 0) Fail(pipe, kStepChdir, Err(r));
  } else if (h.cwdFd >= 0) {
    if ((r = Sys(__NR_fchdir, h.cwdFd)) != 0) Fail(pipe, kStepChdir, Err(r));
  }
  if (!s.Has(kVerifyCwd)) return;
  // The kernel prefixes "(unreachable)" when the cwd is not under the root (a directory fd that
  // leads outside, as in CVE-2024-21626), and fails with ENOENT when the cwd was removed.
  char buf[4096];
  long n = Sys(__NR_getcwd, buf, sizeof buf);
  if (n > 0 && buf[0] == '/') return;
  int err = n < 0 ? Err(n) : EXDEV;
  if (!s.Has(kCwdFallbackToRoot)) Fail(pipe, kStepGetcwd, err);
  if ((r = Sys(__NR_chdir, "/")) != 0) Fail(pipe, kStepChdir, Err(r));
}

// Ids, capabilities, LSM label, no_new_privs (creds.cc); a failure names the credential step.
void TakeCredentials(const Spec& s, int pipe) {
  CredsFailure f = ApplyCredentials(s);
  if (f.step != kCredsOk) {
    Send(pipe, kStepCreds, f.err, f.step, f.arg);
    Exit(127);
  }
  // After the credentials, which would clear it. The parent is Node's thread that called spawn
  // (CLONE_PARENT). Should it already be gone, the signal never comes: the caller asked for it
  // from a thread that lives as long as the spawn call.
  long r = s.Has(kDieWithParent) ? Sys(__NR_prctl, PR_SET_PDEATHSIG, kSigKill, 0, 0, 0) : 0;
  if (r != 0) Fail(pipe, kStepPrctl, Err(r));
}

// Two phases, so that a source fd numbered like another slot is not overwritten before use. The
// copies are numbered >= n, so dup3 (aarch64 has no dup2) never sees equal fds.
void PlaceStdio(const Spec& s, int pipe) {
  int n = static_cast<int>(s.h->nStdio);
  int tmp[1024];
  for (int i = 0; i < n; i++) {
    int src = s.stdio[i];
    long r = src < 0 ? -1 : Sys(__NR_fcntl, src, F_DUPFD_CLOEXEC, n);
    if (src >= 0 && r < 0) Fail(pipe, kStepDup, Err(r), i);
    tmp[i] = static_cast<int>(r);
  }
  for (int i = 0; i < n; i++) {
    long r = tmp[i] < 0 ? Sys(__NR_close, i) : Sys(__NR_dup3, tmp[i], i, 0);
    if (tmp[i] >= 0 && r < 0) Fail(pipe, kStepDup, Err(r), i);
  }
  long r = s.h->cttyIndex >= 0 ? Sys(__NR_ioctl, s.h->cttyIndex, kTiocsctty, 0) : 0;
  if (r != 0) Fail(pipe, kStepCtty, Err(r));
}

// Closes every fd >= first except `keep` (the start pipe).
void CloseFrom(const Spec& s, int first, int keep) {
  if (s.Has(kCloseRange)) {
    long r = keep <= first ? 0 : Sys(__NR_close_range, first, keep - 1, 0);
    if (r == 0) r = Sys(__NR_close_range, keep < first ? first : keep + 1, ~0U, 0);
    if (r == 0) return;
    if (r != -ENOSYS) Fail(keep, kStepClose, Err(r));
  }
  // Fallback for kernels before 5.9: list our own fds through the host's /proc (the program may
  // already be chrooted elsewhere) and close them; rewind after each pass since closing while
  // reading a directory may skip entries.
  long dir = Sys(__NR_openat, s.h->hostProcFd, "thread-self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) Fail(keep, kStepClose, Err(dir));
  char buf[8192];
  for (;;) {
    bool closedAny = false;
    for (;;) {
      long n = Sys(__NR_getdents64, dir, buf, sizeof buf);
      if (n < 0) Fail(keep, kStepClose, Err(n));
      if (n == 0) break;
      for (long off = 0; off < n;) {
        auto* d = reinterpret_cast<Dirent64*>(buf + off);
        off += d->reclen;
        long fd = 0;
        const char* c = d->name;
        if (*c < '0' || *c > '9') continue;
        for (; *c >= '0' && *c <= '9'; c++) fd = fd * 10 + (*c - '0');
        if (fd >= first && fd != dir && fd != keep) {
          Sys(__NR_close, fd);
          closedAny = true;
        }
      }
    }
    if (!closedAny) break;
    Sys(__NR_lseek, dir, 0, kSeekSet);
  }
  Sys(__NR_close, dir);
}

[[noreturn]] void Exec(const Spec& s, int pipe) {
  uint64_t none = 0;
  Sys(__NR_rt_sigprocmask, kSigSetmask, &none, 0, sizeof none);
  int err = ENOENT;
  bool sawEacces = false;
  for (const char* const* path = s.execPaths; *path; path++) {
    err = Err(Sys(__NR_execve, *path, s.argv, s.envp));
    if (err == EACCES) sawEacces = true;
    if (err != ENOENT && err != ENOTDIR && err != EACCES) break;
  }
  if (sawEacces && (err == ENOENT || err == ENOTDIR)) err = EACCES;
  Fail(pipe, kStepExecve, err);
}

}  // namespace

void ProgramMain(const Spec& s) {
  int pipe = MoveStartPipe(s);
  long r = s.Has(kSetsid) ? Sys(__NR_setsid) : 0;
  if (r < 0) Fail(pipe, kStepSetsid, Err(r));
  MountFreshProc(s, pipe);
  EnterRootAndCwd(s, pipe);
  TakeCredentials(s, pipe);
  PlaceStdio(s, pipe);
  CloseFrom(s, static_cast<int>(s.h->nStdio), pipe);
  Exec(s, pipe);
}

}  // namespace nsjoin
