// The trampoline has no C library (see start.cc for why): this is its whole interface to the
// kernel. Sys(nr, args...) makes one system call and returns what the kernel returned: a result
// >= 0, or -errno (no errno variable, no retry, no wrapper semantics). Only the kernel's own uapi
// headers are used, so the constants and the syscall numbers are those of the target architecture
// (O_DIRECTORY, for one, differs between x86_64 and aarch64).
#pragma once

#include <asm/unistd.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <stddef.h>
#include <stdint.h>

namespace nsjoin {

inline long RawSyscall(long nr, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__)
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
#else
#error "the trampoline knows how to make system calls on x86_64 and aarch64 only"
#endif
}

// clone(flags) of a child that starts on `stackTop` (16-byte aligned) in fn(arg), which must not
// return; the parent gets the child's pid or -errno. With CLONE_VM (a thread) the child cannot come
// back through the parent's frames, so it calls fn before the compiler's code runs on the new stack.
// fn and arg stay in registers that the system call preserves (the child gets the same values).
inline long CloneOnStack(unsigned long flags, void* stackTop, void (*fn)(void*), void* arg) {
#if defined(__x86_64__)
  register long r10 __asm__("r10") = 0;  // child_tid
  register long r8 __asm__("r8") = 0;    // tls
  long ret;
  __asm__ volatile(
      "syscall\n"
      "test %%rax, %%rax\n"
      "jnz 1f\n"
      "xor %%ebp, %%ebp\n"
      "mov %[arg], %%rdi\n"
      "call *%[fn]\n"
      "hlt\n"
      "1:\n"
      : "=a"(ret)
      : "a"(__NR_clone), "D"(flags), "S"(stackTop), "d"(0), "r"(r10), "r"(r8), [fn] "r"(fn), [arg] "r"(arg)
      : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = __NR_clone;
  register long x0 __asm__("x0") = static_cast<long>(flags);
  register long x1 __asm__("x1") = reinterpret_cast<long>(stackTop);
  register long x2 __asm__("x2") = 0;  // parent_tid
  register long x3 __asm__("x3") = 0;  // tls
  register long x4 __asm__("x4") = 0;  // child_tid
  __asm__ volatile(
      "svc 0\n"
      "cbnz x0, 1f\n"
      "mov x29, #0\n"
      "mov x0, %[arg]\n"
      "blr %[fn]\n"
      "brk #0\n"
      "1:\n"
      : "+r"(x0)
      : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), [fn] "r"(fn), [arg] "r"(arg)
      : "memory");
  return x0;
#endif
}

// Any mix of integers and pointers, up to six, as the kernel takes them (in registers, as longs).
template <typename... A>
inline long Sys(long nr, A... args) {
  static_assert(sizeof...(A) <= 6, "a system call takes at most six arguments");
  long v[6] = {(long)args...};
  return RawSyscall(nr, v[0], v[1], v[2], v[3], v[4], v[5]);
}

// A failed call's errno, or 0.
inline int Err(long ret) { return ret < 0 ? static_cast<int>(-ret) : 0; }

[[noreturn]] inline void Exit(int code) {
  for (;;) Sys(__NR_exit_group, code);
}

// What the C library would have defined and the uapi headers do not (or only with conflicting
// userspace types): the same values on both architectures.
constexpr int kSigKill = 9, kSigStop = 19, kSigChld = 17;
constexpr int kSigSetmask = 2;
constexpr int kNsig = 64;  // signals 1..64
constexpr int kSeekSet = 0, kSeekEnd = 2;
constexpr unsigned long kTiocsctty = 0x540E;
constexpr int kFdCloexec = 1;

// The kernel's struct sigaction (not glibc's): with SA_RESTORER on both architectures.
struct KernelSigaction {
  unsigned long handler;  // 0: SIG_DFL
  unsigned long flags;
  unsigned long restorer;
  uint64_t mask;
};

// One entry of getdents64.
struct Dirent64 {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

size_t StrLen(const char* s);

}  // namespace nsjoin
