// Pseudo-terminals for programs started inside a target (spawn's `pty` option).
//
// Where the pty comes from matters: a program in the container's mount namespace resolves its
// terminal's name (ttyname, `tty`, sshd-style checks) in the container's /dev/pts. A pty of the
// host's devpts is invisible there ("not a tty"). Since Linux 4.7 opening a ptmx node allocates in
// the devpts instance mounted at "pts" next to that node, so opening the container's /dev/ptmx
// from the host (through /proc/PID/root) allocates in the container's own devpts; TIOCGPTPEER
// (4.13) then opens the slave from the master, with no path lookup that a container could redirect.

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include <cstring>
#include <string>

#include "fd_holder.h"
#include "inroot.h"
#include "sys.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace nsjoin {
namespace {

constexpr long kDevptsMagic = 0x1cd1;

const char* FileKind(mode_t m) {
  if (S_ISREG(m)) return "a regular file";
  if (S_ISFIFO(m)) return "a fifo";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISCHR(m)) return "another character device";
  return "not a device";
}

// O_PATH open of `rel` in the target's root: no symlink followed (RESOLVE_NO_SYMLINKS), no driver
// open, no fifo wait, no inotify event in the container. -1 with errno.
int PathInRoot(int rootFd, const char* rel) {
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, rootFd, rel, &how, sizeof how));
}

// The container's ptmx, opened only once it is known to be the ptmx device: the node at
// /dev/ptmx (the kernel allocates in the devpts at "pts" next to it), or, where /dev/ptmx is a
// symlink (runc makes "ptmx -> pts/ptmx"), the ptmx of a devpts mounted at /dev/pts. The check is
// made on an O_PATH fd and the device is then opened through that same fd (/proc/self/fd), so
// nothing the container renames in between is opened. Anything else (a fifo, a regular file, a
// symlink elsewhere, another device such as the host's disk) is never opened read-write: -1 with
// errno, and `*what` says what was found there.
int OpenTargetPtmx(int rootFd, int flags, const char** what) {
  *what = "";
  bool viaPts = false;
  Fd pathFd(PathInRoot(rootFd, "dev/ptmx"));
  if (!pathFd.ok() && errno == ELOOP) {
    viaPts = true;
    pathFd.reset(PathInRoot(rootFd, "dev/pts/ptmx"));
    if (!pathFd.ok() && errno == ELOOP) *what = "/dev/ptmx and /dev/pts/ptmx are symlinks";
  }
  if (!pathFd.ok()) return -1;
  struct stat st;
  struct statfs fs;
  if (fstat(pathFd.get(), &st) != 0) return -1;
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2) {
    *what = FileKind(st.st_mode);
    errno = ENOTTY;
    return -1;
  }
  if (viaPts && (fstatfs(pathFd.get(), &fs) != 0 || fs.f_type != kDevptsMagic)) {
    *what = "/dev/pts/ptmx is not on a devpts";
    errno = ENODEV;
    return -1;
  }
  return open(("/proc/self/fd/" + std::to_string(pathFd.get())).c_str(), flags);
}

