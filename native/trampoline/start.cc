// The trampoline's entry point, with no C library under it. It is exec'd once per spawn and lives
// for well under a millisecond; a static glibc's start-up (IRELATIVE relocations, TLS, and the CPUID
// probing of its string functions, which traps to the hypervisor in a VM) cost it more than all its
// own system calls, on the path that Node's thread waits for. So: its own _start, raw system calls
// (rawsys.h), and the few memory functions that the compiler may emit calls to.
//
// The kernel starts a static, non-PIE program at _start with the stack pointer at argc, followed by
// argv[], NULL, envp[], NULL and the auxiliary vector; there is nothing to relocate.

#include "rawsys.h"

int TrampolineMain(int argc, char** argv);

extern "C" {

// Called from _start with the initial stack pointer; never returns.
[[noreturn]] __attribute__((used)) void TrampolineStart(long* sp) {
  int argc = static_cast<int>(sp[0]);
  nsjoin::Exit(TrampolineMain(argc, reinterpret_cast<char**>(sp + 1)));
}

// Clears the frame pointer (the end of any backtrace), passes the stack pointer, and keeps the
// stack 16-byte aligned at the call as both ABIs require (the kernel aligns it at entry).
#if defined(__x86_64__)
__asm__(
    ".text\n"
    ".global _start\n"
    ".type _start,@function\n"
    "_start:\n"
    "  xor %ebp, %ebp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call TrampolineStart\n"
    "  hlt\n");
#elif defined(__aarch64__)
__asm__(
    ".text\n"
    ".global _start\n"
    ".type _start,%function\n"
    "_start:\n"
    "  mov x29, #0\n"
    "  mov x30, #0\n"
    "  mov x0, sp\n"
    "  bl TrampolineStart\n"
    "  brk #0\n");
#endif

// The compiler may turn struct copies and zeroing into calls to these (GCC documents that even a
// freestanding program must provide them). build.sh forbids turning these loops back into calls.
void* memset(void* dst, int c, size_t n) {
  unsigned char* d = static_cast<unsigned char*>(dst);
  for (size_t i = 0; i < n; i++) d[i] = static_cast<unsigned char>(c);
  return dst;
}

void* memcpy(void* dst, const void* src, size_t n) {
  unsigned char* d = static_cast<unsigned char*>(dst);
  const unsigned char* s = static_cast<const unsigned char*>(src);
  for (size_t i = 0; i < n; i++) d[i] = s[i];
  return dst;
}

}  // extern "C"

size_t nsjoin::StrLen(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}
