// spawn()'s spec image: what the trampoline reads from its memfd, laid out as native/spawn_spec.h
// describes (the header, then the arrays, then the strings, in that header's order).

#include "spawn.h"

namespace nsjoin {
namespace {

// The image, appended piece by piece.
struct SpecWriter {
  std::string out;
  template <typename T>
  void Put(const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void Str(const std::string& s) { out.append(s.c_str(), s.size() + 1); }
};

}  // namespace

std::string SpecImage(const SpawnRequest& req, const HostFds& fds, int reportFd, int startFd) {
  SpecHeader h = req.header;
  h.magic = kSpecMagic;
  h.targetPidfd = fds.targetPidfd.get();
  for (int i = 0; i < kNsCount; i++) h.nsFds[i] = fds.ns[i].get();
  h.rootFd = fds.root.get();
  h.cwdFd = fds.cwd.get();
  h.hostProcFd = fds.hostProc.get();
  h.reportFd = reportFd;
  h.startFd = startFd;
  h.nCgroupFds = static_cast<uint32_t>(fds.cgroups.size());
  h.nStdio = static_cast<uint32_t>(req.stdio.size());
  h.nArgv = static_cast<uint32_t>(req.argv.size());
  h.nEnv = static_cast<uint32_t>(req.envp.size());
  h.nExec = static_cast<uint32_t>(req.execPaths.size());

  SpecWriter w;
  w.Put(h);
  for (const Fd& fd : fds.cgroups) w.Put(static_cast<int32_t>(fd.get()));
  for (uint32_t g : req.creds.groups) w.Put(g);
  for (int fd : req.stdio) w.Put(static_cast<int32_t>(fd));
  if (h.flags & kHasCwdPath) w.Str(req.cwdPath);
  if (h.flags & kHasLsm) {
    w.Str(req.creds.lsmAttr);
    w.Str(req.creds.lsmValue);
  }
  for (const std::string& s : req.argv) w.Str(s);
  for (const std::string& s : req.envp) w.Str(s);
  for (const std::string& s : req.execPaths) w.Str(s);
  reinterpret_cast<SpecHeader*>(&w.out[0])->size = static_cast<uint32_t>(w.out.size());
  return w.out;
}

}  // namespace nsjoin
