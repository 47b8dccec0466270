// The program's credentials (docs/architecture.md, "Starting a program in a target", step 5):
// supplementary groups, gid, uid and, with privileges 'target', the target's capability sets, LSM
// exec label and no_new_privs: what `runc exec` gives a process. Node decoded and checked them (native/creds.cc) into
// the spec.

#include "tramp.h"

namespace nsjoin {
namespace {

CredsFailure Failed(int32_t step, int32_t err, int32_t arg = -1) { return CredsFailure{step, err, arg}; }

long Prctl(int option, unsigned long arg2, unsigned long arg3 = 0) { return Sys(__NR_prctl, option, arg2, arg3, 0, 0); }

int WriteAll(int fd, const char* s, size_t len) {
  long n;
  do n = Sys(__NR_write, fd, s, len);
  while (n == -EINTR);
  return n == static_cast<long>(len) ? 0 : (n < 0 ? Err(n) : EIO);
}

}  // namespace

CredsFailure ApplyCredentials(const Spec& s) {
  const SpecHeader& h = *s.h;
  bool applyCaps = s.Has(kApplyCaps);
  if (applyCaps) {
    // 1. The bounding set, while we still hold CAP_SETPCAP. EINVAL past the kernel's last cap.
    for (int cap = 0; cap < 64; cap++) {
      long has = Prctl(PR_CAPBSET_READ, cap);
      if (has < 0) break;
      long r = has == 1 && !((h.capBounding >> cap) & 1) ? Prctl(PR_CAPBSET_DROP, cap) : 0;
      if (r != 0) return Failed(kCredsCapbset, Err(r), cap);
    }
    // A uid change from 0 would clear the permitted set; capset below sets it to what we mean.
    long r = h.uid >= 0 ? Prctl(PR_SET_KEEPCAPS, 1) : 0;
    if (r != 0) return Failed(kCredsKeepcaps, Err(r));
  }
  // 2. Ids.
  long r = s.Has(kSetGroups) ? Sys(__NR_setgroups, h.nGroups, s.groups) : 0;
  if (r != 0 && !(s.Has(kGroupsOptional) && r == -EPERM)) return Failed(kCredsSetgroups, Err(r));
  r = h.gid >= 0 ? Sys(__NR_setresgid, h.gid, h.gid, h.gid) : 0;
  if (r != 0) return Failed(kCredsSetgid, Err(r));
  r = h.uid >= 0 ? Sys(__NR_setresuid, h.uid, h.uid, h.uid) : 0;
  if (r != 0) return Failed(kCredsSetuid, Err(r));
  if (!applyCaps) return CredsFailure{kCredsOk, 0, -1};

  // 3. Permitted, effective, inheritable: never more than we hold now (after the setns into a
  // user namespace that is the full set of that namespace; else what the caller has).
  __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct cur[2] = {};
  r = Sys(__NR_capget, &hdr, cur);
  if (r != 0) return Failed(kCredsCapset, Err(r));
  uint64_t curPrm = cur[0].permitted | (static_cast<uint64_t>(cur[1].permitted) << 32);
  uint64_t curInh = cur[0].inheritable | (static_cast<uint64_t>(cur[1].inheritable) << 32);
  uint64_t prm = h.capPermitted & curPrm;
  uint64_t eff = h.capEffective & prm;
  uint64_t inh = h.capInheritable & (curInh | curPrm);
  __user_cap_data_struct next[2] = {};
  next[0].permitted = static_cast<uint32_t>(prm);
  next[1].permitted = static_cast<uint32_t>(prm >> 32);
  next[0].effective = static_cast<uint32_t>(eff);
  next[1].effective = static_cast<uint32_t>(eff >> 32);
  next[0].inheritable = static_cast<uint32_t>(inh);
  next[1].inheritable = static_cast<uint32_t>(inh >> 32);
  hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  r = Sys(__NR_capset, &hdr, next);
  if (r != 0) return Failed(kCredsCapset, Err(r));

  // 4. Ambient: cleared (ours must not leak through), then the target's, which the kernel allows
  // only for capabilities both permitted and inheritable. EINVAL: a kernel before 4.3.
  r = Prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
  if (r != 0 && r != -EINVAL) return Failed(kCredsAmbient, Err(r));
  uint64_t amb = h.capAmbient & prm & inh;
  for (int cap = 0; cap < 64; cap++) {
    r = (amb >> cap) & 1 ? Prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap) : 0;
    if (r != 0) return Failed(kCredsAmbient, Err(r), cap);
  }

  // 5. The LSM label the kernel applies at execve (AppArmor change_onexec, SELinux setexeccon),
  // before no_new_privs, which would restrict the transition. Written through the host's /proc:
  // the program is already chrooted into the container, whose /proc it does not trust.
  if (s.lsmAttr) {
    long fd = Sys(__NR_openat, h.hostProcFd, s.lsmAttr, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Failed(kCredsLsm, Err(fd));
    int err = WriteAll(static_cast<int>(fd), s.lsmValue, StrLen(s.lsmValue));
    Sys(__NR_close, fd);
    if (err != 0) return Failed(kCredsLsm, err);
  }
  // 6. no_new_privs, when the target has it: nothing exec'd can gain privileges.
  r = s.Has(kNoNewPrivs) ? Prctl(PR_SET_NO_NEW_PRIVS, 1) : 0;
  if (r != 0) return Failed(kCredsNoNewPrivs, Err(r));
  return CredsFailure{kCredsOk, 0, -1};
}

}  // namespace nsjoin
