// What Node hands the trampoline (native/trampoline/): a flat byte image written into a memfd by
// native/spawn_image.cc and read back by the trampoline, both built from this one header by the same
// compiler, so the layout matches by construction. No pointers: fd numbers, ids, flags, and the
// strings as NUL-terminated runs after the fixed part.
//
//   SpecHeader | int32 cgroupFds[nCgroupFds] | uint32 groups[nGroups] | int32 stdio[nStdio]
//              | cwd\0 (when hasCwdPath) | lsmAttr\0 lsmValue\0 (when hasLsm)
//              | argv[0]\0 ... | envp[0]\0 ... | execPaths[0]\0 ...
#pragma once

#include <stdint.h>

namespace nsjoin {

constexpr uint32_t kSpecMagic = 0x6e736a31;  // "nsj1"
constexpr int kNsCount = 8;

// Steps that can fail, reported as {step, errno, arg, value}. The trampoline reports on the report
// pipe (exactly one report: the program's pid, or why there is none); the program reports on the
// start pipe (nothing at all when execve worked).
enum Step : int32_t {
  kStepPid = 0,  // not an error: the trampoline reports the program's host pid
  kStepPrctl,
  kStepCgroup,
  kStepSetns,
  kStepUnshare,
  kStepMount,
  kStepClone,
  kStepSetsid,
  kStepChroot,
  kStepChdir,
  kStepGetcwd,
  kStepCreds,  // arg: the CredsStep that failed, value: its argument (a capability number or -1)
  kStepDup,
  kStepClose,
  kStepCtty,
  kStepExecve,
  kStepTrampoline,  // exec of the trampoline, or reading its spec
  kStepCount,
};
// Names as the TypeScript layer knows them (lib/spawn/errors.ts turns them into NsError details).
constexpr const char* kStepNames[kStepCount] = {"pid",   "prctl",       "cgroup", "setns",  "unshare", "mount",
                                                "clone", "setsid",      "chroot", "chdir",  "getcwd",  "creds",
                                                "dup2",  "close_range", "ioctl",  "execve", "execveat"};

// The program's credential steps (native/trampoline/creds.cc), in the order it takes them; the
// names are what lib/spawn/errors.ts turns into an NsError's syscall and hint.
enum CredsStep : int32_t {
  kCredsOk = 0,
  kCredsCapbset,
  kCredsSetgroups,
  kCredsSetgid,
  kCredsSetuid,
  kCredsKeepcaps,
  kCredsCapset,
  kCredsAmbient,
  kCredsLsm,
  kCredsNoNewPrivs,
  kCredsStepCount,
};
constexpr const char* kCredsStepNames[kCredsStepCount] = {"ok",       "capbset", "setgroups", "setgid", "setuid",
                                                          "keepcaps", "capset",  "ambient",   "lsm",    "no_new_privs"};

struct Report {
  int32_t step;
  int32_t err;
  int32_t arg;
  int32_t value;
};

// Namespace types in the order the fallback joins them; user first so nsenter's two passes work.
// The flags are those of <sched.h>, spelled out so this header needs nothing else.
struct NsKind {
  const char* name;
  int flag;
};
constexpr NsKind kNsKinds[kNsCount] = {{"user", 0x10000000}, {"cgroup", 0x02000000}, {"ipc", 0x08000000},
                                       {"uts", 0x04000000},  {"net", 0x40000000},    {"pid", 0x20000000},
                                       {"mnt", 0x00020000},  {"time", 0x00000080}};

enum SpecFlag : uint32_t {
  kSetnsPidfd = 1u << 0,
  kCloseRange = 1u << 1,
  kFreshSysfs = 1u << 2,
  kSetsid = 1u << 3,
  kDieWithParent = 1u << 4,
  kHasCwdPath = 1u << 5,
  kVerifyCwd = 1u << 6,
  kCwdFallbackToRoot = 1u << 7,
  kSetGroups = 1u << 8,
  kGroupsOptional = 1u << 9,
  kFreshProc = 1u << 10,
  kApplyCaps = 1u << 11,  // take the cap sets below (privileges 'target'); else keep ours
  kNoNewPrivs = 1u << 12,
  kHasLsm = 1u << 13,  // write lsmValue to /proc/<lsmAttr> of hostProcFd before execve
};

struct SpecHeader {
  uint32_t magic;
  uint32_t size;  // of the whole image
  uint32_t flags;
  uint32_t nsMask;
  int32_t targetPidfd;
  int32_t nsFds[kNsCount];
  int32_t rootFd, cwdFd;
  int32_t hostProcFd;  // the host's /proc (O_PATH): the close_range fallback and the LSM label
  int32_t reportFd;    // trampoline -> Node: one Report
  int32_t startFd;     // program -> Node: a Report on failure, EOF once execve worked
  int32_t cttyIndex;
  int64_t uid, gid;  // -1: keep ours
  // The target's capability sets (with kApplyCaps), as read from its /proc/PID/status.
  uint64_t capBounding, capPermitted, capEffective, capInheritable, capAmbient;
  uint32_t nCgroupFds, nGroups, nStdio, nArgv, nEnv, nExec;
};

}  // namespace nsjoin
