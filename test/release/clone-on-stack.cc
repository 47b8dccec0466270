// CloneOnStack (native/trampoline/rawsys.h), whose child path is hand-written for each
// architecture, run on its own for test/release/trampoline.test.ts: qemu-user cannot emulate the
// trampoline's CLONE_PARENT fork, so this clones a thread, which takes the same path: the child must start on the new stack in fn(arg).
// Built with native/trampoline/build.sh and start.cc; prints a line from the child, exits 0.
#include "../../native/trampoline/rawsys.h"

using namespace nsjoin;

namespace {

alignas(16) char childStack[16 * 1024];
volatile int childRan = 0;

[[noreturn]] void Child(void* arg) {
  const char* line = static_cast<const char*>(arg);
  // Our frame must be on the new stack.
  char here;
  bool onStack = &here > childStack && &here < childStack + sizeof childStack;
  if (onStack) Sys(__NR_write, 1, line, StrLen(line));
  childRan = onStack ? 1 : 2;
  for (;;) Sys(__NR_exit, 0);  // this thread only
}

}  // namespace

int TrampolineMain(int, char**) {
  const unsigned long thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
  static char line[] = "child ran on its own stack\n";
  long tid = CloneOnStack(thread, childStack + sizeof childStack, Child, line);
  if (tid < 0) return 3;
  for (long i = 0; i < 1000000 && childRan == 0; i++) Sys(__NR_sched_yield);
  return childRan == 1 ? 0 : 4;
}