// Master -> slave: TIOCGPTPEER, else (kernels before 4.13) the slave's path in the same devpts.
int OpenSlave(int master, int rootFd, int index) {
  int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd >= 0 || (errno != EINVAL && errno != ENOTTY)) return fd;
  std::string rel = "dev/pts/" + std::to_string(index);
  if (rootFd >= 0) return OpenInRoot(rootFd, rel.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  return open(("/" + rel).c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
}

// openPty({ pid, cols, rows }) -> { master, slave, index, source: 'target' | 'host',
//   fallbackErrno, dev } | Failure { step, errno }
// pid 0 = the host's /dev/ptmx. Both fds are close-on-exec; the master is non-blocking.
Napi::Value OpenPty(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "openPty(spec): spec must be an object", true);
  Napi::Object spec = info[0].As<Napi::Object>();
  Decoder d{env};
  int pid = static_cast<int>(d.Int(spec, "pid", 0, 4194304));
  int cols = static_cast<int>(d.Int(spec, "cols", 1, 65535));
  int rows = static_cast<int>(d.Int(spec, "rows", 1, 65535));
  if (d.failed) return env.Undefined();

  const int flags = O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK;
  Fd master, rootFd;
  int fallbackErrno = 0;
  const char* fallbackWhat = "";
  if (pid > 0) {
    Fd pidfd(static_cast<int>(sys_pidfd_open(pid, 0)));
    if (!pidfd.ok()) return Failure(env, "pidfd_open", errno);
    rootFd.reset(open(("/proc/" + std::to_string(pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootFd.ok()) return Failure(env, "open_root", errno);
    // A pid reused between pidfd_open and the open above is caught here.
    if (sys_pidfd_send_signal(pidfd.get(), 0) != 0) return Failure(env, "pidfd_send_signal", errno);
    // Allocated in whatever devpts the container sees at /dev/pts (its own instance, or a bind of
    // the host's when it was given the host's /dev): either way the name resolves there. A ptmx
    // node with no devpts next to it fails (ENODEV) and we fall back to the host's.
    master.reset(OpenTargetPtmx(rootFd.get(), flags, &fallbackWhat));
    if (!master.ok()) {
      fallbackErrno = errno;
      rootFd.reset();
    }
  }
  const bool inTarget = master.ok();
  if (!master.ok()) {
    master.reset(open("/dev/ptmx", flags));
    if (!master.ok()) return Failure(env, "open_ptmx", errno);
  }
  int unlock = 0, index = -1;
  if (ioctl(master.get(), TIOCSPTLCK, &unlock) != 0 || ioctl(master.get(), TIOCGPTN, &index) != 0)
    return Failure(env, "ioctl", errno);
  Fd slave(OpenSlave(master.get(), rootFd.get(), index));
  if (!slave.ok()) return Failure(env, "open_slave", errno);
  struct winsize ws = {};
  ws.ws_col = static_cast<unsigned short>(cols);
  ws.ws_row = static_cast<unsigned short>(rows);
  ioctl(master.get(), TIOCSWINSZ, &ws);
  // UTF-8 aware erase in canonical mode, as terminal emulators set it.
  struct termios t;
  if (tcgetattr(slave.get(), &t) == 0) {
    t.c_iflag |= IUTF8;
    tcsetattr(slave.get(), TCSANOW, &t);
  }
  struct stat st;
  double dev = fstat(slave.get(), &st) == 0 ? static_cast<double>(st.st_dev) : -1;
  Napi::Object r = Napi::Object::New(env);
  r.Set("master", master.release());
  r.Set("slave", slave.release());
  r.Set("index", index);
  r.Set("source", inTarget ? "target" : "host");
  r.Set("fallbackErrno", fallbackErrno);
  r.Set("fallbackWhat", fallbackWhat);
  r.Set("dev", dev);
  return r;
}

// resizePty(fd, cols, rows) -> undefined or Failure { step: 'ioctl', errno }. The kernel sends SIGWINCH to the
// terminal's foreground process group when the size changes.
Napi::Value ResizePty(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    return ThrowCoded(env, "ERR_INVALID_ARG_TYPE", "resizePty(fd, cols, rows): numbers expected", true);
  double fd = info[0].As<Napi::Number>().DoubleValue();
  double cols = info[1].As<Napi::Number>().DoubleValue();
  double rows = info[2].As<Napi::Number>().DoubleValue();
  auto bad = [](double v, double lo, double hi) {
    return !(v >= lo && v <= hi) || v != static_cast<double>(static_cast<int64_t>(v));
  };
  if (bad(fd, 0, 0x7fffffff) || bad(cols, 1, 65535) || bad(rows, 1, 65535))
    return ThrowCoded(env, "ERR_INVALID_ARG_VALUE", "resizePty: fd must be an fd, cols and rows 1-65535", true);
  struct winsize ws = {};
  ws.ws_col = static_cast<unsigned short>(cols);
  ws.ws_row = static_cast<unsigned short>(rows);
  if (ioctl(static_cast<int>(fd), TIOCSWINSZ, &ws) != 0) return Failure(env, "ioctl", errno);
  return env.Undefined();
}

}  // namespace

void InitPty(Napi::Env env, Napi::Object exports) {
  exports.Set("openPty", Napi::Function::New(env, OpenPty, "openPty"));
  exports.Set("resizePty", Napi::Function::New(env, ResizePty, "resizePty"));
}

}  // namespace nsjoin
