// The trampoline: a tiny static program that Node's joiner execs (docs/architecture.md, "Starting a program in a
// target"). It owns its memory, so nothing here can stop or read Node; it joins the target and starts the program, then
// exits. Ordinary single-threaded process code: no CLONE_VM constraints apply. No C library either (start.cc): every
// system call goes through rawsys.h and returns -errno on failure.
#pragma once

#include "../spawn_spec.h"
#include "rawsys.h"

namespace nsjoin {

// The spec as parsed from the memfd: pointers into the mapped image.
struct Spec {
  const SpecHeader* h;
  const int32_t* cgroupFds;
  const uint32_t* groups;
  const int32_t* stdio;
  const char* cwdPath;  // null without kHasCwdPath
  const char* lsmAttr;  // relative to the host's /proc ("thread-self/attr/exec"); null without kHasLsm
  const char* lsmValue;
  char** argv;  // null-terminated
  char** envp;
  const char** execPaths;
  bool Has(uint32_t flag) const { return (h->flags & flag) != 0; }
};

void Send(int fd, int32_t step, int32_t err, int32_t arg, int32_t value);
[[noreturn]] void Fail(int fd, int32_t step, int32_t err, int32_t arg = -1);

struct CredsFailure {
  int32_t step;  // a CredsStep; kCredsOk on success
  int32_t err;
  int32_t arg;  // the capability number for capbset/ambient, else -1
};

// In the program, in runc's order: drop the bounding set; setgroups, setgid, setuid (keeping the
// permitted set across a uid change); capset; raise the ambient set; the LSM exec label;
// no_new_privs. The new sets are intersected with what the process holds at this point, so a
// caller with fewer capabilities than the target never fails for it and never gains any.
CredsFailure ApplyCredentials(const Spec& s);

// The program: runs in the cloned child (main.cc says how), inside the target's namespaces, and ends in execve.
[[noreturn]] void ProgramMain(const Spec& s);

}  // namespace nsjoin
