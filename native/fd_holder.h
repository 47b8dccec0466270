// An owned file descriptor, closed when its holder goes out of scope: an early return on failure
// needs no "save errno, close what was opened, return" (the failure is recorded before the holders
// are destroyed, and closing leaves errno as it was anyway).
#pragma once

#include <unistd.h>

#include <cerrno>

namespace nsjoin {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }

  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

  // Hands the fd over to the caller, who closes it from now on.
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // Closes the fd held (if any) and holds `fd` instead. close() is never retried: on Linux the fd
  // is released even when close fails with EINTR, so a retry could close an fd that another
  // thread has been given in between. errno is left as it was, so that a failure can be recorded
  // after a reset.
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      int saved = errno;
      close(fd_);
      errno = saved;
    }
    fd_ = fd;
  }

 private:
  int fd_;
};

}  // namespace nsjoin
