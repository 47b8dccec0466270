// The credentials a program takes before execve: supplementary groups, gid, uid, and with them the
// target's capability sets, no_new_privs and LSM exec label (what `runc exec` gives a process).
// DecodeCreds runs in the parent before the clone; ApplyCredentials in the program, between clone
// and execve, and is async-signal-safe (raw system calls on memory prepared beforehand).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sys.h"

namespace nsjoin {

struct Creds {
  // Ids, as before: -1 = keep ours.
  bool setGroups = false;
  bool groupsOptional = false;  // EPERM from setgroups is not an error (nsenter's behaviour)
  std::vector<gid_t> groups;
  int64_t uid = -1;
  int64_t gid = -1;
  // The target's capability sets (applyCaps false: keep ours, privileges 'caller').
  bool applyCaps = false;
  uint64_t bounding = 0, permitted = 0, effective = 0, inheritable = 0, ambient = 0;
  bool noNewPrivs = false;
  // LSM exec label: `lsmValue` written to /proc/thread-self/<lsmAttr> of the host's /proc
  // (e.g. "attr/apparmor/exec" <- "exec docker-default"; "attr/exec" <- an SELinux context).
  std::string lsmAttr, lsmValue;
  int procFd = -1;  // the host's /proc, O_PATH, opened by DecodeCreds when a label is to be set

  Creds() = default;
  Creds(const Creds&) = delete;
  Creds& operator=(const Creds&) = delete;
  ~Creds();
};

// Which step failed; names in kCredsStepNames (the TypeScript side maps them to syscalls).
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
extern const char* const kCredsStepNames[kCredsStepCount];

struct CredsFailure {
  int32_t step;  // kCredsOk on success
  int32_t err;
  int32_t arg;   // the capability number for capbset/ambient, else -1
};

// Reads spec.uid, gid, setGroups, groupsOptional, groups and spec.creds (see RawSpawnSpec) into
// `c`; opens the host's /proc when a label is to be written. False when the decoder failed (a JS
// exception is pending) or /proc could not be opened (errno set, no exception).
bool DecodeCreds(Decoder& d, const Napi::Object& spec, Creds* c);

// In the program, in runc's order: drop the bounding set; setgroups, setgid, setuid (keeping the
// permitted set across a uid change); capset; raise the ambient set; the LSM exec label;
// no_new_privs. The new sets are intersected with what the process holds at this point, so a
// caller with fewer capabilities than the target never fails for it and never gains any.
CredsFailure ApplyCredentials(const Creds& c);

}  // namespace nsjoin
