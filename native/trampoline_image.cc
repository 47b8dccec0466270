// The trampoline's bytes, embedded in the addon, and the sealed memfd they are run from.
//
// Embedding keeps the package one .node file per architecture (prebuilds/, node-gyp-build): no
// second file to find, to keep in step with the addon, or for anyone to replace on disk. The memfd
// is made once per process, sealed against any change, and exec'd with execveat(AT_EMPTY_PATH).

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "fd_holder.h"

#ifndef NSJOIN_TRAMPOLINE_PATH
#error "binding.gyp defines NSJOIN_TRAMPOLINE_PATH: the built trampoline to embed"
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

// The assembler copies the file in; the symbols bound it.
__asm__(
    ".section .rodata\n"
    ".balign 16\n"
    "nsjoin_trampoline_start:\n"
    ".incbin \"" NSJOIN_TRAMPOLINE_PATH
    "\"\n"
    "nsjoin_trampoline_end:\n"
    ".previous\n");
extern "C" const char nsjoin_trampoline_start[] __asm__("nsjoin_trampoline_start");
extern "C" const char nsjoin_trampoline_end[] __asm__("nsjoin_trampoline_end");

namespace nsjoin {

namespace {
std::mutex trampolineLock;
int trampolineFd = -1;
}  // namespace

// A memfd holding `size` bytes of `data`, or -1 with errno. MFD_EXEC (Linux 6.3) keeps it
// executable under vm.memfd_noexec=1; older kernels refuse the flag, so it is dropped there.
int MemfdWith(const char* name, unsigned flags, const char* data, size_t size) {
  Fd fd(static_cast<int>(syscall(SYS_memfd_create, name, flags)));
  if (!fd.ok() && errno == EINVAL && (flags & MFD_EXEC))
    fd.reset(static_cast<int>(syscall(SYS_memfd_create, name, flags & ~MFD_EXEC)));
  if (!fd.ok()) return -1;
  for (size_t off = 0; off < size;) {
    ssize_t n = write(fd.get(), data + off, size - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return -1;
    }
    off += static_cast<size_t>(n);
  }
  return fd.release();
}

// A close-on-exec fd of the sealed trampoline, or -1 with errno.
int TrampolineFd() {
  std::lock_guard<std::mutex> guard(trampolineLock);
  if (trampolineFd >= 0) return trampolineFd;
  Fd fd(MemfdWith("nsjoin-trampoline", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC, nsjoin_trampoline_start,
                  static_cast<size_t>(nsjoin_trampoline_end - nsjoin_trampoline_start)));
  if (!fd.ok()) return -1;
  if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) return -1;
  trampolineFd = fd.release();
  return trampolineFd;
}

}  // namespace nsjoin
