// The credentials the program takes before execve: supplementary groups, gid, uid and with them
// the target's capability sets, no_new_privs and LSM exec label (what `runc exec` gives a
// process). Decoded and checked here, in Node; carried to the trampoline in its spec
// (spawn_spec.h) and applied by the program (native/trampoline/creds.cc).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "spawn_spec.h"
#include "sys.h"

namespace nsjoin {

struct Creds {
  // Ids: -1 = keep ours.
  bool setGroups = false;
  bool groupsOptional = false;  // EPERM from setgroups is not an error (nsenter's behaviour)
  std::vector<uint32_t> groups;
  int64_t uid = -1;
  int64_t gid = -1;
  // The target's capability sets (applyCaps false: keep ours, privileges 'caller').
  bool applyCaps = false;
  uint64_t bounding = 0, permitted = 0, effective = 0, inheritable = 0, ambient = 0;
  bool noNewPrivs = false;
  // LSM exec label: `lsmValue` written to <lsmAttr> under the host's /proc (empty: none), e.g.
  // "thread-self/attr/apparmor/exec" <- "exec docker-default"; the spawn opens that /proc.
  std::string lsmAttr, lsmValue;
};

// Reads spec.uid, gid, setGroups, groupsOptional, groups and spec.creds (see RawSpawnSpec) into
// `c`. False when the decoder failed (a JS exception is pending).
bool DecodeCreds(Decoder& d, const Napi::Object& spec, Creds* c);

// The header's part: uid, gid, the capability sets and the flags for them. The groups and the
// LSM strings go into the image after it (spawn.cc, in spawn_spec.h's order).
void PutCreds(const Creds& c, SpecHeader* h);

}  // namespace nsjoin
