// The trampoline: a tiny static program that Node's joiner execs (docs/architecture.md, "Starting a program in a target").
// It owns its memory, so nothing here can stop or read Node; it joins the target and starts the
// program, then exits. Ordinary single-threaded process code: no CLONE_VM constraints apply.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../spawn_spec.h"

namespace nsjoin {

// The spec as parsed from the memfd: pointers into the mapped image.
struct Spec {
  const SpecHeader* h;
  const int32_t* cgroupFds;
  const uint32_t* groups;
  const int32_t* stdio;
  const char* cwdPath;  // null without kHasCwdPath
  char** argv;          // null-terminated
  char** envp;
  const char** execPaths;
  bool Has(uint32_t flag) const { return (h->flags & flag) != 0; }
};

void Send(int fd, int32_t step, int32_t err, int32_t arg, int32_t value);
[[noreturn]] void Fail(int fd, int32_t step, int32_t err, int32_t arg = -1);

// The program: runs in the forked child, inside the target's namespaces, and ends in execve.
[[noreturn]] void ProgramMain(const Spec& s);

}  // namespace nsjoin
