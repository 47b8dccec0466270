// The program's credentials (docs/architecture.md, "Starting a program in a target", step 5):
// supplementary groups, gid, uid and, with privileges 'target', the target's capability sets, LSM
// exec label and no_new_privs: what `runc exec` gives a process. Node decoded and checked them (native/creds.cc) into the spec.

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tramp.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

namespace nsjoin {
namespace {

CredsFailure Failed(int32_t step, int32_t err, int32_t arg = -1) { return CredsFailure{step, err, arg}; }

int WriteAll(int fd, const char* s, size_t len) {
  ssize_t n;
  do n = write(fd, s, len);
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(len) ? 0 : (n < 0 ? errno : EIO);
}

}  // namespace

CredsFailure ApplyCredentials(const Spec& s) {
  const SpecHeader& h = *s.h;
  bool applyCaps = s.Has(kApplyCaps);
  if (applyCaps) {
    // 1. The bounding set, while we still hold CAP_SETPCAP. EINVAL past the kernel's last cap.
    for (int cap = 0; cap < 64; cap++) {
      int has = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
      if (has < 0) break;
      if (has == 1 && !((h.capBounding >> cap) & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
        return Failed(kCredsCapbset, errno, cap);
    }
    // A uid change from 0 would clear the permitted set; capset below sets it to what we mean.
    if (h.uid >= 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Failed(kCredsKeepcaps, errno);
  }
  // 2. Ids.
  if (s.Has(kSetGroups) && syscall(SYS_setgroups, h.nGroups, s.groups) != 0) {
    if (!(s.Has(kGroupsOptional) && errno == EPERM)) return Failed(kCredsSetgroups, errno);
  }
  if (h.gid >= 0 && syscall(SYS_setresgid, h.gid, h.gid, h.gid) != 0) return Failed(kCredsSetgid, errno);
  if (h.uid >= 0 && syscall(SYS_setresuid, h.uid, h.uid, h.uid) != 0) return Failed(kCredsSetuid, errno);
  if (!applyCaps) return CredsFailure{kCredsOk, 0, -1};

  // 3. Permitted, effective, inheritable: never more than we hold now (after the setns into a
  // user namespace that is the full set of that namespace; else what the caller has).
  __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct cur[2] = {};
  if (syscall(SYS_capget, &hdr, cur) != 0) return Failed(kCredsCapset, errno);
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
  if (syscall(SYS_capset, &hdr, next) != 0) return Failed(kCredsCapset, errno);

  // 4. Ambient: cleared (ours must not leak through), then the target's, which the kernel allows
  // only for capabilities both permitted and inheritable. EINVAL: a kernel before 4.3.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return Failed(kCredsAmbient, errno);
  uint64_t amb = h.capAmbient & prm & inh;
  for (int cap = 0; cap < 64; cap++) {
    if (((amb >> cap) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return Failed(kCredsAmbient, errno, cap);
  }

  // 5. The LSM label the kernel applies at execve (AppArmor change_onexec, SELinux setexeccon),
  // before no_new_privs, which would restrict the transition. Written through the host's /proc:
  // the program is already chrooted into the container, whose /proc it does not trust.
  if (s.lsmAttr) {
    int fd = openat(h.hostProcFd, s.lsmAttr, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Failed(kCredsLsm, errno);
    int err = WriteAll(fd, s.lsmValue, strlen(s.lsmValue));
    close(fd);
    if (err != 0) return Failed(kCredsLsm, err);
  }
  // 6. no_new_privs, when the target has it: nothing exec'd can gain privileges.
  if (s.Has(kNoNewPrivs) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Failed(kCredsNoNewPrivs, errno);
  return CredsFailure{kCredsOk, 0, -1};
}

}  // namespace nsjoin
