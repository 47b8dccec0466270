// The stages of spawn() (native/spawn.cc), one file each, and the plain values passed between them:
//
//   spawn_decode.cc    the JS spec object            -> SpawnRequest (nothing opened yet)
//   spawn_host_fds.cc  SpawnRequest                  -> HostFds, opened from the host's view
//   spawn_image.cc     SpawnRequest, HostFds, pipes  -> the trampoline's spec image (spawn_spec.h)
//   spawn_run.cc       the joiner's clone, the trampoline's report -> Started
//
// A stage that fails records a SpawnFailure and returns false; every fd is held by an Fd, so what
// was opened is closed on the way out.
#pragma once

#include <string>
#include <vector>

#include "creds.h"
#include "fd_holder.h"
#include "spawn_spec.h"
#include "sys.h"

namespace nsjoin {

// What the caller asked for (RawSpawnSpec in lib/binding.ts), checked.
struct SpawnRequest {
  int pid = 0;
  // The pidfd the caller opened before it read anything of the target from /proc, or -1.
  int callerPidfd = -1;
  // The flags, namespace mask, ctty slot and credentials; the fd fields and counts are filled in
  // by SpecImage.
  SpecHeader header{};
  Creds creds;
  bool root = false;
  bool cwdFromTarget = false;
  std::vector<int> stdio;
  std::vector<std::string> cgroupPaths;
  std::vector<std::string> argv, envp, execPaths;
  std::string cwdPath;  // with kHasCwdPath
};

// What Node opens for the trampoline before the clone (all close-on-exec in Node).
struct HostFds {
  Fd targetPidfd;
  Fd ns[kNsCount];
  std::vector<Fd> cgroups;
  Fd root;
  Fd cwd;
  Fd hostProc;  // the host's /proc: for the close_range fallback and the LSM exec label

  void CloseAll();
};

// Why no program was started: a step name of lib/spawn/errors.ts's table, its errno and argument.
struct SpawnFailure {
  const char* step = nullptr;
  int err = 0;
  int arg = -1;

  // Records the failure; false, so that a stage can `return f->Set(...)`.
  bool Set(const char* s, int e, int a = -1) {
    step = s;
    err = e;
    arg = a;
    return false;
  }
};

// A started program: a direct child of Node, not yet reaped.
struct Started {
  int pid = -1;
  Fd pidfd;
  Fd startRead;  // the start pipe's read end: a Report if the program failed, EOF once it exec'd
};

// False when the arguments are bad: a JS exception is pending then.
bool DecodeSpawnRequest(const Napi::CallbackInfo& info, SpawnRequest* req);

// Anchors the target with a pidfd and opens what the trampoline needs from the host's view.
bool OpenHostFds(const SpawnRequest& req, HostFds* fds, SpawnFailure* f);

// The spec image the trampoline reads from its memfd.
std::string SpecImage(const SpawnRequest& req, const HostFds& fds, int reportFd, int startFd);

// Starts the trampoline with the fds (closed here once it has them) and waits for its report.
bool RunJoiner(const SpawnRequest& req, HostFds* fds, Started* out, SpawnFailure* f);

}  // namespace nsjoin
