// Writes a trampoline spec image (native/spawn_spec.h, the layout native/spawn.cc writes) to a
// file, for test/release/trampoline.test.ts, which runs the trampoline on it alone (the arm64 one
// under qemu-user, whose missing execveat keeps it from running through the addon there). The
// layout is the same on x86_64 and aarch64 (LP64, natural alignment), so one host build serves both.
//   trampoline-spec OUT UID GID GROUP EXECPATH ARGV...   (-1: keep the id; GROUP -1: no setgroups)
// The fds are fixed: the spec on 3, the report pipe on 4, the start pipe on 5, stdio 0-2 as is.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../../native/spawn_spec.h"

using namespace nsjoin;

int main(int argc, char** argv) {
  if (argc < 7) return fprintf(stderr, "usage: %s OUT UID GID GROUP EXECPATH ARGV...\n", argv[0]), 2;
  SpecHeader h;
  memset(&h, 0, sizeof h);
  h.magic = kSpecMagic;
  h.flags = kCloseRange;
  h.targetPidfd = -1;
  for (int& fd : h.nsFds) fd = -1;
  h.rootFd = h.cwdFd = h.hostProcFd = h.cttyIndex = -1;
  h.reportFd = 4;
  h.startFd = 5;
  h.uid = atoll(argv[2]);
  h.gid = atoll(argv[3]);
  long group = atol(argv[4]);
  if (group >= 0) h.flags |= kSetGroups, h.nGroups = 1;
  h.nStdio = 3;
  h.nArgv = static_cast<uint32_t>(argc - 6);
  h.nExec = 1;
  std::string out(reinterpret_cast<const char*>(&h), sizeof h);
  auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  if (group >= 0) {
    uint32_t g = static_cast<uint32_t>(group);
    put(&g, 4);
  }
  for (int32_t fd = 0; fd < 3; fd++) put(&fd, 4);
  for (int i = 6; i < argc; i++) put(argv[i], strlen(argv[i]) + 1);
  put(argv[5], strlen(argv[5]) + 1);
  reinterpret_cast<SpecHeader*>(&out[0])->size = static_cast<uint32_t>(out.size());
  FILE* f = fopen(argv[1], "wb");
  if (!f || fwrite(out.data(), 1, out.size(), f) != out.size() || fclose(f) != 0) return perror(argv[1]), 1;
  return 0;
}
